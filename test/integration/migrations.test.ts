/**
 * Both migration folders follow the table definitions (src/**\/schema.ts), and
 * PostgreSQL's migrations build the same database as SQLite's: every table
 * and column with a compatible type, the same nullability, defaults and
 * identity keys, the same index names and foreign keys.
 *
 * The PostgreSQL half needs the run's database (test/setup/global-postgres.ts):
 * without one it skips, saying why, except in CI, where it fails.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgresConfig from '../../drizzle.postgres.config.js';
import sqliteConfig from '../../drizzle.sqlite.config.js';
import { createTestSchema, testPgUrl, type TestSchema } from '../helpers/pg.js';
import { isCi } from '../setup/global-postgres.js';

const root = process.cwd();
const drizzleKit = join(root, 'node_modules/drizzle-kit/bin.cjs');
const MIGRATIONS_TABLE = '__drizzle_migrations';

interface KitConfig {
  dialect: string;
  schema?: string | string[];
  out?: string;
}

/** Every file under `dir`, by relative path, with a hash of its content. */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    try {
      out[path] = createHash('sha256').update(readFileSync(join(dir, path))).digest('hex');
    } catch {
      // a directory
    }
  }
  return out;
}

/** Runs `drizzle-kit generate` for `config` into a copy of its out folder; returns what it wrote. */
async function generateIntoCopy(config: KitConfig): Promise<{ before: Record<string, string>; after: Record<string, string>; output: string }> {
  const out = join(root, config.out ?? '');
  const copy = mkdtempSync(join(tmpdir(), 'qunbot-migrations-'));
  try {
    cpSync(out, copy, { recursive: true });
    const before = listing(copy);
    const schemas = Array.isArray(config.schema) ? config.schema : [config.schema ?? ''];
    // drizzle-kit puts './' before --out, so an absolute path would land elsewhere.
    const args = [drizzleKit, 'generate', `--dialect=${config.dialect}`, ...schemas.map((s) => `--schema=${s}`), `--out=${relative(root, copy)}`];
    const output = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, args, { cwd: root, timeout: 120_000, env: { ...process.env, FORCE_COLOR: '0' } }, (err, stdout, stderr) => {
        const text = `${stdout}${stderr}`;
        if (err) reject(new Error(`drizzle-kit generate (${config.dialect}) failed: ${err.message}\n${text}`));
        else resolve(text);
      });
      // A rename question would wait for an answer: there is none.
      child.stdin?.end();
    });
    return { before, after: listing(copy), output };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe('migration folders follow the schemas', () => {
  it.each([
    ['sqlite', sqliteConfig as KitConfig],
    ['postgres', postgresConfig as KitConfig],
  ])('drizzle-kit would generate nothing new for %s', async (_name, config) => {
    const { before, after, output } = await generateIntoCopy(config);
    expect(Object.keys(before).length).toBeGreaterThan(1);
    // drizzle-kit exits 0 even when it fails: only this line says it compared and found nothing to do.
    expect(output, output).toContain('No schema changes, nothing to migrate');
    expect(after, `migrations in ${config.out} are out of step with the schemas; run npm run db:generate\n${output}`).toEqual(before);
  }, 180_000);

  it('the PostgreSQL migrations name no schema (they apply to the first on search_path)', () => {
    const dir = join(root, postgresConfig.out ?? '');
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(join(dir, file), 'utf8'), file).not.toMatch(/"public"\./);
  });
});

interface ColumnShape {
  type: string;
  notNull: boolean;
  default: string | null;
  identity: boolean;
}
interface IndexShape {
  unique: boolean;
  partial: boolean;
}
interface Shape {
  columns: Record<string, Record<string, ColumnShape>>;
  indexes: Record<string, Record<string, IndexShape>>;
  foreignKeys: string[];
}

/** SQLite's declared type → the PostgreSQL type drizzle/pg-from-sqlite.ts gives it. */
const PG_TYPE: Record<string, string> = { integer: 'bigint', real: 'double precision', text: 'text', blob: 'bytea', numeric: 'numeric' };

/** A default as both databases would write the same value: 0/1 for booleans, no casts or quotes. */
function normalizeDefault(value: string | null): string | null {
  if (value === null) return null;
  let v = value.trim().replace(/::[a-z ]+$/i, '');
  if (/^\(.*\)$/.test(v)) v = v.slice(1, -1);
  if (v.toLowerCase() === 'false') return '0';
  if (v.toLowerCase() === 'true') return '1';
  if (/^'.*'$/.test(v)) return `text:${v.slice(1, -1).replaceAll("''", "'")}`;
  return v;
}

const ACTION: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

function sqliteShape(file: string): Shape {
  const db = new Database(file, { readonly: true });
  try {
    const shape: Shape = { columns: {}, indexes: {}, foreignKeys: [] };
    const tables = db.prepare(`select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != ?`).all(MIGRATIONS_TABLE) as Array<{ name: string; sql: string }>;
    for (const { name, sql } of tables) {
      const autoincrement = new Set([...sql.matchAll(/[`"]?(\w+)[`"]?\s+integer\s+primary\s+key\s+autoincrement/gi)].map((m) => m[1]!));
      const columns = db.prepare(`select name, type, "notnull" as nn, dflt_value as dflt, pk from pragma_table_xinfo(?)`).all(name) as Array<{ name: string; type: string; nn: number; dflt: string | null; pk: number }>;
      shape.columns[name] = Object.fromEntries(
        columns.map((c) => [c.name, { type: PG_TYPE[c.type.toLowerCase()] ?? `sqlite ${c.type}`, notNull: c.nn === 1 || c.pk > 0, default: normalizeDefault(c.dflt), identity: autoincrement.has(c.name) }]),
      );
      const indexes = db.prepare(`select name, "unique" as u, partial from pragma_index_list(?) where name not like 'sqlite_autoindex_%'`).all(name) as Array<{ name: string; u: number; partial: number }>;
      shape.indexes[name] = Object.fromEntries(indexes.map((i) => [i.name, { unique: i.u === 1, partial: i.partial === 1 }]));
      const fks = db.prepare(`select id, "table" as target, "from" as source, "to" as dest, on_delete, on_update from pragma_foreign_key_list(?) order by id, seq`).all(name) as Array<{ id: number; target: string; source: string; dest: string; on_delete: string; on_update: string }>;
      const byId = new Map<number, typeof fks>();
      for (const fk of fks) byId.set(fk.id, [...(byId.get(fk.id) ?? []), fk]);
      for (const parts of byId.values()) {
        const [first] = parts;
        shape.foreignKeys.push(`${name}(${parts.map((p) => p.source).join(',')}) -> ${first!.target}(${parts.map((p) => p.dest).join(',')}) on delete ${first!.on_delete.toLowerCase()} on update ${first!.on_update.toLowerCase()}`);
      }
    }
    shape.foreignKeys.sort();
    return shape;
  } finally {
    db.close();
  }
}

async function pgShape(client: pg.Client, schema: string): Promise<Shape> {
  const shape: Shape = { columns: {}, indexes: {}, foreignKeys: [] };
  const columns = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_identity: string }>(
    `select table_name, column_name, data_type, is_nullable, column_default, is_identity
       from information_schema.columns where table_schema = $1 and table_name <> $2`,
    [schema, MIGRATIONS_TABLE],
  );
  for (const c of columns.rows) {
    (shape.columns[c.table_name] ??= {})[c.column_name] = { type: c.data_type, notNull: c.is_nullable === 'NO', default: normalizeDefault(c.column_default), identity: c.is_identity === 'YES' };
  }
  // Indexes that back a primary key are SQLite's implicit autoindexes; every other one is named in the schema.
  const indexes = await client.query<{ table_name: string; index_name: string; unique: boolean; partial: boolean }>(
    `select t.relname as table_name, i.relname as index_name, x.indisunique as unique, x.indpred is not null as partial
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = $1 and t.relname <> $2 and not x.indisprimary`,
    [schema, MIGRATIONS_TABLE],
  );
  for (const name of Object.keys(shape.columns)) shape.indexes[name] = {};
  for (const i of indexes.rows) (shape.indexes[i.table_name] ??= {})[i.index_name] = { unique: i.unique, partial: i.partial };
  const fks = await client.query<{ table_name: string; cols: string; target: string; fcols: string; del: string; upd: string }>(
    `select t.relname as table_name, f.relname as target, c.confdeltype as del, c.confupdtype as upd,
            (select string_agg(a.attname, ',' order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as cols,
            (select string_agg(a.attname, ',' order by k.ord) from unnest(c.confkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) as fcols
       from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class f on f.oid = c.confrelid join pg_namespace n on n.oid = t.relnamespace
      where c.contype = 'f' and n.nspname = $1`,
    [schema],
  );
  shape.foreignKeys = fks.rows.map((fk) => `${fk.table_name}(${fk.cols}) -> ${fk.target}(${fk.fcols}) on delete ${ACTION[fk.del]} on update ${ACTION[fk.upd]}`).sort();
  return shape;
}

describe('PostgreSQL migrations build the same database as SQLite migrations', () => {
  const url = testPgUrl();
  const skipReason = url ? undefined : 'no PostgreSQL for this run (test/setup/global-postgres.ts logged why; set PG_TEST_URL)';
  let dir: string | undefined;
  let target: TestSchema | undefined;
  let client: pg.Client | undefined;
  let sqlite: Shape;
  let postgres: Shape;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qunbot-migrations-'));
    const file = join(dir, 'qunbot.db');
    const db = new Database(file);
    migrateSqlite(drizzleSqlite(db), { migrationsFolder: join(root, sqliteConfig.out ?? '') });
    db.close();
    sqlite = sqliteShape(file);
    if (!url) return;

    target = await createTestSchema();
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
    // The migrations table goes in the test's schema too: drizzle's default ("drizzle") is one per database.
    await migratePg(drizzlePg(client), { migrationsFolder: join(root, postgresConfig.out ?? ''), migrationsSchema: target.schema });
    postgres = await pgShape(client, target.schema);
  });

  afterAll(async () => {
    await client?.end();
    await target?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has the SQLite side to compare with', () => {
    expect(Object.keys(sqlite.columns).length).toBeGreaterThan(30);
    expect(sqlite.columns.points_ledger?.id?.identity).toBe(true);
    expect(sqlite.indexes.quiz_sessions?.quiz_sessions_running).toEqual({ unique: true, partial: true });
  });

  it('applies into the schema first on search_path, and records itself there', async (ctx) => {
    if (!url) {
      if (isCi()) throw new Error(`CI must run the PostgreSQL tests: ${skipReason}`);
      ctx.skip(skipReason);
    }
    expect((await client!.query<{ s: string }>('select current_schema() as s')).rows[0]?.s).toBe(target!.schema);
    const applied = await client!.query(`select hash, created_at from "${target!.schema}"."${MIGRATIONS_TABLE}"`);
    const journal = JSON.parse(readFileSync(join(root, postgresConfig.out ?? '', 'meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(applied.rowCount).toBe(journal.entries.length);
    // A second start applies nothing (the migrator compares the journal's times with the newest row).
    await migratePg(drizzlePg(client!), { migrationsFolder: join(root, postgresConfig.out ?? ''), migrationsSchema: target!.schema });
    expect((await client!.query(`select 1 from "${target!.schema}"."${MIGRATIONS_TABLE}"`)).rowCount).toBe(journal.entries.length);
    // Not in the default schemas (other tests' schemas in the run's database hold their own copies).
    const elsewhere = await client!.query(`select table_schema from information_schema.tables where table_name = 'points_ledger' and table_schema in ('public', 'drizzle')`);
    expect(elsewhere.rows).toEqual([]);
  });

  it('has every table and column with a compatible type, nullability, default and identity', (ctx) => {
    if (!url) {
      if (isCi()) throw new Error(`CI must run the PostgreSQL tests: ${skipReason}`);
      ctx.skip(skipReason);
    }
    expect(Object.keys(postgres.columns).sort()).toEqual(Object.keys(sqlite.columns).sort());
    for (const [table, columns] of Object.entries(sqlite.columns)) expect(postgres.columns[table], table).toEqual(columns);
  });

  it('has the same indexes (names, uniqueness, partial) and foreign keys', (ctx) => {
    if (!url) {
      if (isCi()) throw new Error(`CI must run the PostgreSQL tests: ${skipReason}`);
      ctx.skip(skipReason);
    }
    for (const [table, indexes] of Object.entries(sqlite.indexes)) expect(postgres.indexes[table], table).toEqual(indexes);
    expect(postgres.foreignKeys.length).toBeGreaterThan(20);
    expect(postgres.foreignKeys).toEqual(sqlite.foreignKeys);
  });
});
