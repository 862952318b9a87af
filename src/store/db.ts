/**
 * The store: one contract (./sql.ts: prepared SQL with async statements, and
 * units of work) over two engines.
 *
 * - SQLite (default): the file at database.path, its pragmas set on purpose,
 *   migrations/sqlite/ applied at open; units group-committed on the one
 *   connection (./group-commit.ts).
 * - PostgreSQL (DATABASE_URL=postgres://…): a pool, migrations/postgres/
 *   applied at open, each unit one SERIALIZABLE transaction (./postgres.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { rootPath } from '../config/load.js';
import { startCheckpointer } from './checkpointer.js';
import { GroupCommit, type Committed, type UnitFn } from './group-commit.js';
import { walSyncer } from './wal-sync.js';
import { openPostgres } from './postgres.js';
import { textFor, type Dialect, type Sql, type SqlText, type SqlValue, type Statement } from './sql.js';

export type Sqlite = Database.Database;

export interface Store {
  readonly dialect: Dialect;
  /** Prepares statements for the repositories (see ./sql.ts). */
  readonly sql: Sql;
  /**
   * One unit of work (a command, a job run): all of `fn`'s effects commit
   * together or not at all. Resolves after the COMMIT with the value and the
   * after-commit hooks the unit registered, not yet run. `fn` must await only
   * the store: on PostgreSQL it may run again from the start when the
   * transaction has to be retried.
   */
  unit<T>(fn: UnitFn<T>, options?: UnitOptions): Promise<Committed<T>>;
  /** Write transactions the units have used so far (SQLite's group commit shares one among many units). */
  unitTransactions(): number;
  /** Units run again from the start because PostgreSQL asked (serialization failure, deadlock); 0 on SQLite. */
  unitRetries(): number;
  /** Answers a trivial query (health checks). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** The SQLite engine's one connection (backups, benchmarks); absent on PostgreSQL. */
  readonly sqlite?: Sqlite;
}

/**
 * How a unit of work is isolated from the units running beside it. SQLite runs
 * units one at a time, so both options change nothing there. On PostgreSQL a
 * unit is SERIALIZABLE unless it asks for `read-committed`: a unit may ask only
 * when every read-then-write it does is either on rows of the member named by
 * `lock` (all router units take that member's lock, so they run one at a time
 * per member), an atomic statement (`x = x + 1`, an upsert, a guarded
 * `UPDATE … WHERE status = 'open'`), a row it locked (`FOR UPDATE`), or an
 * insert that a unique key makes safe. See docs/architecture.md, "Isolation".
 */
export interface UnitOptions {
  isolation?: 'serializable' | 'read-committed';
  /** A key (e.g. the actor) whose units run one at a time: a transaction-scoped advisory lock on PostgreSQL. */
  lock?: string;
}

export interface SqliteStoreOptions {
  engine?: 'sqlite';
  path: string;
  synchronous: 'full' | 'normal';
  busyTimeoutMs: number;
  migrate?: boolean;
  /**
   * Who checkpoints the WAL: `inline` (SQLite's default: the COMMIT that passes
   * 1,000 pages does it, on the event loop) or `background` (a worker thread on
   * its own connection, see checkpointer.ts). Default inline; the app passes
   * config database.checkpoint.
   */
  checkpoint?: 'inline' | 'background';
  /** Told when the background checkpointer fails (the writer then checkpoints itself). */
  onCheckpointError?: (err: Error) => void;
  /** Background checkpointer: the WAL size past which it empties the WAL while writes go on (default 64 MiB). */
  walLimitBytes?: number;
  /**
   * Who syncs a commit to disk with `synchronous: full`: `inline` (SQLite, inside
   * the COMMIT, on the event loop) or `background` (the writer at
   * synchronous=OFF, the WAL fdatasynced in the thread pool before the units
   * resolve; see wal-sync.ts). `background` needs `checkpoint: background`.
   */
  commitSync?: 'inline' | 'background';
}

export interface PostgresStoreOptions {
  engine: 'postgres';
  url: string;
  poolSize: number;
  migrate?: boolean;
  onRetry?: (attempt: number, code: string) => void;
  maxAttempts?: number;
}

export type StoreOptions = SqliteStoreOptions | PostgresStoreOptions;

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.engine === 'postgres') return openPostgresStore(options);
  return openSqliteStore(options);
}

/** SQLite statements run synchronously; their promises are settled when returned. */
export function sqliteSql(sqlite: Sqlite): Sql {
  return {
    dialect: 'sqlite',
    prepare<P extends readonly SqlValue[], R>(text: SqlText): Statement<P, R> {
      const statement = sqlite.prepare<unknown[], R>(textFor(text, 'sqlite'));
      const settle = <V>(fn: () => V): Promise<V> => {
        try {
          return Promise.resolve(fn());
        } catch (err) {
          return Promise.reject(err);
        }
      };
      return {
        run: (...params) => settle(() => statement.run(...params).changes),
        get: (...params) => settle(() => statement.get(...params)),
        all: (...params) => settle(() => statement.all(...params)),
      };
    },
  };
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const sqlite = new Database(options.path);
  // WAL lets readers run beside the writer; synchronous is a documented choice
  // (config database.synchronous): FULL survives power loss, NORMAL only process crashes.
  sqlite.pragma('journal_mode = WAL');
  const syncOffThread = options.commitSync === 'background' && options.path !== ':memory:';
  if (syncOffThread && (options.synchronous !== 'full' || options.checkpoint !== 'background')) {
    throw new Error('database.commitSync: background needs database.synchronous: full and database.checkpoint: background');
  }
  // Off the event loop, the WAL is synced by the syncer below; the writer never checkpoints (the checkpointer, at FULL, does).
  sqlite.pragma(`synchronous = ${syncOffThread ? 'OFF' : options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  sqlite.pragma('foreign_keys = ON');
  // A check-in touches ~26 pages, more than a savepoint's in-memory journal holds;
  // without this every command created and deleted a temp file (measured: +130-190 µs).
  sqlite.pragma('temp_store = MEMORY');
  if (options.migrate !== false) migrate(drizzle(sqlite), { migrationsFolder: rootPath('migrations/sqlite') });
  const syncer = syncOffThread ? walSyncer(options.path) : undefined;
  const commits = new GroupCommit(sqlite, undefined, syncer ? () => syncer.sync() : undefined);
  const checkpointer =
    options.checkpoint === 'background' && options.path !== ':memory:'
      ? startCheckpointer(sqlite, {
          path: options.path,
          synchronous: options.synchronous,
          // The writer checkpoints itself again: at OFF that would skip the syncs a checkpoint needs.
          ...(syncOffThread ? { writerSynchronousOnFallBack: 'FULL' as const } : {}),
          ...(options.onCheckpointError ? { onError: options.onCheckpointError } : {}),
          ...(options.walLimitBytes !== undefined ? { walLimitBytes: options.walLimitBytes } : {}),
        })
      : undefined;
  const ping = sqlite.prepare('SELECT 1 AS ok');
  return {
    dialect: 'sqlite',
    sql: sqliteSql(sqlite),
    sqlite,
    unit: (fn) => commits.run(fn),
    unitTransactions: () => commits.transactions,
    unitRetries: () => 0,
    ping: async () => {
      try {
        return ping.get() !== undefined;
      } catch {
        return false;
      }
    },
    close: async () => {
      checkpointer?.stop();
      await syncer?.close();
      // The last connection to close checkpoints the WAL into the file: with its syncs.
      if (syncOffThread) sqlite.pragma('synchronous = FULL');
      sqlite.close();
    },
  };
}

async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const engine = await openPostgres({
    url: options.url,
    poolSize: options.poolSize,
    ...(options.migrate !== false ? { migrationsFolder: rootPath('migrations/postgres') } : {}),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
  const ping = engine.sql.prepare<[], { ok: number }>('SELECT 1 AS ok');
  return {
    dialect: 'postgres',
    sql: engine.sql,
    unit: (fn, unitOptions) => engine.unit(fn, unitOptions),
    unitTransactions: () => engine.transactions(),
    unitRetries: () => engine.retries(),
    ping: async () => {
      try {
        return (await ping.get()) !== undefined;
      } catch {
        return false;
      }
    },
    close: () => engine.close(),
  };
}

export type { Committed, UnitFn };

/** The SQLite engine's connection, for what only SQLite has (backups, WAL checkpoints, benchmarks of SQLite itself). */
export function sqliteOf(store: Store): Sqlite {
  if (!store.sqlite) throw new Error(`this needs the SQLite engine (the store is ${store.dialect})`);
  return store.sqlite;
}
