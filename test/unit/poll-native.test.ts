import { describe, expect, it } from 'vitest';
import { nativeFit } from '../../src/features/poll/poll.js';
import { pollNonce } from '../../src/platforms/discord/nonce.js';
import { DISCORD_POLL_LIMITS, pollBody, pollVoteOf } from '../../src/platforms/discord/polls.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;
const base = { question: 'Best fruit?', options: ['apple', 'banana', 'cherry'], anonymous: false, hideResults: false, multi: 1, endsAt: null as number | null };
const fit = (over: Partial<typeof base>) => nativeFit({ ...base, ...over }, NOW, DISCORD_POLL_LIMITS);

describe('the native-poll fit', () => {
  it('one choice or every option; an end rounded up to whole hours; no end: the longest Discord allows', () => {
    expect(fit({})).toEqual({ fits: true, hours: 768, multiselect: false });
    expect(fit({ multi: 3 })).toEqual({ fits: true, hours: 768, multiselect: true });
    expect(fit({ endsAt: NOW + 2 * HOUR })).toEqual({ fits: true, hours: 2, multiselect: false });
    expect(fit({ endsAt: NOW + 2 * HOUR + 1 })).toMatchObject({ hours: 3 });
    expect(fit({ endsAt: NOW + 60_000 })).toMatchObject({ hours: 1 });
    expect(fit({ endsAt: NOW + 768 * HOUR })).toMatchObject({ fits: true, hours: 768 });
  });

  it('what Discord polls cannot do is named: anonymity, hidden results, k of n, too many or too long, too far', () => {
    expect(fit({ anonymous: true })).toEqual({ fits: false, why: 'anonymous' });
    expect(fit({ hideResults: true })).toEqual({ fits: false, why: 'hidden' });
    expect(fit({ multi: 2 })).toEqual({ fits: false, why: 'multi' });
    expect(fit({ options: Array.from({ length: 10 }, (_, i) => `o${i}`) })).toMatchObject({ fits: true });
    expect(fit({ options: Array.from({ length: 11 }, (_, i) => `o${i}`) })).toEqual({ fits: false, why: 'answers' });
    expect(fit({ options: ['a'.repeat(55), 'b'] })).toMatchObject({ fits: true });
    expect(fit({ options: ['a'.repeat(56), 'b'] })).toEqual({ fits: false, why: 'answer' });
    expect(fit({ question: 'q'.repeat(300) })).toMatchObject({ fits: true });
    expect(fit({ question: 'q'.repeat(301) })).toEqual({ fits: false, why: 'question' });
    expect(fit({ endsAt: NOW + 768 * HOUR + 1 })).toEqual({ fits: false, why: 'duration' });
  });
});

describe('Discord poll payloads', () => {
  it('Create Message with the poll, nobody notified', () => {
    expect(pollBody({ text: '📊 Poll #3', question: 'Q?', answers: ['a', 'b'], multiselect: true, hours: 5 })).toEqual({
      content: '📊 Poll #3',
      poll: { question: { text: 'Q?' }, answers: [{ poll_media: { text: 'a' } }, { poll_media: { text: 'b' } }], duration: 5, allow_multiselect: true, layout_type: 1 },
      allowed_mentions: { parse: [] },
    });
  });

  it('a vote dispatch becomes a vote whose delivery id names the vote, the session and the sequence number', () => {
    const d = { user_id: '11', channel_id: '22', message_id: '33', guild_id: '44', answer_id: 2 };
    const add = pollVoteOf({ t: 'MESSAGE_POLL_VOTE_ADD', s: 7, d }, 'sess');
    expect(add).toEqual({ deliveryId: 'pollvote:33:11:2:add:sess:7', guildId: '44', channelId: '22', messageId: '33', userId: '11', answerId: 2, added: true });
    // The same dispatch replayed on a resume is the same delivery; a later one is another.
    expect(pollVoteOf({ t: 'MESSAGE_POLL_VOTE_ADD', s: 7, d }, 'sess')?.deliveryId).toBe(add?.deliveryId);
    expect(pollVoteOf({ t: 'MESSAGE_POLL_VOTE_ADD', s: 9, d }, 'sess')?.deliveryId).not.toBe(add?.deliveryId);
    expect(pollVoteOf({ t: 'MESSAGE_POLL_VOTE_REMOVE', s: 8, d }, 'sess')).toMatchObject({ added: false, deliveryId: 'pollvote:33:11:2:remove:sess:8' });
    // Not a vote, a DM poll, a field missing.
    expect(pollVoteOf({ t: 'MESSAGE_CREATE', s: 1, d }, 'sess')).toBeUndefined();
    expect(pollVoteOf({ t: 'MESSAGE_POLL_VOTE_ADD', s: 1, d: { ...d, guild_id: undefined } }, 'sess')).toBeUndefined();
    expect(pollVoteOf({ t: 'MESSAGE_POLL_VOTE_ADD', s: 1, d: { ...d, answer_id: '2' } }, 'sess')).toBeUndefined();
    expect(pollVoteOf({ t: 'MESSAGE_POLL_VOTE_ADD', s: 1, d: null }, 'sess')).toBeUndefined();
  });

  it('a poll nonce fits Discord’s 25 characters for any poll id', () => {
    expect(pollNonce('abcdef01', '12')).toBe('abcdef01p12');
    expect(pollNonce('abcdef01', String(Number.MAX_SAFE_INTEGER))).toHaveLength(25);
    expect(() => pollNonce('abcdef01', 'poll-1')).toThrow(RangeError);
  });
});
