/**
 * WAL checkpoints off the event loop. By default SQLite checkpoints inside the
 * COMMIT that pushes the WAL past 1,000 pages: that commit copies ~4 MB into
 * the database file and (synchronous=FULL) syncs it, on the main thread, while
 * every callback behind it waits. After a burst this is what the p99 of the
 * next seconds is made of (bench/tail.ts measures both ways in one run).
 *
 * So the writer connection gets `wal_autocheckpoint = 0`, and a worker thread
 * with its own connection to the same file runs `PRAGMA wal_checkpoint(PASSIVE)`
 * on a timer. PASSIVE never takes the write lock and never waits for the
 * writer: it copies what it can and the writer keeps appending meanwhile.
 *
 * PASSIVE alone does not bound the WAL: the WAL starts again from its
 * beginning only when a write begins after a checkpoint that caught up with
 * every frame, and under sustained writes the writer always appends again
 * before PASSIVE catches up (measured: 660-690 MiB of WAL after 20 s of load).
 * So once the WAL file passes `walLimitBytes`, or as soon as the writes pause
 * (a tick that finds nothing new since the last one), the worker runs
 * `wal_checkpoint(TRUNCATE)`: it waits for the writer between two
 * transactions, copies the few frames PASSIVE has not copied yet, and empties
 * the WAL, so the next write starts it from its beginning. The writer waits
 * for that copy (its busy timeout), which is short because PASSIVE did the
 * bulk; an inline checkpoint copies all of it inside a COMMIT.
 *
 * If the worker dies, the writer goes back to checkpointing itself, so the WAL
 * can never grow without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** The worker's code, as a string: it needs no build step and no TypeScript loader (tests run under tsx, the bot from dist/). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)');
const walSize = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
let lastLog = -1;
const timer = setInterval(() => {
  try {
    const r = passive.get();
    const idle = r.log === lastLog && r.log > 0 && r.checkpointed === r.log;
    lastLog = r.log;
    if (idle || walSize() > workerData.walLimitBytes) {
      const t = truncate.get();
      if (t.busy === 0) { lastLog = 0; parentPort.postMessage({ truncated: true }); }
    }
  } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); try { db.close(); } finally { process.exit(0); } });
`;

/** SQLite's default, restored on the writer when the checkpointer stops working. */
const DEFAULT_AUTOCHECKPOINT = 1000;

export interface CheckpointerOptions {
  path: string;
  synchronous: 'full' | 'normal';
  intervalMs?: number;
  /** The WAL size past which the worker empties it even while writes go on (default 64 MiB). */
  walLimitBytes?: number;
  /** How long the worker waits for the writer to finish a transaction before an emptying checkpoint (default 1 s). */
  busyTimeoutMs?: number;
  onError?: (err: Error) => void;
  /** Told each time the worker emptied the WAL (tests). */
  onTruncate?: () => void;
  /** When the worker is gone and the writer checkpoints itself again, give the writer this `synchronous` first (a writer at OFF). */
  writerSynchronousOnFallBack?: 'FULL';
}

export interface Checkpointer {
  /** Ends the worker (its connection closes; it does not keep the process alive). */
  stop(): void;
}

export function startCheckpointer(writer: Database.Database, options: CheckpointerOptions): Checkpointer {
  writer.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: options.path,
      synchronous: options.synchronous.toUpperCase(),
      intervalMs: options.intervalMs ?? 250,
      walLimitBytes: options.walLimitBytes ?? 64 * 1024 * 1024,
      busyTimeoutMs: options.busyTimeoutMs ?? 1000,
    },
  });
  worker.unref();
  let stopped = false;
  const fallBack = (err: Error): void => {
    if (stopped) return;
    stopped = true;
    if (writer.open) {
      if (options.writerSynchronousOnFallBack) writer.pragma(`synchronous = ${options.writerSynchronousOnFallBack}`);
      writer.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    }
    options.onError?.(err);
  };
  worker.on('message', (m: { error?: string; truncated?: true }) => {
    if (m.error) options.onError?.(new Error(`WAL checkpoint failed: ${m.error}`));
    if (m.truncated) options.onTruncate?.();
  });
  worker.on('error', fallBack);
  worker.on('exit', (code) => fallBack(new Error(`the WAL checkpointer exited (code ${code}); the writer checkpoints itself again`)));
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}
