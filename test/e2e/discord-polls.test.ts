/**
 * Issue #14, Discord native polls: the app in-process with the real discord.js
 * client against the fake Discord (test/fakes/discord/polls.ts). A poll that
 * fits is posted as a native poll (the payload checked as Discord would), its
 * votes come back as MESSAGE_POLL_VOTE_ADD / _REMOVE through the router into
 * the same vote rows, and the close by timer expires it and posts the result;
 * a poll that does not fit gets buttons and the admin is told why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { FixedClock } from '../../src/core/clock.js';
import { type FakeDiscord, Permission, snowflake, type FakeUserInput, type Json, type RecordedRequest } from '../fakes/discord/fake-discord.js';
import { startInProcessDiscordBot, type InProcessDiscordBot } from '../helpers/discord-bot.js';
import { waitFor } from '../helpers/wait.js';

const GUILD_ID = snowflake();
const GENERAL_ID = snowflake();
const MOD_ROLE_ID = snowflake();
const OWNER: FakeUserInput = { id: snowflake(), username: 'owner' };
const ADMIN: FakeUserInput = { id: snowflake(), username: 'admin', globalName: 'Admin' };
const ALICE: FakeUserInput = { id: snowflake(), username: 'alice', globalName: 'Alice' };
const BOB: FakeUserInput = { id: snowflake(), username: 'bob', globalName: 'Bob' };
const CAROL: FakeUserInput = { id: snowflake(), username: 'carol', globalName: 'Carol' };
const HOUR = 3_600_000;

let bot: InProcessDiscordBot | undefined;

async function start(config: Record<string, unknown> = {}): Promise<InProcessDiscordBot & { clock: FixedClock }> {
  const clock = new FixedClock(new Date());
  bot = await startInProcessDiscordBot({
    clock,
    config,
    guild: {
      id: GUILD_ID,
      name: 'Qun Test Server',
      ownerId: OWNER.id,
      channels: [{ id: GENERAL_ID, name: 'general' }],
      roles: [{ id: MOD_ROLE_ID, name: 'Mods', permissions: Permission.ManageGuild, position: 1 }],
      members: [{ user: ADMIN, roles: [MOD_ROLE_ID] }, { user: ALICE }, { user: BOB }, { user: CAROL }],
    },
  });
  return Object.assign(bot, { clock });
}

afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

const say = (f: FakeDiscord, author: FakeUserInput, content: string) => f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author, content });
const isPollPost = (r: RecordedRequest): boolean => r.method === 'POST' && r.path === `/channels/${GENERAL_ID}/messages` && (r.body as Json | undefined)?.poll !== undefined;
const pollRow = (a: App, id = 1) =>
  a.store.sql.prepare<[number], { native: number; native_message_id: string | null; native_channel_id: string | null; status: string }>('SELECT native, native_message_id, native_channel_id, status FROM polls WHERE id = ?').get(id);
const votes = async (a: App) =>
  (await a.store.sql.prepare<[], { name: string; option: number }>('SELECT m.display_name AS name, v.option FROM poll_votes v JOIN members m ON m.id = v.member_id ORDER BY m.display_name, v.option').all()).map((r) => `${r.name}:${r.option}`);
const voteDeliveries = async (a: App) => (await a.store.sql.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM inbound_events WHERE delivery_id LIKE 'pollvote:%'").get())?.n ?? 0;
const buttons = (m: Json): number => ((m.components as Json[] | undefined) ?? []).reduce((n, row) => n + ((row.components as unknown[] | undefined) ?? []).length, 0);
/** The bot's replies and posts in the channel (content and embed text). */
const channelText = (f: FakeDiscord): string[] =>
  f.messagesIn(GENERAL_ID).map((m) => [m.content, ...((m.embeds as Json[] | undefined) ?? []).map((e) => `${String(e.title ?? '')}\n${String(e.description ?? '')}`)].join('\n'));

async function nativePoll(b: InProcessDiscordBot, command: string, id = 1): Promise<{ request: RecordedRequest; messageId: string }> {
  const from = b.fake.requests.length;
  say(b.fake, ADMIN, command);
  const request = await b.fake.waitForRequest(isPollPost, 10_000, from);
  const row = await waitFor(async () => ((await pollRow(b.app, id))?.native_message_id ? pollRow(b.app, id) : undefined), 10_000, 'the native message recorded');
  return { request, messageId: row.native_message_id as string };
}

describe('Discord native polls', () => {
  it('a poll that fits is a native poll; votes, a change of vote and a repeated dispatch count once; the timer expires it and posts the result', async () => {
    const b = await start();
    const { request, messageId } = await nativePoll(b, '/poll create "Best fruit?" apple | banana | cherry ends=+2h');
    const body = request.body as Json;
    expect(body.poll).toEqual({
      question: { text: 'Best fruit?' },
      answers: [{ poll_media: { text: 'apple' } }, { poll_media: { text: 'banana' } }, { poll_media: { text: 'cherry' } }],
      duration: 2,
      allow_multiselect: false,
      layout_type: 1,
    });
    expect(body.content).toContain('📊 Poll #1');
    expect(body.enforce_nonce).toBe(true);
    expect(await pollRow(b.app)).toMatchObject({ native: 1, native_channel_id: GENERAL_ID, status: 'open' });
    // The admin is told where the poll went; no buttons were posted.
    await waitFor(() => channelText(b.fake).some((t) => t.includes('Poll #1 is posted here as a Discord poll')), 10_000, 'the confirmation');
    expect(b.fake.messagesIn(GENERAL_ID).every((m) => buttons(m) === 0)).toBe(true);

    b.fake.polls.vote({ messageId, userId: ALICE.id, answerId: 2 });
    b.fake.polls.vote({ messageId, userId: BOB.id, answerId: 1 });
    await waitFor(async () => (await votes(b.app)).length === 2, 10_000, 'two votes');
    expect(await votes(b.app)).toEqual(['Alice:2', 'Bob:1']);
    // A change of vote: Discord sends the old answer's REMOVE and the new one's ADD.
    const change = b.fake.polls.vote({ messageId, userId: ALICE.id, answerId: 3 });
    expect(change.payloads.map((p) => p.t)).toEqual(['MESSAGE_POLL_VOTE_REMOVE', 'MESSAGE_POLL_VOTE_ADD']);
    await waitFor(async () => (await votes(b.app)).includes('Alice:3'), 10_000, 'the changed vote');
    expect(await votes(b.app)).toEqual(['Alice:3', 'Bob:1']);
    // The same ADD again (a second copy of the dispatch): handled, and it changes nothing.
    const before = await voteDeliveries(b.app);
    b.fake.polls.resend(change.payloads[1] as (typeof change.payloads)[number]);
    await waitFor(async () => (await voteDeliveries(b.app)) === before + 1, 10_000, 'the repeated dispatch handled');
    expect(await votes(b.app)).toEqual(['Alice:3', 'Bob:1']);
    // Take back, choose again: the second ADD of the same answer is a new vote, not a duplicate.
    b.fake.polls.vote({ messageId, userId: BOB.id, answerId: 1, remove: true });
    await waitFor(async () => (await votes(b.app)).length === 1, 10_000, 'the vote taken back');
    b.fake.polls.vote({ messageId, userId: BOB.id, answerId: 1 });
    await waitFor(async () => (await votes(b.app)).length === 2, 10_000, 'the vote cast again');
    // Votes are activity, as vote commands are.
    const activity = await b.app.store.sql.prepare<[], { n: number }>("SELECT SUM(a.commands) AS n FROM member_activity a JOIN members m ON m.id = a.member_id WHERE m.display_name = 'Alice'").get();
    expect(activity?.n).toBeGreaterThan(0);
    // A vote by command would not show in Discord's poll: refused.
    say(b.fake, CAROL, '/poll vote 1 1');
    await waitFor(() => channelText(b.fake).some((t) => t.includes('Poll #1 is a Discord poll: vote in the poll message itself.')), 10_000, 'the refusal');

    b.clock.advance(2 * HOUR);
    await b.app.jobs.run('poll-close', 1);
    await b.fake.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${GENERAL_ID}/polls/${messageId}/expire`, 10_000);
    await waitFor(() => b.fake.polls.expired(messageId), 10_000, 'the native poll expired');
    const result = await waitFor(() => channelText(b.fake).find((t) => t.includes('📊 Poll #1: final result')), 10_000, 'the result post');
    expect(result).toContain('1. apple\n▇▇▇▇▇░░░░░ 50% (1)');
    expect(result).toContain('3. cherry\n▇▇▇▇▇░░░░░ 50% (1)');
    expect(result).toContain('2 voter(s).');
    expect((await pollRow(b.app))?.status).toBe('closed');
  });

  it('any number of choices (multi = all options) is a multiselect native poll of 32 days without ends=; answers are added and taken back', async () => {
    const b = await start();
    const { request, messageId } = await nativePoll(b, '/poll create "Which days?" Mon | Tue | Wed multi=3');
    expect(request.body).toMatchObject({ poll: { allow_multiselect: true, duration: 768 } });
    b.fake.polls.vote({ messageId, userId: ALICE.id, answerId: 1 });
    b.fake.polls.vote({ messageId, userId: ALICE.id, answerId: 3 });
    await waitFor(async () => (await votes(b.app)).length === 2, 10_000, 'two choices');
    b.fake.polls.vote({ messageId, userId: ALICE.id, answerId: 1, remove: true });
    await waitFor(async () => (await votes(b.app)).length === 1, 10_000, 'one taken back');
    expect(await votes(b.app)).toEqual(['Alice:3']);
  });

  it('a poll that does not fit gets buttons and the admin is told why; polls.discordNative=false gives buttons to all', async () => {
    const b = await start();
    say(b.fake, ADMIN, '/poll create "Secret?" yes | no anonymous');
    await waitFor(() => channelText(b.fake).some((t) => t.includes('Posted with buttons: a Discord poll shows who voted, so it cannot be anonymous.')), 10_000, 'the reason');
    const announcement = b.fake.messagesIn(GENERAL_ID).find((m) => buttons(m) === 2);
    expect(announcement).toBeDefined();
    say(b.fake, ADMIN, '/poll create "Pick two?" a | b | c | d multi=2');
    await waitFor(() => channelText(b.fake).some((t) => t.includes('allows one choice or any number, not up to 2.')), 10_000, 'the k-of-n reason');
    say(b.fake, ADMIN, `/poll create "Many?" ${Array.from({ length: 11 }, (_, i) => `o${i + 1}`).join(' | ')}`);
    await waitFor(() => channelText(b.fake).some((t) => t.includes('a Discord poll has at most 10 options.')), 10_000, 'the answers reason');
    expect(b.fake.requests.some(isPollPost)).toBe(false);
    expect((await b.app.store.sql.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM polls WHERE native = 1').get())?.n).toBe(0);
  });

  it('polls.discordNative=false: buttons, and no reason given', async () => {
    const b = await start({ polls: { discordNative: false } });
    say(b.fake, ADMIN, '/poll create "Best fruit?" apple | banana');
    await waitFor(() => b.fake.messagesIn(GENERAL_ID).some((m) => buttons(m) === 2), 10_000, 'the buttons');
    expect(b.fake.requests.some(isPollPost)).toBe(false);
    expect(channelText(b.fake).some((t) => t.includes('Posted with buttons'))).toBe(false);
  });

  it('a refused native post (403 / 50013) falls back to buttons through the outbox', async () => {
    const b = await start();
    b.fake.failNext(isPollPost, { status: 403, code: 50013, message: 'Missing Permissions' });
    say(b.fake, ADMIN, '/poll create "Best fruit?" apple | banana');
    await waitFor(() => b.fake.messagesIn(GENERAL_ID).some((m) => buttons(m) === 2), 10_000, 'the buttons');
    expect(await pollRow(b.app)).toMatchObject({ native: 0, native_message_id: null });
  });

  it('min_level=: a vote below the level is not counted and the member is told privately, once', async () => {
    const b = await start();
    const { messageId } = await nativePoll(b, '/poll create "New feature?" yes | no min_level=2');
    say(b.fake, BOB, '/points');
    await waitFor(async () => (await b.app.store.sql.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM members WHERE display_name = 'Bob'").get())?.n === 1, 10_000, 'bob known');
    say(b.fake, ADMIN, `/grant <@${BOB.id}> 150 active`);
    await waitFor(async () => (await b.app.store.sql.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM points_ledger').get())?.n === 1, 10_000, 'the grant');
    b.fake.polls.vote({ messageId, userId: ALICE.id, answerId: 1 });
    b.fake.polls.vote({ messageId, userId: BOB.id, answerId: 2 });
    await waitFor(async () => (await votes(b.app)).length === 1, 10_000, 'bob counted');
    const dm = await waitFor(() => {
      const channel = b.fake.dmChannelIdFor(ALICE.id);
      return channel ? b.fake.messagesIn(channel) : undefined;
    }, 10_000, 'the private notice');
    b.fake.polls.vote({ messageId, userId: ALICE.id, answerId: 2 });
    await waitFor(async () => (await voteDeliveries(b.app)) === 4, 10_000, 'alice again');
    expect(await votes(b.app)).toEqual(['Bob:2']);
    expect(dm).toHaveLength(1);
    expect(JSON.stringify(dm[0])).toContain('is not counted');
    expect((await b.app.store.sql.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE source = 'poll-level:1'").get())?.n).toBe(1);
  });

  it('a restart before the close: the votes go on, and the timer closes it once and expires the native poll', async () => {
    const b = await start();
    const { messageId } = await nativePoll(b, '/poll create "Lunch?" noodles | rice ends=+1h');
    b.fake.polls.vote({ messageId, userId: ALICE.id, answerId: 1 });
    await waitFor(async () => (await votes(b.app)).length === 1, 10_000, 'a vote');
    await b.restart();
    expect((await b.app.poll.desired()).timers.map((t) => t.jobId)).toEqual(['poll-close-1']);
    b.fake.polls.vote({ messageId, userId: BOB.id, answerId: 2 });
    await waitFor(async () => (await votes(b.app)).length === 2, 10_000, 'a vote after the restart');
    b.clock.advance(HOUR);
    await b.app.jobs.run('poll-close', 1);
    await b.app.jobs.run('poll-close', 1);
    await waitFor(() => b.fake.polls.expired(messageId), 10_000, 'the native poll expired');
    await waitFor(() => channelText(b.fake).some((t) => t.includes('📊 Poll #1: final result')), 10_000, 'the result');
    expect(b.fake.polls.expiredBy).toEqual([messageId]);
    expect((await b.app.store.sql.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE source = 'poll:1'").get())?.n).toBe(1);
  });
});
