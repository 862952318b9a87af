import type { Sqlite } from '../../store/db.js';
import type { StreakState } from './rules.js';

export function createCheckinRepo(sqlite: Sqlite) {
  const getStreak = sqlite.prepare<[number], { last_day: string; streak: number; best_streak: number; total: number; freezes: number }>(
    'SELECT last_day, streak, best_streak, total, freezes FROM checkin_streaks WHERE member_id = ?',
  );
  const putStreak = sqlite.prepare<[number, string, number, number, number, number]>(
    `INSERT INTO checkin_streaks (member_id, last_day, streak, best_streak, total, freezes) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET last_day = excluded.last_day, streak = excluded.streak, best_streak = excluded.best_streak,
       total = excluded.total, freezes = excluded.freezes`,
  );
  const insertCheckin = sqlite.prepare<[number, number, string, number, number, number, number, number]>(
    `INSERT INTO checkins (community_id, member_id, day, streak, points, rank_of_day, freezes_used, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, day) DO NOTHING`,
  );
  const bumpDay = sqlite.prepare<[number, string], { count: number }>(
    `INSERT INTO checkin_day_counts (community_id, day, count) VALUES (?, ?, 1)
     ON CONFLICT (community_id, day) DO UPDATE SET count = count + 1 RETURNING count`,
  );
  const addFreeze = sqlite.prepare<[number]>('UPDATE checkin_streaks SET freezes = freezes + 1 WHERE member_id = ?');

  return {
    streak(memberId: number): StreakState | undefined {
      const row = getStreak.get(memberId);
      return row ? { lastDay: row.last_day, streak: row.streak, bestStreak: row.best_streak, total: row.total, freezes: row.freezes } : undefined;
    },
    saveStreak: (memberId: number, s: StreakState) => void putStreak.run(memberId, s.lastDay, s.streak, s.bestStreak, s.total, s.freezes),
    /** False when this member already has a row for the day. */
    insertCheckin: (c: { communityId: number; memberId: number; day: string; streak: number; points: number; rank: number; freezesUsed: number; at: number }) =>
      insertCheckin.run(c.communityId, c.memberId, c.day, c.streak, c.points, c.rank, c.freezesUsed, c.at).changes === 1,
    /** The check-in's position in the community today (1 for the first). */
    nextRankOfDay: (communityId: number, day: string) => (bumpDay.get(communityId, day) as { count: number }).count,
    addFreeze: (memberId: number) => void addFreeze.run(memberId),
  };
}

export type CheckinRepo = ReturnType<typeof createCheckinRepo>;
