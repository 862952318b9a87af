import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';

/**
 * What the job runtime knows of each recurring timer (BullMQ job scheduler):
 * when it was first armed and the latest tick that ran, so a tick that fell
 * while no worker was running can be found and fired once, late.
 */
export const timerSchedulers = sqliteTable('timer_schedulers', {
  id: text('id').primaryKey(),
  armedAt: integer('armed_at').notNull(),
  /** The cron time (not the run time) of the latest tick that ran or was handed to the catch-up. */
  lastTickAt: integer('last_tick_at'),
});
