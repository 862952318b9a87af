import type { Sql } from '../../store/sql.js';
import type { deliveries } from './schema.js';
import type { RowOf } from '../../store/rows.js';
import type { Reply } from '../reply.js';

/** A `SELECT *` row of deliveries (its type follows the table's definition). */
export type DeliveryRow = RowOf<typeof deliveries>;

export function createOutboxRepo(sql: Sql) {
  const insert = sql.prepare<[number, string, string, string, string | null, string | null, number], { id: number }>(
    `INSERT INTO deliveries (community_id, dedupe_key, source, reply_json, recipient, fallback_json, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
  );
  const byKey = sql.prepare<[string], { id: number }>('SELECT id FROM deliveries WHERE dedupe_key = ?');
  const get = sql.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE id = ?');
  // Each outcome counts its attempt: one commit per send instead of one before and one after.
  const sent = sql.prepare<[number, number]>("UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL, attempts = attempts + 1 WHERE id = ? AND status <> 'sent'");
  const retry = sql.prepare<[string, number]>("UPDATE deliveries SET status = 'pending', last_error = ?, attempts = attempts + 1 WHERE id = ? AND status = 'pending'");
  const failed = sql.prepare<[string, number]>("UPDATE deliveries SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ? AND status <> 'sent'");
  const open = sql.prepare<[], { id: number }>("SELECT id FROM deliveries WHERE status = 'pending' ORDER BY id");
  const latestBySource = sql.prepare<[string], DeliveryRow>('SELECT * FROM deliveries WHERE source = ? ORDER BY id DESC LIMIT 1');
  const pendingByPlatform = sql.prepare<[], { platform: string; count: number }>(
    "SELECT c.platform AS platform, COUNT(*) AS count FROM deliveries d JOIN communities c ON c.id = d.community_id WHERE d.status IN ('pending', 'sending') GROUP BY c.platform",
  );
  return {
    /** The delivery's id; an existing one when the key was used before. Returns [id, created]. */
    async insert(communityId: number, key: string, source: string, reply: Reply, at: number, direct?: { recipient: string; fallback: Reply }): Promise<[number, boolean]> {
      const row = await insert.get(communityId, key, source, JSON.stringify(reply), direct?.recipient ?? null, direct ? JSON.stringify(direct.fallback) : null, at);
      if (row) return [row.id, true];
      return [((await byKey.get(key)) as { id: number }).id, false];
    },
    get: (id: number) => get.get(id),
    markSent: (id: number, at: number) => sent.run(at, id),
    markRetry: (id: number, error: string) => retry.run(error, id),
    markFailed: (id: number, error: string) => failed.run(error, id),
    openIds: async () => (await open.all()).map((r) => r.id),
    latestBySource: (source: string) => latestBySource.get(source),
    /** Deliveries not yet sent, by platform (the outbox depth in /metrics). */
    pendingByPlatform: () => pendingByPlatform.all(),
  };
}

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
