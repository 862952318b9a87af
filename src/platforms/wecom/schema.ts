import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';

/** The group-robot webhook key bound to a WeCom group (`/bind`), and whether WeCom still accepts it. */
export const wecomWebhooks = sqliteTable('wecom_webhooks', {
  chatId: text('chat_id').primaryKey(),
  webhookKey: text('webhook_key').notNull(),
  /** 'ok' or 'broken' (errcode 93000: the robot was removed or the key is wrong). */
  status: text('status').notNull(),
  boundBy: text('bound_by'),
  updatedAt: integer('updated_at').notNull(),
  lastError: text('last_error'),
});
