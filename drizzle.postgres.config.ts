import { defineConfig } from 'drizzle-kit';

// The same tables as drizzle.sqlite.config.ts, mapped to pg-core by
// drizzle/pg-from-sqlite.ts. Generate with `npm run db:generate` (it also
// drops drizzle-kit's "public". qualifiers, so the migrations apply to
// whichever schema is first on search_path).
export default defineConfig({
  dialect: 'postgresql',
  schema: './drizzle/postgres-schema.ts',
  out: './migrations/postgres',
});
