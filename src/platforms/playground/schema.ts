import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';

/** Bot posts delivered to the playground (announcements, scheduled posts, results): its "channel". */
export const playgroundPosts = sqliteTable(
  'playground_posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: text('community_id').notNull(),
    replyJson: text('reply_json').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('playground_posts_community').on(t.communityId, t.id)],
);
