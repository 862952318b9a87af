import { defineConfig } from 'drizzle-kit';

// Every table is defined once, next to its feature, with drizzle's sqlite-core;
// drizzle-kit finds them by glob. PostgreSQL's migrations come from the same
// definitions (drizzle.postgres.config.ts).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/**/schema.ts',
  out: './migrations/sqlite',
});
