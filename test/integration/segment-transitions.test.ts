import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { testApps, type TestApp } from '../helpers/app.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });

const DAY = 86_400_000;
// 10:00 in Asia/Shanghai, the default community timezone: community day 2026-11-23.
const T0 = new Date('2026-11-23T02:00:00.000Z').getTime();
const dayOf = (offset: number) => new Date(new Date('2026-11-23T00:00:00Z').getTime() + offset * DAY).toISOString().slice(0, 10);

const join = (t: TestApp, user: string) => t.app.router.handle({ ...t.chat.event(user, ''), type: 'memberJoined' } as ChatEvent);
const leave = (t: TestApp, user: string) => t.app.router.handle({ ...t.chat.event(user, ''), type: 'memberLeft' } as ChatEvent);
/** Plain group chatter: the bot is not addressed. */
const chatter = (t: TestApp, user: string, text: string) => t.app.router.handle({ ...t.chat.event(user, text), addressed: false } as ChatEvent);
const memberId = async (t: TestApp, name: string) => ((await t.app.store.sql.prepare('SELECT id FROM members WHERE display_name = ?').get(name)) as { id: number }).id;
/** A scripted history: the member was active on these community days (offsets from 2026-11-23). */
async function activeOn(t: TestApp, name: string, offsets: number[]): Promise<void> {
  const id = await memberId(t, name);
  const stmt = t.app.store.sql.prepare('INSERT INTO member_activity (community_id, member_id, day, messages) VALUES (1, ?, ?, 1) ON CONFLICT (community_id, member_id, day) DO UPDATE SET messages = member_activity.messages + 1');
  for (const offset of offsets) await stmt.run(id, dayOf(offset));
}
/** The daily job on community day `offset` (10:00 that day). */
async function runDay(t: TestApp, clock: FixedClock, offset: number, again = ''): Promise<void> {
  clock.set(new Date(T0 + offset * DAY));
  await t.app.jobs.run('lifecycle-daily', 0, { runKey: `daily-${offset}${again}` });
}
const transitionsOn = async (t: TestApp, offset: number) =>
  (await t.app.store.sql.prepare('SELECT from_segment, to_segment, count FROM segment_transitions WHERE community_id = 1 AND day = ? ORDER BY from_segment, to_segment').all(dayOf(offset))) as Array<{ from_segment: string; to_segment: string; count: number }>;
const pairs = async (t: TestApp, offset: number) => (await transitionsOn(t, offset)).map((r) => `${r.from_segment}>${r.to_segment}:${r.count}`);
const memory = async (t: TestApp) =>
  Object.fromEntries(
    ((await t.app.store.sql.prepare('SELECT m.display_name AS name, s.segment, s.since_day FROM member_segments s JOIN members m ON m.id = s.member_id ORDER BY m.display_name').all()) as Array<{ name: string; segment: string; since_day: string }>).map((r) => [r.name, `${r.segment}@${r.since_day}`]),
  );

describe('segment transitions', () => {
  it('the daily run remembers each member\'s segment, counts moves per day exactly once, drops leavers, and /stats members shows the last 7 days', async () => {
    const clock = new FixedClock(new Date(T0 - 20 * DAY));
    // New members stay new for 2 days here, so they move within the script.
    const t = await app({ clock, config: { lifecycle: { segments: { newDays: 2 } } } });
    for (const u of ['admin', 's1', 's2', 'a1', 'leaver', 'late']) await chatter(t, u, 'hello world'); // day -20
    clock.set(new Date(T0 - DAY));
    for (const u of ['n1', 'n2']) await chatter(t, u, 'hello world'); // day -1: joined and active
    await activeOn(t, 'admin', [-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4]);
    await activeOn(t, 's1', [1]); // silent, back on day 1, silent again on day 4
    await activeOn(t, 's2', [1, 2, 3]); // silent, back on day 1, active on day 3
    await activeOn(t, 'n1', [0, 1]); // new, active on day 1
    await activeOn(t, 'a1', [-4, -3, -2]); // active, silent on day 3
    await activeOn(t, 'leaver', [-1]); // casual, leaves on day 2

    await runDay(t, clock, 0);
    expect(await pairs(t, 0)).toEqual([]); // everyone seen for the first time
    expect(await memory(t)).toEqual({
      a1: `active@${dayOf(0)}`,
      admin: `active@${dayOf(0)}`,
      late: `silent@${dayOf(0)}`,
      leaver: `casual@${dayOf(0)}`,
      n1: `new@${dayOf(0)}`,
      n2: `new@${dayOf(0)}`,
      s1: `silent@${dayOf(0)}`,
      s2: `silent@${dayOf(0)}`,
    });

    await runDay(t, clock, 1);
    expect(await pairs(t, 1)).toEqual(['new>active:1', 'new>casual:1', 'silent>casual:2']);
    // Re-running the day (another run of the job, the same community day) changes nothing,
    // even though a silent member was active after the first run: that counts tomorrow.
    const before = await memory(t);
    await activeOn(t, 'late', [1]);
    await runDay(t, clock, 1, '-again');
    expect(await pairs(t, 1)).toEqual(['new>active:1', 'new>casual:1', 'silent>casual:2']);
    expect(await memory(t)).toEqual(before);
    // Only members whose segment changed were written: the others keep their day.
    expect(before).toMatchObject({ admin: `active@${dayOf(0)}`, a1: `active@${dayOf(0)}`, leaver: `casual@${dayOf(0)}`, n1: `active@${dayOf(1)}`, s1: `casual@${dayOf(1)}` });

    clock.set(new Date(T0 + 2 * DAY - 3_600_000));
    await leave(t, 'leaver');
    await runDay(t, clock, 2);
    expect(await pairs(t, 2)).toEqual(['casual>churned:1', 'casual>silent:1', 'silent>casual:1']);
    expect(Object.keys(await memory(t))).not.toContain('leaver');

    await runDay(t, clock, 3);
    expect(await pairs(t, 3)).toEqual(['active>silent:1', 'casual>active:1']); // a1 went silent, s2 became active; the leaver is not counted again

    // The leaver comes back: remembered afresh (new), not a transition.
    clock.set(new Date(T0 + 4 * DAY - 3_600_000));
    await join(t, 'leaver');
    await runDay(t, clock, 4);
    expect(await pairs(t, 4)).toEqual(['casual>silent:2']);
    expect(await memory(t)).toMatchObject({ leaver: `new@${dayOf(4)}`, s1: `silent@${dayOf(4)}`, s2: `active@${dayOf(3)}`, a1: `silent@${dayOf(3)}` });

    const out = await t.chat.say('admin', '/stats members');
    expect(out).toContain('近 7 天：沉默成员回来 3 人次，新成员转为活跃 1 人次，活跃成员转为沉默 1 人次。');

    // Six days later the window (the 7 days ending today) holds day 3 and later only.
    clock.set(new Date(T0 + 9 * DAY));
    expect(await t.chat.say('admin', '/stats members')).toContain('近 7 天：沉默成员回来 0 人次，新成员转为活跃 0 人次，活跃成员转为沉默 1 人次。');
  });

  it('a large community is remembered and moved in full (statements of many rows)', async () => {
    const clock = new FixedClock(new Date(T0));
    const t = await app({ clock, config: { lifecycle: { nudges: { enabled: false } } } });
    await chatter(t, 'admin', 'hello world');
    const insert = t.app.store.sql.prepare('INSERT INTO members (community_id, display_name, joined_at, created_at) VALUES (1, ?, ?, ?)');
    await t.app.store.unit(async () => {
      for (let i = 0; i < 450; i++) await insert.run(`m${i}`, T0, T0);
    });
    await runDay(t, clock, 0);
    const bySegment = async () => t.app.store.sql.prepare('SELECT segment, since_day, COUNT(*) AS n FROM member_segments GROUP BY segment, since_day ORDER BY segment').all();
    expect(await bySegment()).toEqual([{ segment: 'new', since_day: dayOf(0), n: 451 }]);
    // A week later, nobody having said a word, all of them went silent on the same day.
    await runDay(t, clock, 7);
    expect(await pairs(t, 7)).toEqual(['new>silent:451']);
    expect(await bySegment()).toEqual([{ segment: 'silent', since_day: dayOf(7), n: 451 }]);
  });

  it('says it in English for an English community', async () => {
    const clock = new FixedClock(new Date(T0 - 20 * DAY));
    const t = await app({ clock, config: { community: { overrides: { 'playground:demo': { locale: 'en' } } } } });
    for (const u of ['admin', 'back']) await chatter(t, u, 'hello world');
    await activeOn(t, 'admin', [-6, -5, -4, -3, -2, -1, 0, 1]);
    await runDay(t, clock, 0);
    await activeOn(t, 'back', [1]);
    await runDay(t, clock, 1);
    expect(await t.chat.say('admin', '/stats members')).toContain('Last 7 days: 1 silent member(s) came back, 0 new member(s) became active, 0 active member(s) went silent.');
  });
});
