/**
 * `npm run backup` / `npm run restore` (src/ops/backup.ts): an online backup
 * taken while check-ins and grants run is a consistent snapshot, restores to a
 * fresh path, and restore refuses garbage, foreign SQLite files and a
 * database that is in use.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runBackupCli } from '../../src/backup-cli.js';
import { FixedClock } from '../../src/core/clock.js';
import { BackupError, backupDatabase, restoreDatabase } from '../../src/ops/backup.js';
import { ledgerMismatches } from '../helpers/ledger.js';
import { testEngine } from '../helpers/pg.js';
import { testApps } from '../helpers/app.js';
import { sqliteOf, sqliteSql } from '../../src/store/db.js';

const app = testApps();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'qunbot-backup-'));
  dirs.push(d);
  return d;
}

function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

async function expectRefused(fn: () => unknown, message: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(BackupError);
  expect((caught as Error).message).toMatch(message);
}

// Backups of the SQLite file (PostgreSQL deployments use pg_dump, see the README).
describe.skipIf(testEngine() === 'postgres')('database backup and restore', () => {
  it('a backup taken under concurrent check-ins and grants restores to a consistent database at a fresh path', async () => {
    const clock = new FixedClock('2026-11-01T04:00:00Z');
    const t = (await app({ clock }));
    const source = t.app.appConfig.config.database.path;
    const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
    for (const u of users) await t.chat.say(u, '/help');

    let stop = false;
    let ops = 0;
    // Each member checks in and is granted points, in parallel loops (group-committed together).
    const load = Promise.all(
      users.map(async (u, i) => {
        for (let round = 0; !stop && round < 400; round++) {
          await t.chat.say(u, '/checkin');
          await t.chat.say('admin', `/grant ${u} ${1 + ((round + i) % 7)} load`);
          ops += 2;
          if (i === 0 && round % 5 === 4) clock.advance(86_400_000);
        }
      }),
    );
    while (ops < 60) await new Promise((r) => setTimeout(r, 5));
    const dir = tempDir();
    const backupFile = join(dir, 'mid-load.sqlite');
    const report = await backupDatabase(source, backupFile);
    const opsAtBackup = ops;
    // Keep the load going after the backup, so the live database moves on.
    while (ops < opsAtBackup + 60) await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await load;

    expect(report.migrations).toBeGreaterThan(0);
    expect(existsSync(`${backupFile}-wal`)).toBe(false);
    const fresh = join(dir, 'new', 'data', 'restored.sqlite');
    const r = restoreDatabase(backupFile, fresh);
    expect(r).toMatchObject({ replaced: false, migrations: report.migrations, removed: [] });

    const copy = new Database(fresh, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const copied = count(copy, 'points_ledger');
      const live = count(sqliteOf(t.app.store), 'points_ledger');
      // Taken mid-load: some writes, not all of them.
      expect(copied).toBeGreaterThan(0);
      expect(copied).toBeLessThan(live);
      expect(count(copy, 'member_points')).toBeGreaterThan(0);
      expect(await ledgerMismatches(sqliteSql(copy))).toEqual([]);
    } finally {
      copy.close();
    }
    expect((await ledgerMismatches(t.app.store.sql))).toEqual([]);
    // The check can fail: one balance off by a point is found.
    const tampered = new Database(fresh);
    tampered.exec('UPDATE member_points SET balance = balance + 1 WHERE member_id = (SELECT min(member_id) FROM member_points)');
    expect(await ledgerMismatches(sqliteSql(tampered))).toHaveLength(1);
    tampered.close();
  }, 60_000);

  it('refuses to overwrite a backup without --force (and the database itself even with it), and overwrites with it', async () => {
    const t = (await app());
    await t.chat.say('alice', '/checkin');
    const dir = tempDir();
    const file = join(dir, 'b.sqlite');
    writeFileSync(file, 'keep me');
    await expectRefused(() => backupDatabase(t.app.appConfig.config.database.path, file), /exists; pass --force/);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    await backupDatabase(t.app.appConfig.config.database.path, file, { force: true });
    const copy = new Database(file, { readonly: true });
    expect(count(copy, 'points_ledger')).toBe(1);
    copy.close();
    await expectRefused(() => backupDatabase(join(dir, 'missing.sqlite'), join(dir, 'c.sqlite')), /no database at/);
    const live = t.app.appConfig.config.database.path;
    await expectRefused(() => backupDatabase(live, live, { force: true }), /is the database itself/);
    await expectRefused(() => restoreDatabase(live, live), /is the database itself/);
    expect(count(sqliteOf(t.app.store), 'points_ledger')).toBe(1);
  });

  it('restore refuses a missing file, a garbage file, a foreign SQLite file and a database in use, changing nothing', async () => {
    const t = (await app());
    await t.chat.say('alice', '/checkin');
    const live = t.app.appConfig.config.database.path;
    const dir = tempDir();
    const target = join(dir, 'target.sqlite');

    await expectRefused(() => restoreDatabase(join(dir, 'nope.sqlite'), target), /no such file/);
    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, 'this is not a database, just some text '.repeat(200));
    await expectRefused(() => restoreDatabase(garbage, target), /is not a SQLite database/);
    await expectRefused(() => restoreDatabase(garbage, join(dir, 'new', 'target.sqlite')), /is not a SQLite database/);
    expect(existsSync(join(dir, 'new'))).toBe(false);
    const corrupt = join(dir, 'corrupt.sqlite');
    writeFileSync(corrupt, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0x5a)]));
    await expectRefused(() => restoreDatabase(corrupt, target), /corrupt\.sqlite/);
    const foreign = join(dir, 'foreign.sqlite');
    const other = new Database(foreign);
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    await expectRefused(() => restoreDatabase(foreign, target), /not a qunbot database/);
    expect(existsSync(target)).toBe(false);

    // A good backup, restored over the database of the running app: refused, the live data stays.
    const good = join(dir, 'good.sqlite');
    await backupDatabase(live, good);
    await t.chat.say('bob', '/checkin');
    await expectRefused(() => restoreDatabase(good, live), /is in use/);
    expect(count(sqliteOf(t.app.store), 'points_ledger')).toBe(2);
    // No temporary files are left behind by the refusals.
    const leftovers = readdirSync(dir).filter((f) => f.startsWith('.'));
    expect(leftovers).toEqual([]);
  });

  it('the CLI restores over a stopped database, removing its stale -wal/-shm', async () => {
    const t = (await app());
    await t.chat.say('alice', '/checkin');
    const live = t.app.appConfig.config.database.path;
    const dir = tempDir();
    const printed: string[] = [];
    const capture = (chunk: string | Uint8Array): boolean => (printed.push(String(chunk)), true);
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const backupFile = join(dir, 'cli.sqlite');
    expect(await runBackupCli(['backup', backupFile], { DATABASE_PATH: live })).toBe(0);
    expect(await runBackupCli(['backup', backupFile], { DATABASE_PATH: live })).toBe(1);

    // A stopped bot's database with newer data and leftover sidecar files.
    const target = join(dir, 'stopped.sqlite');
    expect(await runBackupCli(['backup', target], { DATABASE_PATH: live })).toBe(0);
    const stopped = new Database(target);
    stopped.exec('DELETE FROM points_ledger');
    stopped.close();
    writeFileSync(`${target}-wal`, 'stale');
    writeFileSync(`${target}-shm`, 'stale');
    expect(await runBackupCli(['restore', backupFile], { DATABASE_PATH: target })).toBe(0);
    expect(existsSync(`${target}-wal`)).toBe(false);
    expect(existsSync(`${target}-shm`)).toBe(false);
    const db = new Database(target, { readonly: true });
    expect(count(db, 'points_ledger')).toBe(1);
    db.close();
    expect(await runBackupCli(['restore'], { DATABASE_PATH: target })).toBe(1);
    vi.restoreAllMocks();
    const text = printed.join('');
    expect(text).toMatch(/Backed up .*cli\.sqlite: \d+ bytes, \d+ pages, \d+ migrations, integrity ok/);
    expect(text).toMatch(/cli\.sqlite exists; pass --force to overwrite it/);
    expect(text).toContain(`Removed stale ${target}-wal, ${target}-shm.`);
    expect(text).toMatch(/Restored .*cli\.sqlite → .*stopped\.sqlite \(replaced the previous database\)/);
    expect(text).toContain('usage: npm run restore -- <backup-file>');
  });
});
