/** Ledger, balances and period earnings; prepared once, used inside the command's transaction. */
import type { Sql } from '../../store/sql.js';

export type LedgerKind = 'earn' | 'spend' | 'adjust';

export interface BoardRow {
  member_id: number;
  display_name: string;
  points: number;
  /** All-time earnings (the level, for the badge). */
  earned: number;
}

export function createPointsRepo(sql: Sql) {
  const insertLedger = sql.prepare<[number, number, number, LedgerKind, string, string | null, string, number | null, string, number]>(
    `INSERT INTO points_ledger (community_id, member_id, delta, kind, reason, ref, idem_key, actor_member_id, day, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
  );
  const getPoints = sql.prepare<[number], { balance: number; earned: number }>('SELECT balance, earned FROM member_points WHERE member_id = ?');
  // Before a change: locked on PostgreSQL, so a spend never reads a balance another unit is changing
  // (SQLite runs one unit at a time).
  const lockPoints = sql.prepare<[number], { balance: number; earned: number }>({
    sqlite: 'SELECT balance, earned FROM member_points WHERE member_id = ?',
    postgres: 'SELECT balance, earned FROM member_points WHERE member_id = ? FOR UPDATE',
  });
  const upsertPoints = sql.prepare<[number, number, number, number, number]>(
    `INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET balance = member_points.balance + excluded.balance, earned = member_points.earned + excluded.earned, updated_at = excluded.updated_at`,
  );
  const upsertPeriod = sql.prepare<[number, string, number, number]>(
    `INSERT INTO points_periods (community_id, period, member_id, earned) VALUES (?, ?, ?, ?)
     ON CONFLICT (community_id, period, member_id) DO UPDATE SET earned = points_periods.earned + excluded.earned`,
  );
  const top = sql.prepare<[number, number], BoardRow>(
    `SELECT p.member_id, m.display_name, p.earned AS points, p.earned AS earned FROM member_points p JOIN members m ON m.id = p.member_id
     WHERE p.community_id = ? ORDER BY p.earned DESC, p.member_id ASC LIMIT ?`,
  );
  const rank = sql.prepare<[number, number], { ahead: number }>('SELECT COUNT(*) AS ahead FROM member_points WHERE community_id = ? AND earned > ?');
  const periodTop = sql.prepare<[number, string, number], BoardRow>(
    `SELECT p.member_id, m.display_name, p.earned AS points, COALESCE(mp.earned, 0) AS earned FROM points_periods p JOIN members m ON m.id = p.member_id
     LEFT JOIN member_points mp ON mp.member_id = p.member_id WHERE p.community_id = ? AND p.period = ? ORDER BY p.earned DESC, p.member_id ASC LIMIT ?`,
  );
  const periodOf = sql.prepare<[number, string, number], { earned: number }>('SELECT earned FROM points_periods WHERE community_id = ? AND period = ? AND member_id = ?');
  const periodRank = sql.prepare<[number, string, number], { ahead: number }>('SELECT COUNT(*) AS ahead FROM points_periods WHERE community_id = ? AND period = ? AND earned > ?');
  const ledgerSum = sql.prepare<[number], { balance: number | null; earned: number | null }>(
    "SELECT SUM(delta) AS balance, SUM(CASE WHEN kind <> 'spend' THEN delta ELSE 0 END) AS earned FROM points_ledger WHERE member_id = ?",
  );

  return {
    /** False when the idempotency key was used before (nothing written). */
    async insertLedger(e: { communityId: number; memberId: number; delta: number; kind: LedgerKind; reason: string; ref: string | null; key: string; actorMemberId: number | null; day: string; at: number }): Promise<boolean> {
      return (await insertLedger.run(e.communityId, e.memberId, e.delta, e.kind, e.reason, e.ref, e.key, e.actorMemberId, e.day, e.at)) === 1;
    },
    points: async (memberId: number) => (await getPoints.get(memberId)) ?? { balance: 0, earned: 0 },
    /** The balance a change starts from, its row locked until the unit commits. */
    pointsForChange: async (memberId: number) => (await lockPoints.get(memberId)) ?? { balance: 0, earned: 0 },
    addToBalance: (memberId: number, communityId: number, dBalance: number, dEarned: number, at: number) => upsertPoints.run(memberId, communityId, dBalance, dEarned, at),
    addToPeriod: (communityId: number, period: string, memberId: number, dEarned: number) => upsertPeriod.run(communityId, period, memberId, dEarned),
    top: (communityId: number, limit: number) => top.all(communityId, limit),
    rank: async (communityId: number, earned: number) => ((await rank.get(communityId, earned))?.ahead ?? 0) + 1,
    periodTop: (communityId: number, period: string, limit: number) => periodTop.all(communityId, period, limit),
    periodEarned: async (communityId: number, period: string, memberId: number) => (await periodOf.get(communityId, period, memberId))?.earned,
    periodRank: async (communityId: number, period: string, earned: number) => ((await periodRank.get(communityId, period, earned))?.ahead ?? 0) + 1,
    async ledgerSum(memberId: number): Promise<{ balance: number; earned: number }> {
      const row = await ledgerSum.get(memberId);
      return { balance: row?.balance ?? 0, earned: row?.earned ?? 0 };
    },
  };
}

export type PointsRepo = ReturnType<typeof createPointsRepo>;
