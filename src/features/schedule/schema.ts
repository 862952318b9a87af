import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * Announcements and scheduled posts (the content calendar). SQLite is the
 * source of truth: a one-off's due time and status, a recurring post's cron
 * and timezone. BullMQ only times them (`post-<id>`, `schedule-<id>`).
 */
export const scheduledPosts = sqliteTable(
  'scheduled_posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    kind: text('kind', { enum: ['once', 'cron'] }).notNull(),
    cron: text('cron'),
    timezone: text('timezone').notNull(),
    dueAt: integer('due_at'),
    text: text('text').notNull(),
    promo: integer('promo', { mode: 'boolean' }).notNull().default(false),
    /** `skipped`: a one-off that was over the daily cap when it fired. */
    status: text('status', { enum: ['active', 'paused', 'done', 'skipped', 'removed'] }).notNull(),
    createdBy: integer('created_by').references(() => members.id),
    createdAt: integer('created_at').notNull(),
    lastRunAt: integer('last_run_at'),
    runs: integer('runs').notNull().default(0),
    /** Firings not posted because the community day was at its cap (`posts.dailyCap`). */
    skips: integer('skips').notNull().default(0),
    lastSkippedAt: integer('last_skipped_at'),
  },
  (t) => [index('scheduled_posts_community').on(t.communityId, t.status), index('scheduled_posts_status').on(t.status, t.kind)],
);

/** One row per firing of a recurring post: a re-run of the same tick posts once. */
export const postRuns = sqliteTable(
  'post_runs',
  {
    postId: integer('post_id').notNull().references(() => scheduledPosts.id),
    runKey: text('run_key').notNull(),
    firedAt: integer('fired_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.runKey] })],
);
