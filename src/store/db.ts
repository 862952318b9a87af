/**
 * Opens the SQLite file (the source of truth), sets its pragmas on purpose,
 * and applies the drizzle-kit migrations in migrations/sqlite/.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { rootPath } from '../config/load.js';
import { startCheckpointer } from './checkpointer.js';
import { GroupCommit, type Committed, type UnitFn } from './group-commit.js';

export type Db = BetterSQLite3Database;
export type Sqlite = Database.Database;

export interface Store {
  sqlite: Sqlite;
  db: Db;
  /**
   * One unit of work (a command, a job run): `fn` runs in a write transaction
   * shared with the units that arrived together (group commit), and all of its
   * effects commit together or not at all. Resolves after the COMMIT with the
   * value and the after-commit hooks the unit registered, not yet run.
   */
  unit<T>(fn: UnitFn<T>): Promise<Committed<T>>;
  /** Write transactions the units have used so far (group commit shares one among many units). */
  unitTransactions(): number;
  /** Run `fn` in one write transaction (BEGIN IMMEDIATE, so two processes never deadlock on upgrade). */
  write<T>(fn: () => T): T;
  /** Inside `write`: a savepoint, rolled back alone when `fn` throws. */
  savepoint<T>(fn: () => T): T;
  close(): void;
}

export interface StoreOptions {
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
}

export function openStore(options: StoreOptions): Store {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const sqlite = new Database(options.path);
  // WAL lets readers run beside the writer; synchronous is a documented choice
  // (config database.synchronous): FULL survives power loss, NORMAL only process crashes.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  sqlite.pragma('foreign_keys = ON');
  // A check-in touches ~26 pages, more than a savepoint's in-memory journal holds;
  // without this every command created and deleted a temp file (measured: +130-190 µs).
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle(sqlite);
  if (options.migrate !== false) migrate(db, { migrationsFolder: rootPath('migrations/sqlite') });
  // Built once: better-sqlite3 builds four wrapper functions per transaction() call.
  const run = sqlite.transaction((fn: () => unknown) => fn());
  const commits = new GroupCommit(sqlite);
  const checkpointer =
    options.checkpoint === 'background' && options.path !== ':memory:'
      ? startCheckpointer(sqlite, { path: options.path, synchronous: options.synchronous, ...(options.onCheckpointError ? { onError: options.onCheckpointError } : {}) })
      : undefined;
  return {
    sqlite,
    db,
    unit: (fn) => commits.run(fn),
    unitTransactions: () => commits.transactions,
    write: <T>(fn: () => T): T => run.immediate(fn) as T,
    savepoint: <T>(fn: () => T): T => run(fn) as T,
    close: () => {
      checkpointer?.stop();
      sqlite.close();
    },
  };
}
