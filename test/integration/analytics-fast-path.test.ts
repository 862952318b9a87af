/**
 * The rollups and /stats by SQL aggregates (stored days, today's row from
 * today's records and analytics_members) against the metric definitions
 * themselves (rules.ts over the whole raw history): the same numbers on a
 * history with joins, leaves and rejoins at any hour in a DST timezone with a
 * late day start, zero-count rows, check-ins and participations, and on a
 * WeCom community where active means interacted with the bot.
 */
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import { addDays, communityDay, dayStart, type Day } from '../../src/core/community-day.js';
import type { CommunityInfo } from '../../src/core/context.js';
import { measure, periodOf, previousPeriod, retention, rollupDays, type DailyRollup, type PeriodKind } from '../../src/features/analytics/rules.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { DAY, T0, at, chatter, join, leave, scriptedHistory } from '../helpers/analytics.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 }, analytics: { alerts: { enabled: false } } });
const KINDS: PeriodKind[] = ['today', 'week', 'month'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** What the definitions say, from the whole raw history. */
async function reference(t: TestApp, c: CommunityInfo, today: Day, first: Day) {
  const rules = await t.app.analytics.rules(c);
  const h = await t.app.analytics.history(c, addDays(first, -40), addDays(today, 40));
  const headline = Object.fromEntries(KINDS.map((kind) => {
    const period = periodOf(kind, today);
    return [kind, { current: measure(h, period, rules), previous: measure(h, previousPeriod(period), rules) }];
  }));
  return { headline, rollups: rollupDays(h, first, addDays(today, -1), rules), cohorts: retention(h, today, rules) };
}

async function fast(t: TestApp, c: CommunityInfo, today: Day) {
  const headline: Record<string, unknown> = {};
  for (const kind of KINDS) {
    const { current, previous } = await t.app.analytics.headline(c, kind, today);
    headline[kind] = { current, previous };
  }
  return { headline, cohorts: await t.app.analytics.cohorts(c, today) };
}

const stored = async (t: TestApp, communityId: number): Promise<DailyRollup[]> => t.app.analytics.rollups(communityId, '2000-01-01', '2999-12-31');

describe('the rollups and /stats by SQL aggregates give the numbers of the definitions', () => {
  it('on a random history in America/New_York with a 04:00 day start: before, while and after rolling up, and day by day after', async () => {
    const clock = new FixedClock('2026-11-20T15:00:00.000Z');
    const t = await app({ clock, config: { community: { overrides: { 'playground:ny': { timezone: 'America/New_York', dayStartHour: 4, locale: 'en' } } } } });
    const rules = { timezone: 'America/New_York', dayStartHour: 4 };
    const days = 75;
    const today = communityDay(clock.now(), rules);
    const first = addDays(today, -(days - 1));
    const db = t.app.store.sql;
    const cid = ((await db.prepare("INSERT INTO communities (platform, external_id, name, created_at) VALUES ('playground', 'ny', 'NY', ?) RETURNING id").get(dayStart(first, rules).getTime())) as { id: number }).id;
    const r = rng(13);
    const pick = (n: number): number => Math.floor(r() * n);
    // Any instant of a day, and often one within a few minutes of a day start (03:58 and 04:02 fall on different days).
    const instant = (d: number): number => dayStart(addDays(first, d), rules).getTime() + (r() < 0.3 ? (r() < 0.5 ? -1 : 1) * pick(5 * 60_000) + DAY : pick(DAY));
    const member = db.prepare('INSERT INTO members (community_id, display_name, joined_at, created_at, left_at) VALUES (?, ?, ?, ?, ?) RETURNING id');
    const event = db.prepare('INSERT INTO membership_events (community_id, member_id, kind, at) VALUES (?, ?, ?, ?)');
    const activity = db.prepare('INSERT INTO member_activity (community_id, member_id, day, messages, commands) VALUES (?, ?, ?, ?, ?)');
    const checkin = db.prepare('INSERT INTO checkins (community_id, member_id, day, streak, points, rank_of_day, freezes_used, created_at) VALUES (?, ?, ?, 1, 1, 1, 0, ?)');
    await db.prepare("INSERT INTO quiz_sessions (id, community_id, bank, bank_name, mode, locale, question_count, status, created_at) VALUES (1, ?, 'b', 'b', 'first', 'en', 1, 'finished', 0)").run(cid);
    const round = db.prepare("INSERT INTO quiz_rounds (id, session_id, n, question_id, question_json, seconds, status) VALUES (?, 1, ?, 'q', '{}', 30, 'closed')");
    const answer = db.prepare("INSERT INTO quiz_answers (round_id, member_id, text, correct, answered_at) VALUES (?, ?, 'B', 1, ?)");
    let rounds = 0;
    for (let i = 0; i < 40; i++) {
      const seen = instant(pick(days));
      const events: Array<{ kind: 'join' | 'leave'; at: number }> = [];
      if (r() < 0.7) events.push({ kind: 'join', at: seen });
      let when = seen;
      for (let k = 0; k < 3; k++) {
        when += pick(20) * DAY + pick(DAY);
        events.push({ kind: r() < 0.5 ? 'leave' : 'join', at: when });
      }
      // The member row keeps the latest leave (a member of the time before the log keeps it alone).
      const lastLeave = events.filter((e) => e.kind === 'leave').at(-1)?.at ?? null;
      const id = ((await member.get(cid, `m${i}`, seen, seen, lastLeave)) as { id: number }).id;
      if (i % 10 !== 9) for (const e of events) await event.run(cid, id, e.kind, e.at);
      for (let d = 0; d < days; d++) {
        const day = addDays(first, d);
        if (r() < 0.25) await activity.run(cid, id, day, r() < 0.5 ? 0 : pick(5), pick(3));
        if (r() < 0.1) await checkin.run(cid, id, day, instant(d));
        if (r() < 0.03) {
          rounds++;
          await round.run(rounds, rounds);
          await answer.run(rounds, id, instant(d));
        }
      }
    }
    const c = (await t.app.identity.communityById(cid)) as CommunityInfo;
    expect(c.timezone).toBe('America/New_York');

    // Nothing rolled up: every day computed on the fly.
    const ref = await reference(t, c, today, first);
    expect(await fast(t, c, today)).toEqual({ headline: ref.headline, cohorts: ref.cohorts });

    // Half rolled up (analytics_members built and rolled forward), the rest computed.
    await t.app.store.unit(() => t.app.analytics.rollupPending(c, new Date(dayStart(addDays(today, -30), rules).getTime() + 3600_000)));
    expect(await stored(t, cid)).toEqual(ref.rollups.filter((row) => row.day < addDays(today, -30)));
    expect(await fast(t, c, today)).toEqual({ headline: ref.headline, cohorts: ref.cohorts });

    // All rolled up: today from today's records and analytics_members.
    await t.app.store.unit(() => t.app.analytics.rollupPending(c, clock.now()));
    expect(await stored(t, cid)).toEqual(ref.rollups);
    expect(await fast(t, c, today)).toEqual({ headline: ref.headline, cohorts: ref.cohorts });

    // A day rolled up again (from the raw windows: analytics_members is ahead of it) gives its row again.
    await t.app.store.unit(() => t.app.analytics.rollup(c, addDays(today, -40), clock.now()));
    expect(await stored(t, cid)).toEqual(ref.rollups);

    // The next days, one maintenance run each: the same as the definitions on each new today.
    for (let d = 1; d <= 3; d++) {
      clock.set(new Date(clock.now().getTime() + DAY));
      const next = communityDay(clock.now(), rules);
      await t.app.jobs.run('analytics-daily', 0, { runKey: `day-${d}` });
      const later = await reference(t, c, next, first);
      expect(await stored(t, cid)).toEqual(later.rollups);
      expect(await fast(t, c, next)).toEqual({ headline: later.headline, cohorts: later.cohorts });
    }
  }, 180_000);

  it('on the scripted history and a WeCom group (active means interacted): /stats, the rollups and retention', async () => {
    const clock = new FixedClock(at(-100));
    const t = await app({ clock });
    const wecom = { platform: 'wecom' as const, externalId: 'wrFast', name: '企微群' };
    const inWecom = (user: string, text: string, type: ChatEvent['type'] = 'message') =>
      t.app.router.handle({ ...t.chat.event(user, text), community: wecom, addressed: true, type } as ChatEvent);
    await scriptedHistory(t, clock);
    for (let d = -45; d <= 0; d++) {
      clock.set(at(d, (d % 5) * 3600_000));
      if (d === -45) for (const u of ['w1', 'w2', 'w3', 'w4']) await inWecom(u, '', 'memberJoined');
      if (d % 2 === 0) await inWecom('w1', '签到');
      if (d % 3 === 0) await inWecom('w2', '@bot 你好');
      if (d === -20) await inWecom('w3', '', 'memberLeft');
      if (d === -10) await inWecom('w3', '', 'memberJoined');
      if (d >= -8 && d % 4 === 0) await inWecom('w3', '签到');
    }
    await chatter(t, 'u3');
    await join(t, 'late');
    await leave(t, 'u5');
    clock.set(T0);
    for (const id of [1, 2]) {
      const c = (await t.app.identity.communityById(id)) as CommunityInfo;
      const today = communityDay(T0, c);
      const first = communityDay(new Date((await t.app.store.sql.prepare('SELECT created_at FROM communities WHERE id = ?').get(id) as { created_at: number }).created_at), c);
      const ref = await reference(t, c, today, first);
      expect(await fast(t, c, today)).toEqual({ headline: ref.headline, cohorts: ref.cohorts });
      await t.app.store.unit(() => t.app.analytics.rollupPending(c, clock.now()));
      expect(await stored(t, id)).toEqual(ref.rollups);
      expect(await fast(t, c, today)).toEqual({ headline: ref.headline, cohorts: ref.cohorts });
    }
    expect(await t.app.analytics.seesAllMessages(2)).toBe(false);

    // Rows rolled up before the retention numerators were kept: the table comes from the raw records, and the next run fills them in.
    const c = (await t.app.identity.communityById(1)) as CommunityInfo;
    const cohorts = await t.app.analytics.cohorts(c, communityDay(T0, c));
    await t.app.store.sql.prepare('UPDATE analytics_daily SET retained1 = NULL, retained7 = NULL, retained30 = NULL').run();
    expect(await t.app.analytics.cohorts(c, communityDay(T0, c))).toEqual(cohorts);
    await t.app.jobs.run('analytics-daily', 0, { runKey: 'fill' });
    const filled = (await t.app.store.sql.prepare('SELECT day FROM analytics_daily WHERE community_id = 1 AND retained1 IS NOT NULL AND retained7 IS NOT NULL AND retained30 IS NOT NULL').all()) as Array<{ day: string }>;
    // The days of the 8 cohort weeks up to yesterday (Monday 2026-10-05 to Sunday 2026-11-22): what /stats retention reads.
    expect(filled.map((r) => r.day)).toEqual(Array.from({ length: 49 }, (_, i) => addDays('2026-10-05', i)));
    expect(await t.app.analytics.cohorts(c, communityDay(T0, c))).toEqual(cohorts);
  }, 180_000);
});

describe('pruning after the maintenance run', () => {
  it('runs in small units after the commit, goes on in the next run where it stopped, and leaves what pruning in one go leaves', async () => {
    const raw = async (t: TestApp) => ({
      activity: await t.app.store.sql.prepare('SELECT member_id, day, messages, commands FROM member_activity ORDER BY member_id, day').all(),
      events: await t.app.store.sql.prepare('SELECT member_id, kind, at FROM membership_events ORDER BY id').all(),
    });
    const config = { analytics: { rawRetainDays: 60 } };
    // One app prunes as the job does (all batches after the commit).
    const clockA = new FixedClock(at(-100));
    const a = await app({ clock: clockA, config });
    await scriptedHistory(a, clockA);
    await a.app.jobs.run('analytics-daily', 0, { runKey: 'a' });
    const whole = await raw(a);

    // The other runs the maintenance unit alone, then the batches by hand, 7 rows a unit.
    const clock = new FixedClock(at(-100));
    const t = await app({ clock, config });
    await scriptedHistory(t, clock);
    const c = (await t.app.identity.communityById(1)) as CommunityInfo;
    const before = await raw(t);
    const { value: run } = await t.app.store.unit((unit) => t.app.analytics.dailyFor(c, clock.now(), unit.afterCommit));
    expect(run.rawPrunedBefore).toBe(addDays(communityDay(T0, c), -60));
    // Committed, nothing deleted yet: the deletes wait for their own units.
    expect(await raw(t)).toEqual(before);
    expect(await t.app.analytics.pruneBatches(c, 1, 7)).toEqual({ deleted: 7, done: false });
    expect((await raw(t)).activity).toHaveLength(before.activity.length - 7);
    // A later run's batches go on to the end.
    let total = 7;
    for (let i = 0; i < 100; i++) {
      const step = await t.app.analytics.pruneBatches(c, 3, 7);
      total += step.deleted;
      if (step.done) break;
    }
    expect(total).toBe(before.activity.length + before.events.length - whole.activity.length - whole.events.length);
    expect(await raw(t)).toEqual(whole);
    expect(await t.app.analytics.pruneBatches(c, 3, 7)).toEqual({ deleted: 0, done: true });
  }, 180_000);
});
