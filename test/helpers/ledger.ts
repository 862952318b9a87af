/** The points ledger invariant, checked on any qunbot database (either engine). */
import type { Sql } from '../../src/store/sql.js';

/** Members whose cached balance is not the sum of their ledger rows (the ledger invariant). */
export function ledgerMismatches(sql: Sql): Promise<unknown[]> {
  return sql
    .prepare(
      `SELECT p.member_id, p.balance, t.total FROM member_points p
       LEFT JOIN (SELECT member_id, SUM(delta) AS total FROM points_ledger GROUP BY member_id) t ON t.member_id = p.member_id
       WHERE p.balance != COALESCE(t.total, 0)`,
    )
    .all();
}
