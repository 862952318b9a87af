/**
 * The commit's disk sync off the event loop (database.commitSync: background,
 * src/store/wal-sync.ts): the writer runs at synchronous=OFF, the WAL is
 * fdatasynced in the thread pool, and a unit resolves (so its reply is sent
 * and its after-commit work runs) only after the sync that covers its COMMIT.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import { openStore, sqliteOf, type Store } from '../../src/store/db.js';
import { walSyncer, type WalSyncer } from '../../src/store/wal-sync.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-walsync-'));
  dirs.push(dir);
  return join(dir, 'db.sqlite');
}

/** A sync the test finishes by hand, one call at a time. */
function manualSync(): { syncFile: (fd: number) => Promise<void>; calls: number; finish(): void; fail(err: Error): void } {
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const control = {
    calls: 0,
    syncFile: () =>
      new Promise<void>((resolve, reject) => {
        control.calls++;
        pending.push({ resolve, reject });
      }),
    finish: () => pending.shift()?.resolve(),
    fail: (err: Error) => pending.shift()?.reject(err),
  };
  return control;
}

function writer(path: string): { db: Database.Database; insert: Database.Statement; count: () => number } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const reader = new Database(path, { readonly: true });
  cleanups.push(() => {
    reader.close();
    db.close();
  });
  return { db, insert: db.prepare('INSERT INTO t (v) VALUES (?)'), count: () => reader.prepare('SELECT COUNT(*) AS n FROM t').pluck().get() as number };
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('commit sync in the thread pool', () => {
  it('a unit resolves only after the sync that covers its COMMIT, and the next batch commits meanwhile', async () => {
    const path = tempPath();
    const { db, insert, count } = writer(path);
    const control = manualSync();
    const syncer: WalSyncer = walSyncer(path, control.syncFile);
    cleanups.push(() => syncer.close());
    const commits = new GroupCommit(db, 64, () => syncer.sync());

    const first = commits.run(() => insert.run('a'));
    await waitFor(async () => control.calls === 1, 5000, 'the first sync to start');
    // Committed (another connection sees it) but not yet synced: nobody is told.
    expect(count()).toBe(1);
    expect(await settled(first)).toBe(false);

    // The next unit runs and commits while the disk syncs the first.
    const second = commits.run(() => insert.run('b'));
    await waitFor(async () => count() === 2, 5000, 'the second commit');
    expect(await settled(second)).toBe(false);
    // One sync at a time: the second waits for the next one.
    expect(control.calls).toBe(1);

    control.finish();
    await first;
    expect(await settled(second)).toBe(false);
    await waitFor(async () => control.calls === 2, 5000, 'the second sync');
    control.finish();
    await second;
    expect(syncer.syncs).toBe(2);
  });

  it('batches that commit during one sync share the next', async () => {
    const path = tempPath();
    const { db, insert } = writer(path);
    const control = manualSync();
    const syncer = walSyncer(path, control.syncFile);
    cleanups.push(() => syncer.close());
    const commits = new GroupCommit(db, 1, () => syncer.sync());

    const first = commits.run(() => insert.run('a'));
    await waitFor(async () => control.calls === 1, 5000, 'the first sync');
    // maxBatch 1: three more transactions, each committed while the first sync runs.
    const more = [commits.run(() => insert.run('b')), commits.run(() => insert.run('c')), commits.run(() => insert.run('d'))];
    await waitFor(async () => (db.prepare('SELECT COUNT(*) FROM t').pluck().get() as number) === 4, 5000, 'three more commits');
    control.finish();
    await first;
    await waitFor(async () => control.calls === 2, 5000, 'one more sync');
    control.finish();
    await Promise.all(more);
    expect(control.calls).toBe(2);
  });

  it('a failed sync fails the units it covers: nobody is told their write is done', async () => {
    const path = tempPath();
    const { db, insert } = writer(path);
    const control = manualSync();
    const syncer = walSyncer(path, control.syncFile);
    cleanups.push(() => syncer.close());
    const commits = new GroupCommit(db, 64, () => syncer.sync());
    const unit = commits.run(() => insert.run('a'));
    await waitFor(async () => control.calls === 1, 5000, 'the sync');
    control.fail(new Error('EIO'));
    await expect(unit).rejects.toThrow('EIO');
  });

  it('the store: the writer at OFF, the real fdatasync on the WAL, data readable after reopening', async () => {
    const path = tempPath();
    const store: Store = await openStore({ path, synchronous: 'full', busyTimeoutMs: 1000, migrate: false, checkpoint: 'background', commitSync: 'background' });
    let open = true;
    cleanups.push(async () => {
      if (open) await store.close();
    });
    const sqlite = sqliteOf(store);
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(0);
    sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.unit(() => insert.run(`row ${i}`))));
    await store.close();
    open = false;
    const again = new Database(path, { readonly: true });
    expect(again.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(50);
    again.close();
  });

  it('is refused without the background checkpointer or with synchronous normal', async () => {
    const path = tempPath();
    await expect(openStore({ path, synchronous: 'full', busyTimeoutMs: 1000, migrate: false, checkpoint: 'inline', commitSync: 'background' })).rejects.toThrow(/commitSync: background needs/);
    const configFile = join(tempPath(), '..', 'config.yaml');
    writeFileSync(configFile, 'database:\n  commitSync: background\n');
    expect(() => loadConfig({ CONFIG_FILE: configFile })).toThrow(/database\.commitSync/);
    writeFileSync(configFile, 'database:\n  commitSync: background\n  checkpoint: background\n');
    expect(loadConfig({ CONFIG_FILE: configFile }).config.database.commitSync).toBe('background');
  });
});
