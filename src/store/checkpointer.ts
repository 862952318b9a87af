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
 * writer: it copies what it can and the writer keeps appending meanwhile; the
 * WAL restarts from its beginning at the first write after a complete
 * checkpoint, so it stays bounded by what one interval writes.
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
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try { checkpoint.get(); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); try { db.close(); } finally { process.exit(0); } });
`;

/** SQLite's default, restored on the writer when the checkpointer stops working. */
const DEFAULT_AUTOCHECKPOINT = 1000;

export interface CheckpointerOptions {
  path: string;
  synchronous: 'full' | 'normal';
  intervalMs?: number;
  onError?: (err: Error) => void;
}

export interface Checkpointer {
  /** Ends the worker (its connection closes; it does not keep the process alive). */
  stop(): void;
}

export function startCheckpointer(writer: Database.Database, options: CheckpointerOptions): Checkpointer {
  writer.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path: options.path, synchronous: options.synchronous.toUpperCase(), intervalMs: options.intervalMs ?? 250 },
  });
  worker.unref();
  let stopped = false;
  const fallBack = (err: Error): void => {
    if (stopped) return;
    stopped = true;
    if (writer.open) writer.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    options.onError?.(err);
  };
  worker.on('message', (m: { error?: string }) => {
    if (m.error) options.onError?.(new Error(`WAL checkpoint failed: ${m.error}`));
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
