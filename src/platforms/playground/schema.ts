import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Bot posts delivered to the playground (announcements, scheduled posts, results): its "channel". */
export const playgroundPosts = sqliteTable(
  'playground_posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: text('community_id').notNull(),
    replyJson: text('reply_json').notNull(),
    createdAt: integer('created_at').notNull(),
    /** The outbox delivery it came from: a delivery sent again after a crash posts once. */
    deliveryId: integer('delivery_id'),
  },
  (t) => [index('playground_posts_community').on(t.communityId, t.id), uniqueIndex('playground_posts_delivery').on(t.deliveryId)],
);
