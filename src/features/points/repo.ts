/** Ledger, balances and period earnings; prepared once, used inside the command's transaction. */
import type { Sqlite } from '../../store/db.js';

export type LedgerKind = 'earn' | 'spend' | 'adjust';

export interface BoardRow {
  member_id: number;
  display_name: string;
  points: number;
}

export function createPointsRepo(sqlite: Sqlite) {
  const insertLedger = sqlite.prepare<[number, number, number, LedgerKind, string, string | null, string, number | null, string, number]>(
    `INSERT INTO points_ledger (community_id, member_id, delta, kind, reason, ref, idem_key, actor_member_id, day, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
  );
  const getPoints = sqlite.prepare<[number], { balance: number; earned: number }>('SELECT balance, earned FROM member_points WHERE member_id = ?');
  const upsertPoints = sqlite.prepare<[number, number, number, number, number]>(
    `INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET balance = balance + excluded.balance, earned = earned + excluded.earned, updated_at = excluded.updated_at`,
  );
  const upsertPeriod = sqlite.prepare<[number, string, number, number]>(
    `INSERT INTO points_periods (community_id, period, member_id, earned) VALUES (?, ?, ?, ?)
     ON CONFLICT (community_id, period, member_id) DO UPDATE SET earned = earned + excluded.earned`,
  );
  const top = sqlite.prepare<[number, number], BoardRow>(
    `SELECT p.member_id, m.display_name, p.earned AS points FROM member_points p JOIN members m ON m.id = p.member_id
     WHERE p.community_id = ? ORDER BY p.earned DESC, p.member_id ASC LIMIT ?`,
  );
  const rank = sqlite.prepare<[number, number], { ahead: number }>('SELECT COUNT(*) AS ahead FROM member_points WHERE community_id = ? AND earned > ?');
  const periodTop = sqlite.prepare<[number, string, number], BoardRow>(
    `SELECT p.member_id, m.display_name, p.earned AS points FROM points_periods p JOIN members m ON m.id = p.member_id
     WHERE p.community_id = ? AND p.period = ? ORDER BY p.earned DESC, p.member_id ASC LIMIT ?`,
  );
  const periodOf = sqlite.prepare<[number, string, number], { earned: number }>('SELECT earned FROM points_periods WHERE community_id = ? AND period = ? AND member_id = ?');
  const periodRank = sqlite.prepare<[number, string, number], { ahead: number }>('SELECT COUNT(*) AS ahead FROM points_periods WHERE community_id = ? AND period = ? AND earned > ?');
  const ledgerSum = sqlite.prepare<[number], { balance: number | null; earned: number | null }>(
    "SELECT SUM(delta) AS balance, SUM(CASE WHEN kind <> 'spend' THEN delta ELSE 0 END) AS earned FROM points_ledger WHERE member_id = ?",
  );

  return {
    /** False when the idempotency key was used before (nothing written). */
    insertLedger(e: { communityId: number; memberId: number; delta: number; kind: LedgerKind; reason: string; ref: string | null; key: string; actorMemberId: number | null; day: string; at: number }): boolean {
      return insertLedger.run(e.communityId, e.memberId, e.delta, e.kind, e.reason, e.ref, e.key, e.actorMemberId, e.day, e.at).changes === 1;
    },
    points: (memberId: number) => getPoints.get(memberId) ?? { balance: 0, earned: 0 },
    addToBalance: (memberId: number, communityId: number, dBalance: number, dEarned: number, at: number) => void upsertPoints.run(memberId, communityId, dBalance, dEarned, at),
    addToPeriod: (communityId: number, period: string, memberId: number, dEarned: number) => void upsertPeriod.run(communityId, period, memberId, dEarned),
    top: (communityId: number, limit: number) => top.all(communityId, limit),
    rank: (communityId: number, earned: number) => (rank.get(communityId, earned)?.ahead ?? 0) + 1,
    periodTop: (communityId: number, period: string, limit: number) => periodTop.all(communityId, period, limit),
    periodEarned: (communityId: number, period: string, memberId: number) => periodOf.get(communityId, period, memberId)?.earned,
    periodRank: (communityId: number, period: string, earned: number) => (periodRank.get(communityId, period, earned)?.ahead ?? 0) + 1,
    ledgerSum(memberId: number): { balance: number; earned: number } {
      const row = ledgerSum.get(memberId);
      return { balance: row?.balance ?? 0, earned: row?.earned ?? 0 };
    },
  };
}

export type PointsRepo = ReturnType<typeof createPointsRepo>;
