// `npm run db:generate [-- --name=<tag>]`: drizzle-kit writes the next migration
// for SQLite (migrations/sqlite) and for PostgreSQL (migrations/postgres) from
// the same table definitions (src/**/schema.ts; drizzle/postgres-schema.ts maps
// them to pg-core). Arguments are passed to both drizzle-kit runs.
//
// drizzle-kit qualifies PostgreSQL references with "public".; the migrations
// must apply to whichever schema is first on search_path (each test app has a
// schema of its own), so the qualifier is dropped from the written SQL. The
// snapshots (meta/*.json) are drizzle-kit's own and stay as written.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const drizzleKit = join(root, 'node_modules/drizzle-kit/bin.cjs');
const args = process.argv.slice(2);

let failed = false;
for (const config of ['drizzle.sqlite.config.ts', 'drizzle.postgres.config.ts']) {
  process.stdout.write(`db:generate: ${config}\n`);
  // drizzle-kit exits 0 even when it fails; what it writes to stderr is the error.
  const run = spawnSync(process.execPath, [drizzleKit, 'generate', '--config', config, ...args], { cwd: root, stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' });
  if (run.stderr) process.stderr.write(run.stderr);
  if (run.status !== 0 || run.stderr.trim() !== '') {
    process.stderr.write(`db:generate: drizzle-kit failed for ${config}\n`);
    failed = true;
  }
}

const postgres = join(root, 'migrations/postgres');
for (const file of readdirSync(postgres).filter((f) => f.endsWith('.sql'))) {
  const path = join(postgres, file);
  const sql = readFileSync(path, 'utf8');
  const unqualified = sql.replaceAll('"public".', '');
  if (unqualified !== sql) {
    writeFileSync(path, unqualified);
    process.stdout.write(`db:generate: dropped "public". from migrations/postgres/${file}\n`);
  }
}

if (failed) process.exit(1);
