/**
 * drizzle/postgres-schema.ts lists every src/**\/schema.ts and exports the
 * PostgreSQL twin of every table in them (drizzle-kit only sees what it
 * exports), and drizzle/pg-from-sqlite.ts maps types, defaults, keys,
 * constraints and indexes the way the app's raw SQL needs.
 */
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { getTableName, is, sql } from 'drizzle-orm';
import { PgDialect, PgTable, getTableConfig as pgConfig, type PgColumn } from 'drizzle-orm/pg-core';
import { SQLiteTable, blob, check, foreignKey, index, integer, primaryKey, real, sqliteTable, text, unique, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as postgresSchema from '../../drizzle/postgres-schema.js';
import { pgFromSqlite } from '../../drizzle/pg-from-sqlite.js';

const root = process.cwd();

function schemaFiles(): string[] {
  return (readdirSync(join(root, 'src'), { recursive: true }) as string[])
    .filter((p) => p === 'schema.ts' || p.endsWith(`${sep}schema.ts`))
    .map((p) => `src/${p.split(sep).join('/')}`)
    .sort();
}

const sqliteTablesOf = (module: object): SQLiteTable[] => Object.values(module).filter((v): v is SQLiteTable => is(v, SQLiteTable));

describe('drizzle/postgres-schema.ts', () => {
  it('lists every src/**/schema.ts (a new one must be added there)', () => {
    const listed = [...Object.keys(postgresSchema.sqliteSchemaModules), ...Object.keys(postgresSchema.schemaFilesWithoutTables)].sort();
    expect(schemaFiles().length).toBeGreaterThan(10);
    expect(listed).toEqual(schemaFiles());
  });

  it('files listed as holding no tables still hold none', async () => {
    for (const path of Object.keys(postgresSchema.schemaFilesWithoutTables)) {
      const module = (await import(join(root, path))) as object;
      expect(sqliteTablesOf(module).map((t) => getTableName(t)), path).toEqual([]);
    }
  });

  it('exports the PostgreSQL twin of every table of every listed module, and nothing else', () => {
    const sqliteTables = Object.values(postgresSchema.sqliteSchemaModules).flatMap(sqliteTablesOf);
    const pgExports = Object.values(postgresSchema).filter((v): v is PgTable => is(v, PgTable));
    const names = (tables: Array<SQLiteTable | PgTable>) => tables.map((t) => getTableName(t)).sort();
    expect(names(pgExports)).toEqual(names(sqliteTables));
    expect(new Set(names(pgExports)).size).toBe(pgExports.length);
    for (const table of sqliteTables) expect(pgExports).toContain(pgFromSqlite(table));
  });
});

describe('drizzle/pg-from-sqlite.ts', () => {
  const parents = sqliteTable('probe_parents', {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull().unique(),
  });
  const children = sqliteTable(
    'probe_children',
    {
      parentId: integer('parent_id').notNull().references(() => parents.id, { onDelete: 'cascade' }),
      slot: text('slot', { enum: ['a', 'b'] }).notNull(),
      active: integer('active', { mode: 'boolean' }).notNull().default(true),
      muted: integer('muted', { mode: 'boolean' }).notNull().default(false),
      seenAt: integer('seen_at', { mode: 'timestamp_ms' }),
      score: real('score').notNull().default(1.5),
      payload: blob('payload', { mode: 'buffer' }),
      label: text('label').notNull().default(''),
      status: text('status').notNull(),
      otherId: integer('other_id'),
    },
    (t) => [
      primaryKey({ columns: [t.parentId, t.slot] }),
      unique('probe_children_label_status').on(t.label, t.status),
      foreignKey({ columns: [t.otherId], foreignColumns: [parents.id] }).onDelete('set null'),
      index('probe_children_board').on(t.parentId, sql`${t.score} desc`),
      uniqueIndex('probe_children_running').on(t.parentId).where(sql`status = 'running'`),
      check('probe_children_score', sql`${t.score} >= 0`),
    ],
  );
  const dialect = new PgDialect();
  const render = (value: Parameters<PgDialect['sqlToQuery']>[0]) => dialect.sqlToQuery(value).sql;

  it('maps every integer to bigint (booleans 0/1), real to double precision, text to text, blob to bytea', () => {
    const { columns } = pgConfig(pgFromSqlite(children));
    const byName = new Map(columns.map((c) => [c.name, c] as [string, PgColumn]));
    const types = Object.fromEntries(columns.map((c) => [c.name, c.getSQLType()]));
    expect(types).toEqual({
      parent_id: 'bigint',
      slot: 'text',
      active: 'bigint',
      muted: 'bigint',
      seen_at: 'bigint',
      score: 'double precision',
      payload: 'bytea',
      label: 'text',
      status: 'text',
      other_id: 'bigint',
    });
    expect(byName.get('active')?.default).toBe(1);
    expect(byName.get('muted')?.default).toBe(0);
    expect(byName.get('score')?.default).toBe(1.5);
    expect(byName.get('label')?.default).toBe('');
    expect(columns.filter((c) => c.notNull).map((c) => c.name).sort()).toEqual(['active', 'label', 'muted', 'parent_id', 'score', 'slot', 'status']);
  });

  it('makes an autoincrement key an identity and keeps unique columns under their SQLite name', () => {
    const { columns } = pgConfig(pgFromSqlite(parents));
    const [id, code] = columns;
    expect(id?.getSQLType()).toBe('bigint');
    expect(id?.primary).toBe(true);
    expect(id?.generatedIdentity?.type).toBe('byDefault');
    expect(code?.isUnique).toBe(true);
    expect(code?.uniqueName).toBe('probe_parents_code_unique');
  });

  it('keeps primary keys, unique constraints, foreign keys (with their actions), checks and indexes under their SQLite names', () => {
    const config = pgConfig(pgFromSqlite(children));
    expect(config.primaryKeys.map((pk) => [pk.getName(), pk.columns.map((c) => c.name)])).toEqual([['probe_children_parent_id_slot_pk', ['parent_id', 'slot']]]);
    expect(config.uniqueConstraints.map((u) => [u.getName(), u.columns.map((c) => c.name)])).toEqual([['probe_children_label_status', ['label', 'status']]]);
    const fks = config.foreignKeys.map((fk) => {
      const ref = fk.reference();
      return [fk.getName(), ref.columns.map((c) => c.name), getTableName(ref.foreignTable), ref.foreignColumns.map((c) => c.name), fk.onDelete];
    });
    expect(fks.sort()).toEqual(
      [
        ['probe_children_parent_id_probe_parents_id_fk', ['parent_id'], 'probe_parents', ['id'], 'cascade'],
        ['probe_children_other_id_probe_parents_id_fk', ['other_id'], 'probe_parents', ['id'], 'set null'],
      ].sort(),
    );
    // The referenced table is the mapped one, not the SQLite one.
    expect(config.foreignKeys[0]?.reference().foreignTable).toBe(pgFromSqlite(parents));
    expect(config.checks.map((c) => [c.name, render(c.value)])).toEqual([['probe_children_score', '"probe_children"."score" >= 0']]);

    const indexes = Object.fromEntries(config.indexes.map((i) => [i.config.name, i.config]));
    expect(Object.keys(indexes).sort()).toEqual(['probe_children_board', 'probe_children_running']);
    const board = indexes.probe_children_board!;
    expect(board.unique).toBe(false);
    expect((board.columns[0] as { name?: string }).name).toBe('parent_id');
    expect(render(board.columns[1] as Parameters<PgDialect['sqlToQuery']>[0])).toBe('"probe_children"."score" desc');
    const running = indexes.probe_children_running!;
    expect(running.unique).toBe(true);
    expect(render(running.where!)).toBe("status = 'running'");
  });

  it('returns the same PostgreSQL table each time', () => {
    expect(pgFromSqlite(children)).toBe(pgFromSqlite(children));
  });

  it('refuses what it cannot carry over instead of guessing', () => {
    const generated = sqliteTable('probe_generated', { a: integer('a'), b: integer('b').generatedAlwaysAs(sql`a + 1`) });
    expect(() => pgFromSqlite(generated)).toThrow(/probe_generated\.b: generated columns/);
    const dated = sqliteTable('probe_dated', { at: integer('at', { mode: 'timestamp_ms' }).default(new Date(0)) });
    expect(() => pgFromSqlite(dated)).toThrow(/probe_dated\.at: default/);
    const param = sqliteTable('probe_param', { s: text('s') }, (t) => [index('probe_param_s').on(t.s).where(sql`s = ${'x'}`)]);
    expect(() => pgConfig(pgFromSqlite(param))).toThrow(/probe_param: index probe_param_s: only text, columns and tables/);
    const long = sqliteTable(`probe_${'x'.repeat(60)}`, { a: integer('a') });
    expect(() => pgFromSqlite(long)).toThrow(/longer than PostgreSQL's 63 bytes/);
  });
});
