/**
 * Inbound deliveries by dedupe key (DESIGN.md §2.2). The first delivery
 * claims the key inside the command's transaction; a retry finds it taken
 * and gets the stored reply instead of a second effect.
 */
import type { Sqlite } from '../../store/db.js';
import type { Reply } from '../reply.js';

export function createInboundRepo(sqlite: Sqlite) {
  const claim = sqlite.prepare<[string, string, number]>('INSERT INTO inbound_events (platform, delivery_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const save = sqlite.prepare<[string, string, string]>('UPDATE inbound_events SET reply_json = ? WHERE platform = ? AND delivery_id = ?');
  const load = sqlite.prepare<[string, string], { reply_json: string | null }>('SELECT reply_json FROM inbound_events WHERE platform = ? AND delivery_id = ?');
  const prune = sqlite.prepare<[number]>('DELETE FROM inbound_events WHERE received_at < ?');
  return {
    /** True when this delivery is new. */
    claim: (platform: string, deliveryId: string, now: number): boolean => claim.run(platform, deliveryId, now).changes === 1,
    saveReplies: (platform: string, deliveryId: string, replies: Reply[]): void => void save.run(JSON.stringify(replies), platform, deliveryId),
    /** The replies given to the first delivery; undefined while it is still being handled. */
    storedReplies(platform: string, deliveryId: string): Reply[] | undefined {
      const row = load.get(platform, deliveryId);
      return row?.reply_json ? (JSON.parse(row.reply_json) as Reply[]) : undefined;
    },
    pruneBefore: (cutoff: number): number => prune.run(cutoff).changes,
  };
}

export type InboundRepo = ReturnType<typeof createInboundRepo>;
