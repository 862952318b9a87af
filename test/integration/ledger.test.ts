import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { seededRng } from '../../src/core/rng.js';
import { makeTestApp, testRedisUrl, type TestApp } from '../helpers/app.js';
import { testPgUrl } from '../helpers/pg.js';

function startRacer(databasePath: string, name: string, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/checkin-racer.ts'), databasePath, name, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, REDIS_TEST_URL: testRedisUrl(), PG_TEST_DB_URL: testPgUrl() },
  });
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`racer exited with ${code}`)));
  });
  return { child, next };
}

describe('the points ledger', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('50 simultaneous deliveries of one check-in from two processes award exactly once', async () => {
    t = (await makeTestApp());
    const path = t.app.appConfig.config.database.path;
    const racers = [startRacer(path, 'a', 25), startRacer(path, 'b', 25)];
    expect(await Promise.all(racers.map((r) => r.next()))).toEqual(['ready', 'ready']);
    const results = racers.map((r) => r.next());
    for (const r of racers) r.child.stdin.write('go\n');
    const awarded = (await Promise.all(results)).map((line) => (JSON.parse(line) as { awarded: number }).awarded);
    expect(awarded.reduce((a, b) => a + b, 0)).toBe(1);
    const sqlite = t.app.store.sql;
    expect((await sqlite.prepare('SELECT COUNT(*) AS n FROM points_ledger').get())).toEqual({ n: 1 });
    expect((await sqlite.prepare('SELECT COUNT(*) AS n FROM checkins').get())).toEqual({ n: 1 });
    expect((await sqlite.prepare('SELECT balance FROM member_points').get())).toEqual({ balance: 10 });
  }, 60_000);

  it('sum(ledger) == balance for every member after a random mix of check-ins, grants and deductions', async () => {
    const clock = new FixedClock('2026-11-01T04:00:00Z');
    t = (await makeTestApp({ clock }));
    const rng = seededRng(20261123);
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    for (const u of users) await t.chat.say(u, '/help');
    let refusals = 0;
    for (let step = 0; step < 600; step++) {
      const user = users[rng.int(0, users.length)] as string;
      const roll = rng.int(0, 10);
      if (roll < 5) await t.chat.say(user, '/checkin');
      else if (roll < 7) await t.chat.say('admin', `/grant ${user} ${rng.int(1, 50)} bonus`);
      else {
        const reply = await t.chat.say('admin', `/deduct ${user} ${rng.int(1, 60)} penalty`);
        if (reply.includes('不能扣')) refusals++;
      }
      if (rng.int(0, 6) === 0) clock.advance(rng.int(1, 40) * 3_600_000);
      // A retried delivery now and then.
      if (rng.int(0, 20) === 0) await t.chat.send(user, '/checkin', { deliveryId: `retry-${step % 3}` });
    }
    const sqlite = t.app.store.sql;
    const rows = (await sqlite
      .prepare(
        `SELECT p.member_id, p.balance, p.earned,
           (SELECT COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.member_id = p.member_id) AS ledger,
           (SELECT COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.member_id = p.member_id AND kind <> 'spend') AS ledger_earned
         FROM member_points p`,
      )
      .all()) as Array<{ balance: number; earned: number; ledger: number; ledger_earned: number }>;
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      expect(row.balance).toBe(row.ledger);
      expect(row.earned).toBe(row.ledger_earned);
      expect(row.balance).toBeGreaterThanOrEqual(0);
    }
    // The period tables agree with the ledger too.
    const periods = (await sqlite.prepare("SELECT SUM(earned) AS s FROM points_periods WHERE period LIKE '____-__'").get()) as { s: number };
    const earned = (await sqlite.prepare("SELECT SUM(delta) AS s FROM points_ledger WHERE kind <> 'spend'").get()) as { s: number };
    expect(periods.s).toBe(earned.s);
    expect(refusals).toBeGreaterThan(0);
  });

  it('dedupe keys are pruned after two weeks by the reconciler\'s housekeeping, not before', async () => {
    const clock = new FixedClock('2026-11-01T04:00:00Z');
    t = (await makeTestApp({ clock }));
    await t.chat.send('alice', '/checkin', { deliveryId: 'old-1' });
    const count = async () => ((await t?.app.store.sql.prepare('SELECT COUNT(*) AS n FROM inbound_events').get()) as { n: number }).n;
    clock.advance(13 * 86_400_000);
    await t.app.jobs.reconcile();
    expect((await count())).toBe(1);
    clock.advance(2 * 86_400_000);
    // Housekeeping runs at most hourly; a new process (or an hour later) prunes.
    t.app.jobs['lastHousekeeping'] = 0;
    await t.app.jobs.reconcile();
    expect((await count())).toBe(0);
  });
});
