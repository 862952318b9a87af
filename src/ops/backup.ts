/**
 * Backups of the SQLite database (the source of truth).
 *
 * - `backupDatabase`: SQLite's online backup API while the bot runs. The
 *   whole database is copied in one backup step, i.e. inside one read
 *   transaction: under WAL that is a consistent snapshot, and writers keep
 *   writing meanwhile. The copy goes to a temporary name beside the target,
 *   is switched out of WAL (one self-contained file), passes
 *   `PRAGMA integrity_check`, and only then is renamed into place.
 * - `restoreDatabase`: for a stopped bot. The backup is copied to a temporary
 *   name beside the database, checked there (a SQLite file, integrity ok, a
 *   qunbot database: it has the migrations table), then the live database
 *   must not be open anywhere (an exclusive lock is tried without waiting),
 *   its stale -wal/-shm files are removed and the copy is renamed over it.
 *
 * Both throw `BackupError` with a message meant for the operator.
 */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';

/** The table drizzle-kit's migrator keeps; every qunbot database has it. */
export const MIGRATIONS_TABLE = '__drizzle_migrations';
const SQLITE_HEADER = 'SQLite format 3\0';
/** The largest step better-sqlite3 accepts. */
const ALL_PAGES = 0x7fffffff;

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupReport {
  source: string;
  target: string;
  bytes: number;
  pages: number;
  /** Migrations applied in the copy. */
  migrations: number;
  ms: number;
}

export interface RestoreReport {
  backup: string;
  target: string;
  bytes: number;
  migrations: number;
  /** Stale -wal/-shm files removed beside the target. */
  removed: string[];
  /** The target existed and was replaced. */
  replaced: boolean;
}

function tempName(target: string, tag: string): string {
  return join(dirname(target), `.${basename(target)}.${tag}-${process.pid}-${Date.now()}`);
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  if (!existsSync(a) || !existsSync(b)) return false;
  const [x, y] = [statSync(a), statSync(b)];
  return x.dev === y.dev && x.ino === y.ino;
}

function removeWithSidecars(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(p, { force: true });
}

/** True when the file starts with SQLite's 16-byte header. */
function hasSqliteHeader(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(SQLITE_HEADER.length);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return n === buf.length && buf.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks a database file that nobody else has open (a fresh copy): integrity
 * and the migrations table; returns how many migrations it has. `label` names
 * the file in errors (the operator's path, not the temporary name).
 */
export function verifyQunbotDatabase(path: string, label = path): { migrations: number } {
  if (!hasSqliteHeader(path)) throw new BackupError(`${label} is not a SQLite database`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    const problems = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new BackupError(`${label} failed the integrity check: ${problems.slice(0, 5).join('; ')}`);
    }
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE);
    if (!table) throw new BackupError(`${label} is a SQLite database but not a qunbot database (no ${MIGRATIONS_TABLE} table)`);
    const { n } = db.prepare(`SELECT count(*) AS n FROM "${MIGRATIONS_TABLE}"`).get() as { n: number };
    return { migrations: n };
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`${label} cannot be read as a SQLite database: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
}

/** Online backup of `source` (which may be in use) to `target`. */
export async function backupDatabase(source: string, target: string, options: { force?: boolean } = {}): Promise<BackupReport> {
  const started = Date.now();
  if (!existsSync(source)) throw new BackupError(`no database at ${source} (DATABASE_PATH)`);
  if (sameFile(source, target)) throw new BackupError(`${target} is the database itself; name another file`);
  if (existsSync(target) && !options.force) throw new BackupError(`${target} exists; pass --force to overwrite it`);
  if (!existsSync(dirname(target))) throw new BackupError(`the folder ${dirname(target)} does not exist`);
  if (!hasSqliteHeader(source)) throw new BackupError(`${source} is not a SQLite database`);

  const temp = tempName(target, 'backup');
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // Every remaining page in the next step (better-sqlite3's first step copies none):
    // one step is one read transaction, so the copy is one snapshot however busy the bot is.
    const progress = await db.backup(temp, { progress: () => ALL_PAGES });
    const copy = new Database(temp, { fileMustExist: true });
    try {
      // A backup is one file: no -wal beside it to lose when it is copied around.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const { migrations } = verifyQunbotDatabase(temp, `the copy of ${source}`);
    renameSync(temp, target);
    return { source, target, bytes: statSync(target).size, pages: progress.totalPages, migrations, ms: Date.now() - started };
  } catch (err) {
    removeWithSidecars(temp);
    if (err instanceof BackupError) throw err;
    throw new BackupError(`backup of ${source} failed: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

/**
 * Throws when another connection (a running bot) has `path` open. A WAL
 * connection keeps a shared lock on the file while it is open, so an
 * exclusive lock taken without waiting fails even when the bot is idle.
 */
export function assertNotInUse(path: string): void {
  if (!existsSync(path)) return;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new BackupError(`${path} is in use (is the bot still running?); stop it before restoring`);
    }
    throw new BackupError(`${path} cannot be opened to check that it is unused: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
}

/** Replaces `target` (the database of a stopped bot) with the backup `backup`. */
export function restoreDatabase(backup: string, target: string): RestoreReport {
  if (!existsSync(backup)) throw new BackupError(`no such file: ${backup}`);
  if (!statSync(backup).isFile()) throw new BackupError(`${backup} is not a file`);
  if (sameFile(backup, target)) throw new BackupError(`${backup} is the database itself; name a backup file`);
  // Checked on a private copy: opening the operator's file could write beside it (-wal, -shm).
  // A fresh machine: the database folder is created, as the bot itself does (and removed again on a refusal).
  const created = mkdirSync(dirname(target), { recursive: true });
  const temp = tempName(target, 'restore');
  try {
    copyFileSync(backup, temp);
    const { migrations } = verifyQunbotDatabase(temp, backup);
    // The check may have left the copy in WAL mode with sidecar files; fold them in.
    const copy = new Database(temp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    // Listed first: the in-use probe may already fold or delete some of them.
    const removed = [`${target}-wal`, `${target}-shm`, `${target}-journal`].filter((p) => existsSync(p));
    assertNotInUse(target);
    const replaced = existsSync(target);
    for (const p of removed) rmSync(p, { force: true });
    renameSync(temp, target);
    return { backup, target, bytes: statSync(target).size, migrations, removed, replaced };
  } catch (err) {
    removeWithSidecars(temp);
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
    if (err instanceof BackupError) throw err;
    throw new BackupError(`restore from ${backup} failed: ${(err as Error).message}`);
  }
}
