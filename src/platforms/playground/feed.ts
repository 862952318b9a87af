import type { Sql } from '../../store/sql.js';
import type { Reply } from '../../core/reply.js';

export interface FeedPost {
  id: number;
  at: string;
  reply: Reply;
}

/** The playground's channel: bot-initiated posts land here and the page polls them. */
export function createPlaygroundFeed(sql: Sql) {
  const insert = sql.prepare<[string, string, number, number | null], { id: number }>(
    'INSERT INTO playground_posts (community_id, reply_json, created_at, delivery_id) VALUES (?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING RETURNING id',
  );
  const list = sql.prepare<[string, number, number], { id: number; reply_json: string; created_at: number }>(
    'SELECT id, reply_json, created_at FROM playground_posts WHERE community_id = ? AND id > ? ORDER BY id LIMIT ?',
  );
  return {
    /** Posts once per delivery: the post's id, or undefined when this delivery was posted before. */
    post: async (communityId: string, reply: Reply, at: Date, deliveryId?: number): Promise<number | undefined> =>
      (await insert.get(communityId, JSON.stringify(reply), at.getTime(), deliveryId ?? null))?.id,
    list: async (communityId: string, afterId = 0, limit = 200): Promise<FeedPost[]> =>
      (await list.all(communityId, afterId, limit)).map((r) => ({ id: r.id, at: new Date(r.created_at).toISOString(), reply: JSON.parse(r.reply_json) as Reply })),
  };
}

export type PlaygroundFeed = ReturnType<typeof createPlaygroundFeed>;
