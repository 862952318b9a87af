/**
 * Inbound deliveries by dedupe key (DESIGN.md §2.2). The first delivery
 * claims the key inside the command's transaction; a retry finds it taken
 * and gets the stored reply instead of a second effect.
 *
 * A key is (platform, community, delivery id): platforms with client-chosen
 * ids (the playground) cannot reach another community's deliveries. The
 * author is kept with the key, so that a retry is told apart from another
 * member reusing the id.
 */
import type { Sql } from '../../store/sql.js';
import type { Reply } from '../reply.js';

/** Which delivery: the community is its external id (guild, chat, playground room). */
export interface DeliveryKey {
  platform: string;
  community: string;
  deliveryId: string;
}

export type Claim =
  | { kind: 'new' }
  /** Seen before from the same author: `replies` are the stored ones (undefined while the first is still being handled). */
  | { kind: 'retry'; replies: Reply[] | undefined }
  /** Seen before from another author: nothing of the first delivery may be shown. */
  | { kind: 'conflict' };

export function createInboundRepo(sql: Sql) {
  const claim = sql.prepare<[string, string, string, string, number]>(
    'INSERT INTO inbound_events (platform, community, delivery_id, actor, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const save = sql.prepare<[string, string, string, string]>('UPDATE inbound_events SET reply_json = ? WHERE platform = ? AND community = ? AND delivery_id = ?');
  const load = sql.prepare<[string, string, string], { actor: string; reply_json: string | null }>(
    'SELECT actor, reply_json FROM inbound_events WHERE platform = ? AND community = ? AND delivery_id = ?',
  );
  const prune = sql.prepare<[number]>('DELETE FROM inbound_events WHERE received_at < ?');
  return {
    /** Claims the key for `actor` (the author's platform user id), or says who had it. */
    async claim(key: DeliveryKey, actor: string, now: number): Promise<Claim> {
      if ((await claim.run(key.platform, key.community, key.deliveryId, actor, now)) === 1) return { kind: 'new' };
      const row = await load.get(key.platform, key.community, key.deliveryId);
      if (!row || row.actor !== actor) return { kind: 'conflict' };
      return { kind: 'retry', replies: row.reply_json ? (JSON.parse(row.reply_json) as Reply[]) : undefined };
    },
    saveReplies: (key: DeliveryKey, replies: Reply[]): Promise<number> => save.run(JSON.stringify(replies), key.platform, key.community, key.deliveryId),
    pruneBefore: (cutoff: number): Promise<number> => prune.run(cutoff),
  };
}

export type InboundRepo = ReturnType<typeof createInboundRepo>;
