import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';

/** Small process-wide values that must survive a restart (the playground's clock offset, the deployment's instance id), as JSON by key. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  valueJson: text('value_json').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
