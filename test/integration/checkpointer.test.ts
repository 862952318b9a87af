/**
 * The background WAL checkpointer (src/store/checkpointer.ts): the writer
 * connection never checkpoints inside a COMMIT, and a worker thread copies
 * the WAL into the database file on its own connection.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(checkpoint: 'inline' | 'background'): { store: Store; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const store = openStore({ path, synchronous: 'normal', busyTimeoutMs: 1000, migrate: false, checkpoint });
  stores.push(store);
  return { store, path };
}

/** ~6 MB in one transaction: more than the 1,000 pages (4 MB) at which SQLite checkpoints by itself. */
function writeBulk(store: Store): void {
  store.sqlite.exec('CREATE TABLE IF NOT EXISTS blob (id INTEGER PRIMARY KEY, data BLOB)');
  const insert = store.sqlite.prepare('INSERT INTO blob (data) VALUES (randomblob(4000))');
  store.write(() => {
    for (let i = 0; i < 1500; i++) insert.run();
  });
}

describe('WAL checkpointer', () => {
  it('background: the writer never checkpoints; the worker copies the WAL into the database file', async () => {
    const { store, path } = open('background');
    expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    writeBulk(store);
    // The COMMIT itself left the pages in the WAL.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(4_000_000);
    await waitFor(() => statSync(path).size > before + 4_000_000, 10_000, 'the checkpointer to copy the WAL into the database file');
    // The writer keeps working, and a new transaction after a full checkpoint restarts the WAL from its beginning.
    writeBulk(store);
    expect(store.sqlite.prepare('SELECT COUNT(*) FROM blob').pluck().get()).toBe(3000);
  });

  it('inline (SQLite default): the writer keeps its automatic checkpoint', () => {
    const { store } = open('inline');
    expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
