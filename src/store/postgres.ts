/**
 * The PostgreSQL engine: a connection pool; each unit of work is one
 * transaction on one pooled connection, retried from the start when
 * PostgreSQL reports a serialization failure or a deadlock. By default a unit
 * is SERIALIZABLE: it gets the outcome it would have had running alone, which
 * is what the SQLite engine gives by running units one at a time, so features
 * reason the same way on both engines. A unit whose reads-then-writes are all
 * made safe otherwise (its member's lock, atomic statements, row locks, unique
 * keys: see UnitOptions in db.ts) asks for READ COMMITTED, which does not
 * abort when many members of one community write at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomInt } from 'node:crypto';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { committed, type AfterCommit, type Committed, type UnitFn } from './group-commit.js';
import type { UnitOptions } from './db.js';
import { numberPlaceholders, textFor, type Sql, type SqlText, type SqlValue, type Statement } from './sql.js';

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** Apply migrations/postgres at open (default true). */
  migrationsFolder?: string;
  /** Attempts of one unit of work when PostgreSQL asks to retry (serialization failure, deadlock). */
  maxAttempts?: number;
  onRetry?: (attempt: number, code: string) => void;
}

/** int8 (COUNT, SUM of integers' results, bigint columns) and numeric (SUM, AVG) arrive as JS numbers, as on SQLite. */
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** 40001 serialization_failure, 40P01 deadlock_detected: the transaction did nothing; run it again. */
const RETRYABLE = new Set(['40001', '40P01']);

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PostgresEngine {
  sql: Sql;
  pool: pg.Pool;
  unit<T>(fn: UnitFn<T>, options?: UnitOptions): Promise<Committed<T>>;
  transactions(): number;
  retries(): number;
  close(): Promise<void>;
}

export async function openPostgres(options: PostgresOptions): Promise<PostgresEngine> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, types });
  // An idle pooled connection that the server drops must not take the process down.
  pool.on('error', () => undefined);
  const current = new AsyncLocalStorage<Queryable>();
  let transactions = 0;
  let retries = 0;
  const maxAttempts = options.maxAttempts ?? 20;

  if (options.migrationsFolder) {
    const client = await pool.connect();
    try {
      // Processes starting together on one database take turns; the migrations
      // table lives in the schema the tables go into (the first on search_path).
      await client.query('SELECT pg_advisory_lock(7123001)');
      const schema = (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s ?? 'public';
      await migrate(drizzle(client), { migrationsFolder: options.migrationsFolder, migrationsSchema: schema });
    } finally {
      await client.query('SELECT pg_advisory_unlock(7123001)').catch(() => undefined);
      client.release();
    }
  }

  const sql: Sql = {
    dialect: 'postgres',
    prepare<P extends readonly SqlValue[], R>(text: SqlText): Statement<P, R> {
      const query = numberPlaceholders(textFor(text, 'postgres'));
      // A named statement is parsed once per connection.
      const name = `q${createHash('sha1').update(query).digest('hex').slice(0, 20)}`;
      const exec = (params: readonly SqlValue[]) => (current.getStore() ?? pool).query({ name, text: query, values: params as unknown[] });
      return {
        run: async (...params) => (await exec(params)).rowCount ?? 0,
        get: async (...params) => (await exec(params)).rows[0] as R | undefined,
        all: async (...params) => (await exec(params)).rows as R[],
      };
    },
  };

  async function unit<T>(fn: UnitFn<T>, unitOptions?: UnitOptions): Promise<Committed<T>> {
    const begin = unitOptions?.isolation === 'read-committed' ? 'BEGIN ISOLATION LEVEL READ COMMITTED' : 'BEGIN ISOLATION LEVEL SERIALIZABLE';
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      const hooks: AfterCommit[] = [];
      let began = false;
      try {
        await client.query(begin);
        began = true;
        transactions++;
        // Held until COMMIT or ROLLBACK: units with one key run one at a time.
        if (unitOptions?.lock !== undefined) await client.query({ name: 'unit_lock', text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 7123002))', values: [unitOptions.lock] });
        const value = await current.run(client, () => fn({ afterCommit: (hook) => void hooks.push(hook) }));
        await client.query('COMMIT');
        return committed(value, hooks);
      } catch (err) {
        if (began) await client.query('ROLLBACK').catch(() => undefined);
        const code = sqlState(err);
        if (code && RETRYABLE.has(code) && attempt < maxAttempts) {
          retries++;
          options.onRetry?.(attempt, code);
          // Back off a little, more each time, with jitter, so the colliding units spread out.
          await new Promise((resolve) => setTimeout(resolve, randomInt(Math.min(100, 2 ** attempt))));
          continue;
        }
        throw err;
      } finally {
        client.release();
      }
    }
  }

  return {
    sql,
    pool,
    unit,
    transactions: () => transactions,
    retries: () => retries,
    close: () => pool.end(),
  };
}
