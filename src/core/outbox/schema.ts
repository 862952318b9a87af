import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { communities } from '../identity/schema.js';

/**
 * Bot-initiated posts waiting for, or done with, delivery. Written in the
 * same transaction as the thing that caused them; `dedupe_key` makes a
 * re-run of that thing post once.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    dedupeKey: text('dedupe_key').notNull().unique(),
    source: text('source').notNull(),
    replyJson: text('reply_json').notNull(),
    /** A direct message to this platform user id, where the platform's sender can send one. */
    recipient: text('recipient'),
    /** What to post in the community instead when no direct message can be sent. */
    fallbackJson: text('fallback_json'),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [index('deliveries_status').on(t.status, t.id), index('deliveries_source').on(t.source, t.id), index('deliveries_community_created').on(t.communityId, t.createdAt)],
);
