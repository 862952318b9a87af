/**
 * Leaderboards at 100k members: `PointsService.board` for all-time
 * (member_points by earned) and week/month (points_periods), for a member
 * near the top and one in the middle (the caller's rank is a COUNT over the
 * members ahead, so its cost grows with the rank), plus `/leaderboard week`
 * end to end through the router (one write transaction per delivery).
 */
import { FixedClock } from '../src/core/clock.js';
import { monthKey, weekKey } from '../src/core/community-day.js';
import type { Period } from '../src/features/points/service.js';
import { sqliteOf, type Sqlite } from '../src/store/db.js';
import { chatEvent, openBenchApp } from './bench-app.js';
import { nowNs, prng, timeCalls, type BenchModule, type BenchRow } from './harness.js';

const AT = '2026-11-23T04:00:00.000Z';
const PLATFORM = 'playground';
const COMMUNITY = 'board';
const BOARD_SIZE = 10;

interface Seeded {
  communityId: number;
  members: number;
  seconds: number;
}

export const leaderboardBench: BenchModule = {
  name: 'leaderboard',
  description: 'PointsService.board all/week/month at 100k members (top and middle rank), /leaderboard week via the router',
  async run(ctx) {
    const members = ctx.quick ? 10_000 : 100_000;
    const budgetMs = ctx.quick ? 500 : 3_000;
    // The per-member command limit (on by default) would refuse the repeated /leaderboard calls being timed.
    const bench = (await openBenchApp(ctx, { clock: new FixedClock(AT), config: { rateLimit: { commands: null } } }));
    try {
      const { app } = bench;
      const day = '2026-11-23';
      const keys: Record<Period, string> = { all: 'all', week: weekKey(day), month: monthKey(day) };
      const seeded = seed(sqliteOf(app.store), members, keys.week, keys.month, Date.parse(AT));
      ctx.log(`seeded ${members.toLocaleString('en-US')} members in ${seeded.seconds.toFixed(2)} s`);
      const sync = app.appConfig.config.database.synchronous;
      const rows: BenchRow[] = [
        {
          name: `seed ${members.toLocaleString('en-US')} members`,
          value: seeded.seconds,
          unit: 's',
          note: 'raw inserts in 1 txn: members, accounts, member_points, week + month points_periods',
          data: { plans: plans(sqliteOf(app.store), seeded.communityId, keys.week) },
        },
      ];

      const positions = [
        { label: 'top', offset: 9 },
        { label: 'middle', offset: Math.floor(members / 2) },
      ];
      const picked: Record<string, { memberId: number; userId: string; name: string }> = {};
      for (const period of ['all', 'week', 'month'] as const) {
        for (const pos of positions) {
          const memberId = memberAt(sqliteOf(app.store), seeded.communityId, period, keys[period], pos.offset);
          const probe = (await app.points.board(seeded.communityId, period, day, memberId, BOARD_SIZE));
          if (!probe.me || probe.rows.length !== BOARD_SIZE) throw new Error(`board(${period}) returned ${JSON.stringify(probe)}`);
          const r = await timeCalls(() => app.points.board(seeded.communityId, period, day, memberId, BOARD_SIZE), { warmup: 50, maxCalls: 2_000, budgetMs, minCalls: 200 });
          ctx.log(`board(${period}) ${pos.label} rank ${probe.me.rank}: p50 ${r.p50Us.toFixed(1)} µs, p99 ${r.p99Us.toFixed(1)} µs over ${r.n}`);
          rows.push({
            name: `board(${period}) ${pos.label}, rank ${probe.me.rank.toLocaleString('en-US')}`,
            value: r.n / (r.totalMs / 1e3),
            unit: 'q/s',
            p50Us: r.p50Us,
            p99Us: r.p99Us,
            n: r.n,
            note: `top ${BOARD_SIZE} + my rank (COUNT over ${(probe.me.rank - 1).toLocaleString('en-US')} ahead)`,
            data: { ...r, memberId, rank: probe.me.rank, points: probe.me.points, periodKey: probe.periodKey },
          });
          if (period === 'week') picked[pos.label] = { memberId, ...accountOf(sqliteOf(app.store), memberId) };
        }
      }

      // End to end: parse, claim the delivery, resolve member, board, render, store the reply, commit.
      let delivery = 0;
      for (const pos of positions) {
        const who = picked[pos.label];
        if (!who) continue;
        const send = async () => {
          const result = await app.router.handle(chatEvent(COMMUNITY, who.userId, who.name, '/leaderboard week', `lb-${delivery++}`));
          const reply = result.replies[0];
          if (result.duplicate || !reply || reply.ephemeral || !reply.title) throw new Error(`/leaderboard week failed: ${JSON.stringify(result)}`);
        };
        const r = await timeCalls(send, { warmup: 20, maxCalls: 2_000, budgetMs, minCalls: 100 });
        ctx.log(`/leaderboard week ${pos.label}: p50 ${r.p50Us.toFixed(1)} µs, p99 ${r.p99Us.toFixed(1)} µs over ${r.n}`);
        rows.push({
          name: `/leaderboard week via router, ${pos.label}`,
          value: r.n / (r.totalMs / 1e3),
          unit: 'ops/s',
          p50Us: r.p50Us,
          p99Us: r.p99Us,
          n: r.n,
          note: `await router.handle; 1 write txn each, sync=${sync.toUpperCase()}`,
          data: { ...r, memberId: who.memberId },
        });
      }
      return rows;
    } finally {
      await bench.close();
    }
  },
};

/**
 * Members with a realistic spread: activity is skewed (few very active, many
 * occasional), all-time earnings follow from days checked in plus streak
 * bonuses and rare grants; every member earned something this week and
 * this month, with many ties (a week has few distinct totals).
 */
function seed(sqlite: Sqlite, n: number, week: string, month: string, at: number): Seeded {
  const start = nowNs();
  const rnd = prng(20261123);
  const communityId = (sqlite.prepare('INSERT INTO communities (platform, external_id, name, created_at) VALUES (?, ?, ?, ?) RETURNING id').get(PLATFORM, COMMUNITY, '', at) as { id: number }).id;
  const member = sqlite.prepare<[number, string, number, number], { id: number }>('INSERT INTO members (community_id, display_name, joined_at, created_at) VALUES (?, ?, ?, ?) RETURNING id');
  const account = sqlite.prepare<[number, number, string, string]>('INSERT INTO member_accounts (member_id, community_id, platform, platform_user_id) VALUES (?, ?, ?, ?)');
  const points = sqlite.prepare<[number, number, number, number, number]>('INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) VALUES (?, ?, ?, ?, ?)');
  const period = sqlite.prepare<[number, string, number, number]>('INSERT INTO points_periods (community_id, period, member_id, earned) VALUES (?, ?, ?, ?)');
  const earnedFor = (days: number) => days * 10 + (days >= 3 ? 5 : 0) + (days >= 7 ? 20 : 0);
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = (member.get(communityId, `Member ${i}`, at, at) as { id: number }).id;
      account.run(id, communityId, PLATFORM, `u${i}`);
      const activity = rnd() ** 2.5;
      const totalDays = 1 + Math.floor(activity * 400);
      const grants = rnd() < 0.05 ? Math.floor(rnd() * 500) : 0;
      const earned = totalDays * 10 + Math.floor(totalDays / 7) * 20 + Math.floor(totalDays / 30) * 100 + grants;
      const spent = rnd() < 0.1 ? Math.floor(earned * rnd() * 0.5) : 0;
      points.run(id, communityId, earned - spent, earned, at);
      const monthDays = Math.max(1, Math.round(Math.min(totalDays, 23) * (0.3 + 0.7 * rnd())));
      const weekDays = Math.max(1, Math.round(Math.min(monthDays, 7) * rnd()));
      period.run(communityId, month, id, earnedFor(monthDays) + (grants > 0 ? Math.floor(grants / 2) : 0));
      period.run(communityId, week, id, earnedFor(weekDays) + (rnd() < 0.05 ? Math.floor(rnd() * 50) : 0));
    }
  })();
  return { communityId, members: n, seconds: (nowNs() - start) / 1e9 };
}

/** The member at a 0-based position of a board, in the board's own order. */
function memberAt(sqlite: Sqlite, communityId: number, period: Period, key: string, offset: number): number {
  const row =
    period === 'all'
      ? sqlite.prepare('SELECT member_id FROM member_points WHERE community_id = ? ORDER BY earned DESC, member_id ASC LIMIT 1 OFFSET ?').get(communityId, offset)
      : sqlite.prepare('SELECT member_id FROM points_periods WHERE community_id = ? AND period = ? ORDER BY earned DESC, member_id ASC LIMIT 1 OFFSET ?').get(communityId, key, offset);
  if (!row) throw new Error(`no member at offset ${offset} of board ${period}`);
  return (row as { member_id: number }).member_id;
}

/** The platform account and name of a seeded member, so the router resolves the actor to it without a rename. */
function accountOf(sqlite: Sqlite, memberId: number): { userId: string; name: string } {
  const row = sqlite
    .prepare('SELECT a.platform_user_id AS userId, m.display_name AS name FROM members m JOIN member_accounts a ON a.member_id = m.id WHERE m.id = ?')
    .get(memberId) as { userId: string; name: string } | undefined;
  if (!row) throw new Error(`member ${memberId} has no account`);
  return row;
}

/** Query plans of the board statements (copied from src/features/points/repo.ts), for the JSON file. */
function plans(sqlite: Sqlite, communityId: number, week: string): Record<string, string[]> {
  const explain = (q: string, ...params: unknown[]) => (sqlite.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
  return {
    top: explain('SELECT p.member_id, m.display_name, p.earned AS points FROM member_points p JOIN members m ON m.id = p.member_id WHERE p.community_id = ? ORDER BY p.earned DESC, p.member_id ASC LIMIT ?', communityId, BOARD_SIZE),
    rank: explain('SELECT COUNT(*) AS ahead FROM member_points WHERE community_id = ? AND earned > ?', communityId, 100),
    periodTop: explain(
      'SELECT p.member_id, m.display_name, p.earned AS points FROM points_periods p JOIN members m ON m.id = p.member_id WHERE p.community_id = ? AND p.period = ? ORDER BY p.earned DESC, p.member_id ASC LIMIT ?',
      communityId,
      week,
      BOARD_SIZE,
    ),
    periodRank: explain('SELECT COUNT(*) AS ahead FROM points_periods WHERE community_id = ? AND period = ? AND earned > ?', communityId, week, 30),
  };
}
