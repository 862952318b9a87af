import { sqliteTable, integer, text, primaryKey, index } from 'drizzle-orm/sqlite-core';

/**
 * Each member's current command window (core/ratelimit): when it started, how
 * many commands it holds, and whether the member was told to slow down. In
 * the database, in the command's unit of work, so that every gateway process
 * on this database counts the same window. Keyed like inbound deliveries
 * (platform, community external id, author's platform user id): the excess is
 * refused before the community or member is resolved, so it writes nothing else.
 */
export const commandWindows = sqliteTable(
  'command_windows',
  {
    platform: text('platform').notNull(),
    community: text('community').notNull(),
    actor: text('actor').notNull(),
    windowStart: integer('window_start').notNull(),
    count: integer('count').notNull(),
    noticed: integer('noticed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.platform, t.community, t.actor] }), index('command_windows_start').on(t.windowStart)],
);
