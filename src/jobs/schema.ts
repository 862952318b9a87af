import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';

/**
 * This deployment's identity. One row, created on first start; its id is
 * part of the Redis key prefix, so processes on one database share their
 * queues and two databases on one Redis never do.
 */
export const deployment = sqliteTable('deployment', {
  /** Always 1: a single row. */
  id: integer('id').primaryKey(),
  instanceId: text('instance_id').notNull(),
  createdAt: integer('created_at').notNull(),
});

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
