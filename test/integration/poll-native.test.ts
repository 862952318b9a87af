/**
 * Issue #14, native polls through the NativePolls port (core/sender.ts) with a
 * recording Discord sender, on both engines: the post timer posts the poll and
 * records its message; `pollVote` events go through the router into the same
 * vote rows (a repeated delivery counts once); the close ends the native poll
 * after the commit, and a refusal to end it still leaves the result posted;
 * a transient post failure leaves the post timer desired for the reconciler.
 */
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { SendError, type NativePoll, type Sender } from '../../src/core/sender.js';
import { testApps, type TestApp } from '../helpers/app.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });
const T0 = '2026-11-23T02:00:00.000Z';
const COMMUNITY = { platform: 'discord', externalId: '900000000000000001' } as const;

interface PollSender extends Sender {
  posted: Array<{ channelId: string | undefined; poll: NativePoll; ref: string }>;
  ended: string[];
  failPost?: SendError;
  failEnd?: SendError;
}

function pollSender(): PollSender {
  const sender: PollSender = {
    platform: 'discord',
    posted: [],
    ended: [],
    send: async () => undefined,
    sendDirect: async () => undefined,
    pollLimits: { question: 300, answers: 10, answer: 55, maxHours: 768 },
    async postPoll(_community, channelId, poll, ref) {
      if (sender.failPost) throw sender.failPost;
      sender.posted.push({ channelId, poll, ref });
      return { channelId: channelId ?? 'c-default', messageId: `m${ref}`, answerIds: poll.answers.map((_, i) => 101 + i) };
    },
    async endPoll(_community, _channelId, messageId) {
      if (sender.failEnd) throw sender.failEnd;
      sender.ended.push(messageId);
    },
  };
  return sender;
}

const on = async (t: TestApp, user: string, text: string): Promise<Reply[]> =>
  (await t.app.router.handle({ ...t.chat.event(user, text), community: COMMUNITY, channelId: 'c-general' } as ChatEvent)).replies;
const vote = (t: TestApp, user: string, messageId: string, answerId: number, added: boolean, deliveryId = `pv-${user}-${answerId}-${added}-${Math.random()}`) =>
  t.app.router.handle({ type: 'pollVote', deliveryId, community: COMMUNITY, actor: { platformUserId: user, displayName: user, isAdmin: false }, channelId: 'c-general', messageId, answerId, added });
const votes = async (t: TestApp) =>
  ((await t.app.store.sql.prepare('SELECT m.display_name AS name, v.option FROM poll_votes v JOIN members m ON m.id = v.member_id ORDER BY m.display_name, v.option').all()) as Array<{ name: string; option: number }>).map((r) => `${r.name}:${r.option}`);
const poll = async (t: TestApp) => (await t.app.store.sql.prepare('SELECT native, native_channel_id, native_message_id, native_answers_json, status FROM polls WHERE id = 1').get()) as Record<string, unknown>;
const results = async (t: TestApp) => ((await t.app.store.sql.prepare("SELECT reply_json FROM deliveries WHERE source = 'poll:1'").all()) as Array<{ reply_json: string }>).map((r) => (JSON.parse(r.reply_json) as Reply).text);

describe('native polls through the port', () => {
  it('posted by its timer in the command’s channel; votes through the router, a repeated delivery once; the close ends it', async () => {
    const clock = new FixedClock(T0);
    const sender = pollSender();
    const t = await app({ clock, senders: [sender] });
    const [reply] = await on(t, 'admin', '/poll create "Best fruit?" apple | banana | cherry ends=+90m');
    expect(reply).toMatchObject({ ephemeral: true });
    expect(await poll(t)).toMatchObject({ native: 1, native_channel_id: 'c-general', native_message_id: null });
    expect((await t.app.poll.desired()).timers.map((x) => x.jobId)).toEqual(['poll-close-1', 'poll-post-1']);
    await t.app.jobs.run('poll-post', 1);
    expect(sender.posted).toEqual([{ channelId: 'c-general', ref: '1', poll: { text: expect.stringContaining('#1') as string, question: 'Best fruit?', answers: ['apple', 'banana', 'cherry'], multiselect: false, hours: 2 } }]);
    expect(await poll(t)).toMatchObject({ native_message_id: 'm1', native_answers_json: '[101,102,103]' });
    expect((await t.app.poll.desired()).timers.map((x) => x.jobId)).toEqual(['poll-close-1']);
    // A second run of the post timer posts nothing.
    await t.app.jobs.run('poll-post', 1);
    expect(sender.posted).toHaveLength(1);

    await vote(t, 'alice', 'm1', 102, true, 'pv-1');
    expect((await vote(t, 'alice', 'm1', 102, true, 'pv-1')).duplicate).toBe(true);
    await vote(t, 'bob', 'm1', 101, true);
    // One choice: the new answer replaces the old, whichever of Discord's ADD and REMOVE comes first.
    await vote(t, 'alice', 'm1', 103, true);
    await vote(t, 'alice', 'm1', 102, false);
    // Unknown answers and messages change nothing.
    await vote(t, 'carol', 'm1', 999, true);
    await vote(t, 'carol', 'm404', 101, true);
    expect(await votes(t)).toEqual(['alice:3', 'bob:1']);
    const activity = (await t.app.store.sql.prepare("SELECT SUM(a.commands) AS n FROM member_activity a JOIN members m ON m.id = a.member_id WHERE m.display_name = 'alice'").get()) as { n: number };
    expect(activity.n).toBe(3);
    expect((await on(t, 'carol', '/poll vote 1 1'))[0]?.text).toContain('Poll #1 is a Discord poll');

    clock.advance(90 * 60_000);
    // A vote the platform still delivers after the end time is not counted.
    await vote(t, 'dan', 'm1', 101, true);
    await t.app.jobs.run('poll-close', 1);
    expect(sender.ended).toEqual(['m1']);
    expect(await results(t)).toHaveLength(1);
    expect((await results(t))[0]).toContain('2 voter(s).');
    await vote(t, 'erin', 'm1', 101, true);
    expect(await votes(t)).toEqual(['alice:3', 'bob:1']);
  });

  it('ending the native poll fails: logged, and the result is posted all the same', async () => {
    const clock = new FixedClock(T0);
    const sender = pollSender();
    sender.failEnd = new SendError('discord 403 (code 50013): Missing Permissions', false);
    const t = await app({ clock, senders: [sender] });
    await on(t, 'admin', '/poll create "Q?" a | b multi=2');
    await t.app.jobs.run('poll-post', 1);
    expect(sender.posted[0]?.poll).toMatchObject({ multiselect: true, hours: 768 });
    await vote(t, 'alice', 'm1', 101, true);
    await vote(t, 'alice', 'm1', 102, true);
    await vote(t, 'alice', 'm1', 101, false);
    expect(await votes(t)).toEqual(['alice:2']);
    expect((await on(t, 'admin', '/poll close 1'))[0]?.text).toContain('Poll #1 is closed');
    expect(sender.ended).toEqual([]);
    expect(await results(t)).toHaveLength(1);
    expect(await poll(t)).toMatchObject({ status: 'closed' });
  });

  it('a transient post failure keeps the post timer desired; a permanent one posts with buttons', async () => {
    const clock = new FixedClock(T0);
    const sender = pollSender();
    sender.failPost = new SendError('discord 503', true);
    const t = await app({ clock, senders: [sender] });
    await on(t, 'admin', '/poll create "Q?" a | b');
    await t.app.jobs.run('poll-post', 1);
    expect(await poll(t)).toMatchObject({ native: 1, native_message_id: null });
    expect((await t.app.poll.desired()).timers.map((x) => x.jobId)).toEqual(['poll-post-1']);
    sender.failPost = new SendError('discord 403 (code 50013): Missing Permissions', false);
    await t.app.jobs.run('poll-post', 1);
    expect(await poll(t)).toMatchObject({ native: 0, native_message_id: null });
    const announced = (await t.app.store.sql.prepare("SELECT reply_json FROM deliveries WHERE source = 'poll-announce:1'").all()) as Array<{ reply_json: string }>;
    expect(announced).toHaveLength(1);
    expect((JSON.parse(announced[0]?.reply_json ?? '{}') as Reply).actions).toHaveLength(2);
    // Now a button poll: votes by command count.
    expect((await on(t, 'alice', '/poll vote 1 2'))[0]?.text).toContain('Voted for option 2');
    expect((await t.app.poll.desired()).timers).toEqual([]);
  });

  it('a post that waited (Redis away, a retry) runs for the hours left, not those at the creation', async () => {
    const clock = new FixedClock(T0);
    const sender = pollSender();
    const t = await app({ clock, senders: [sender] });
    await on(t, 'admin', '/poll create "Q?" a | b ends=+5h');
    clock.advance(3 * 60 * 60_000 + 60_000);
    await t.app.jobs.run('poll-post', 1);
    expect(sender.posted[0]?.poll.hours).toBe(2);
  });

  it('other platforms, and polls.discordNative=false, keep buttons', async () => {
    const sender = pollSender();
    const t = await app({ clock: new FixedClock(T0), senders: [sender], config: { polls: { discordNative: false } } });
    const [reply] = await on(t, 'admin', '/poll create "Q?" a | b');
    expect(reply?.actions).toHaveLength(2);
    expect(await poll(t)).toMatchObject({ native: 0 });
    const playground = await t.chat.send('admin', '/poll create "Q2?" a | b');
    expect(playground[0]?.actions).toHaveLength(2);
  });
});
