import type { Sql } from '../../store/sql.js';
import type { StreakState } from './rules.js';

export function createCheckinRepo(sql: Sql) {
  const getStreak = sql.prepare<[number], { last_day: string; streak: number; best_streak: number; total: number; freezes: number }>(
    'SELECT last_day, streak, best_streak, total, freezes FROM checkin_streaks WHERE member_id = ?',
  );
  const putStreak = sql.prepare<[number, string, number, number, number, number]>(
    `INSERT INTO checkin_streaks (member_id, last_day, streak, best_streak, total, freezes) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET last_day = excluded.last_day, streak = excluded.streak, best_streak = excluded.best_streak,
       total = excluded.total, freezes = excluded.freezes`,
  );
  const insertCheckin = sql.prepare<[number, number, string, number, number, number, number, number]>(
    `INSERT INTO checkins (community_id, member_id, day, streak, points, rank_of_day, freezes_used, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, day) DO NOTHING`,
  );
  const bumpDay = sql.prepare<[number, string], { count: number }>(
    `INSERT INTO checkin_day_counts (community_id, day, count) VALUES (?, ?, 1)
     ON CONFLICT (community_id, day) DO UPDATE SET count = checkin_day_counts.count + 1 RETURNING count`,
  );
  const addFreeze = sql.prepare<[number]>('UPDATE checkin_streaks SET freezes = freezes + 1 WHERE member_id = ?');

  return {
    async streak(memberId: number): Promise<StreakState | undefined> {
      const row = await getStreak.get(memberId);
      return row ? { lastDay: row.last_day, streak: row.streak, bestStreak: row.best_streak, total: row.total, freezes: row.freezes } : undefined;
    },
    saveStreak: (memberId: number, s: StreakState) => putStreak.run(memberId, s.lastDay, s.streak, s.bestStreak, s.total, s.freezes),
    /** False when this member already has a row for the day. */
    insertCheckin: async (c: { communityId: number; memberId: number; day: string; streak: number; points: number; rank: number; freezesUsed: number; at: number }) =>
      (await insertCheckin.run(c.communityId, c.memberId, c.day, c.streak, c.points, c.rank, c.freezesUsed, c.at)) === 1,
    /** The check-in's position in the community today (1 for the first). */
    nextRankOfDay: async (communityId: number, day: string) => ((await bumpDay.get(communityId, day)) as { count: number }).count,
    addFreeze: (memberId: number) => addFreeze.run(memberId),
  };
}

export type CheckinRepo = ReturnType<typeof createCheckinRepo>;
