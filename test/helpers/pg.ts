/**
 * PostgreSQL for tests. The run has a database of its own
 * (test/setup/global-postgres.ts); each test takes a schema of its own in it
 * with createTestSchema() and drops it after, so tests never see each
 * other's rows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { withPgClient } from '../setup/global-postgres.js';

/**
 * The run's PostgreSQL database URL, '' when there is none (outside CI only).
 * Child processes get it as PG_TEST_DB_URL.
 */
export function testPgUrl(): string {
  try {
    return inject('pgUrl');
  } catch {
    return process.env.PG_TEST_DB_URL ?? '';
  }
}

/** Which store the app-level tests run against: QUNBOT_TEST_ENGINE=postgres, else SQLite. */
export function testEngine(): 'sqlite' | 'postgres' {
  const engine = (process.env.QUNBOT_TEST_ENGINE ?? '').trim().toLowerCase();
  if (engine === '' || engine === 'sqlite') return 'sqlite';
  if (engine === 'postgres' || engine === 'postgresql') return 'postgres';
  throw new Error(`QUNBOT_TEST_ENGINE=${process.env.QUNBOT_TEST_ENGINE}: expected sqlite or postgres`);
}

export interface TestSchema {
  /**
   * The run's database with `options=-c search_path=<schema>`: node-postgres
   * (and libpq) send it at connect, so unqualified names resolve to the schema.
   */
  url: string;
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

let count = 0;

/** `url` whose connections use `schema` alone on their search_path. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.delete('options');
  // %20, not URLSearchParams' '+': libpq reads a '+' literally.
  const options = `options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return `${u.toString()}${u.search ? '&' : '?'}${options}`;
}

/**
 * A new, empty schema t_<pid>_<n>_<hex> in the run's database; with `key`, the
 * schema named after it (t_k<hash>), created if missing, so that a test and the
 * child processes it starts on one database path meet in one schema. Only the
 * process that created a schema drops it.
 */
export async function createTestSchema(key?: string): Promise<TestSchema> {
  const base = testPgUrl();
  if (!base) throw new Error('no PostgreSQL for tests (see test/setup/global-postgres.ts); check testPgUrl() before createTestSchema()');
  const schema = key === undefined ? `t_${process.pid}_${++count}_${randomBytes(3).toString('hex')}` : `t_k${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
  const { rows } = await withPgClient(base, (c) =>
    c.query<{ created: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS created`, [schema]).then(async (r) => {
      await c.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      return r;
    }),
  );
  let dropped = !rows[0]?.created;
  return {
    url: withSearchPath(base, schema),
    schema,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withPgClient(base, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}
