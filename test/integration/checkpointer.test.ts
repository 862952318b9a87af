/**
 * The background WAL checkpointer (src/store/checkpointer.ts): the writer
 * connection never checkpoints inside a COMMIT, and a worker thread copies
 * the WAL into the database file on its own connection.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store, sqliteOf } from '../../src/store/db.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(checkpoint: 'inline' | 'background', walLimitBytes?: number): Promise<{ store: Store; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const store = (await openStore({ path, synchronous: 'normal', busyTimeoutMs: 1000, migrate: false, checkpoint, ...(walLimitBytes !== undefined ? { walLimitBytes } : {}) }));
  stores.push(store);
  return { store, path };
}

/** ~6 MB in one transaction: more than the 1,000 pages (4 MB) at which SQLite checkpoints by itself. */
async function writeBulk(store: Store): Promise<void> {
  sqliteOf(store).exec('CREATE TABLE IF NOT EXISTS blob (id INTEGER PRIMARY KEY, data BLOB)');
  const insert = sqliteOf(store).prepare('INSERT INTO blob (data) VALUES (randomblob(4000))');
  await store.unit(() => {
    for (let i = 0; i < 1500; i++) insert.run();
  });
}

describe('WAL checkpointer', () => {
  it('background: the writer never checkpoints; the worker copies the WAL into the database file', async () => {
    const { store, path } = (await open('background'));
    expect(sqliteOf(store).pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    await writeBulk(store);
    // The COMMIT itself left the pages in the WAL.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(4_000_000);
    await waitFor(() => statSync(path).size > before + 4_000_000, 10_000, 'the checkpointer to copy the WAL into the database file');
    // The writer keeps working, and a new transaction after a full checkpoint restarts the WAL from its beginning.
    await writeBulk(store);
    expect(sqliteOf(store).prepare('SELECT COUNT(*) FROM blob').pluck().get()).toBe(3000);
  });

  it('background under sustained writes: the WAL stays near its limit instead of growing with every write, and is emptied when the writes pause', async () => {
    const limit = 4 * 1024 * 1024;
    const { store, path } = await open('background', limit);
    const db = sqliteOf(store);
    db.exec('CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB)');
    const insert = db.prepare('INSERT INTO blob (data) VALUES (randomblob(4000))');
    const walSize = (): number => {
      try {
        return statSync(`${path}-wal`).size;
      } catch {
        return 0;
      }
    };
    // 48 MiB in 768 units of 16 pages, with a short pause after each: the writer is busy the whole time.
    let largest = 0;
    for (let i = 0; i < 768; i++) {
      await store.unit(() => {
        for (let j = 0; j < 16; j++) insert.run();
      });
      largest = Math.max(largest, walSize());
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(db.prepare('SELECT COUNT(*) FROM blob').pluck().get()).toBe(768 * 16);
    // PASSIVE alone let the WAL hold everything written (48 MiB and more); emptied at the limit it stays a few MiB.
    expect(largest).toBeLessThan(24 * 1024 * 1024);
    await waitFor(() => walSize() === 0, 10_000, 'the checkpointer to empty the WAL once the writes paused');
  }, 60_000);

  it('inline (SQLite default): the writer keeps its automatic checkpoint', async () => {
    const { store } = (await open('inline'));
    expect(sqliteOf(store).pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
