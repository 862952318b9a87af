/**
 * Where a PostgreSQL check-in's time goes: `npx tsx bench/postgres-profile.ts [n]`
 * checks in `n` new members one at a time through the core and through the
 * hand-written baseline (bench/postgres-baseline.ts), alternating in blocks of
 * 100, each side on a database of its own (dropped after), and prints per
 * check-in: the wall time, the time inside `pg` queries (sent to the answer),
 * the rest (JS between queries), this process's CPU, then each statement's
 * mean time. Not a bench module: a tool for when the `postgres` ratio is low.
 */
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { deepMerge, loadConfig } from '../src/config/load.js';
import { configSchema, type AppConfig } from '../src/config/schema.js';
import { FixedClock } from '../src/core/clock.js';
import { communityDay, monthKey, weekKey } from '../src/core/community-day.js';
import { chatEvent } from './bench-app.js';
import { CHECKIN_AT } from './checkin-sides.js';
import { createBenchDatabase, type BenchDatabase } from './pg-database.js';
import { createPgBaseline } from './postgres-baseline.js';

type Tally = Map<string, { n: number; ms: number }>;

const n = Number(process.argv[2] ?? 1_000);
const BLOCK = 100;
let tally: Tally = new Map();
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const original = proto.query;
proto.query = function (this: unknown, ...args: unknown[]) {
  const t0 = performance.now();
  const q = args[0] as string | { text: string };
  const key = (typeof q === 'string' ? q : q.text).replace(/\s+/g, ' ').slice(0, 60);
  const result = original.apply(this, args) as Promise<unknown>;
  const done = () => {
    const e = tally.get(key) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += performance.now() - t0;
    tally.set(key, e);
  };
  result.then(done, done);
  return result;
};

function appConfig(url: string): AppConfig {
  const base = loadConfig({ REDIS_PREFIX: `qunbot-profile-${process.pid}`, DATABASE_URL: url });
  const config = configSchema.parse(deepMerge(base.config as unknown as Record<string, unknown>, {}));
  config.log.level = 'silent';
  return { config, secrets: base.secrets };
}

const dbs: BenchDatabase[] = [];
const out: string[] = [];
try {
  dbs.push(await createBenchDatabase('profcore'), await createBenchDatabase('profbase'));
  const [coreDb, baseDb] = dbs as [BenchDatabase, BenchDatabase];
  const app = await createApp({ appConfig: appConfig(coreDb.url), logger: pino({ level: 'silent' }), clock: new FixedClock(CHECKIN_AT) });
  const migrated = await createApp({ appConfig: appConfig(baseDb.url), logger: pino({ level: 'silent' }), clock: new FixedClock(CHECKIN_AT) });
  await migrated.stop();
  const { config } = app.appConfig;
  const at = new Date(CHECKIN_AT);
  const day = communityDay(at, config.community.defaults);
  const baseline = createPgBaseline({
    url: baseDb.url,
    poolSize: config.database.poolSize,
    isolation: 'read committed',
    when: { day, week: weekKey(day), month: monthKey(day), at: at.getTime() },
    rules: config.checkin,
    windowMs: config.rateLimit.commands?.windowMs ?? 10_000,
    returnWindowMs: config.lifecycle.nudges.effectDays * 86_400_000,
    replyJson: JSON.stringify([{ text: '✅ Member 12345 签到成功！+10 积分\n🔥 连续签到 1 天 · 今天第 12345 个签到\n积分余额：10' }]),
  });
  const sides = {
    core: async (i: number) => void (await app.router.handle(chatEvent('bench', `u${i}`, `Member ${i}`, '/checkin', `bench-${i}`))),
    baseline: async (i: number) => void (await baseline.checkin('bench', `bench-${i}`, `u${i}`, `Member ${i}`)),
  };
  for (let i = 0; i < 300; i++) {
    await app.router.handle(chatEvent('warm', `w${i}`, `Warm ${i}`, '/checkin', `warm-${i}`));
    await baseline.checkin('warm', `warm-${i}`, `w${i}`, `Warm ${i}`);
  }
  const totals = { core: { wall: 0, cpu: 0, statements: new Map() as Tally }, baseline: { wall: 0, cpu: 0, statements: new Map() as Tally } };
  for (let from = 0; from < n; from += BLOCK) {
    const order = (from / BLOCK) % 2 === 0 ? (['core', 'baseline'] as const) : (['baseline', 'core'] as const);
    for (const name of order) {
      tally = totals[name].statements;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = from; i < Math.min(n, from + BLOCK); i++) await sides[name](i);
      totals[name].wall += performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      totals[name].cpu += (cpu.user + cpu.system) / 1e3;
    }
  }
  const us = (ms: number) => `${((ms / n) * 1e3).toFixed(0)} µs`;
  // Printed after the databases are dropped: a reader that closes the pipe early (| head) must not leave them behind.
  for (const name of ['core', 'baseline'] as const) {
    const t = totals[name];
    const inQueries = [...t.statements.values()].reduce((s, e) => s + e.ms, 0);
    const count = [...t.statements.values()].reduce((s, e) => s + e.n, 0);
    out.push(`${name}: per check-in wall ${us(t.wall)}, in ${(count / n).toFixed(1)} queries ${us(inQueries)}, between them ${us(t.wall - inQueries)}, this process's CPU ${us(t.cpu)}`);
    for (const [key, e] of [...t.statements.entries()].sort((a, b) => b[1].ms - a[1].ms)) out.push(`  ${((e.ms / e.n) * 1e3).toFixed(0).padStart(6)} µs × ${(e.n / n).toFixed(1)}  ${key}`);
  }
  await app.stop();
  await baseline.close();
} finally {
  proto.query = original;
  for (const db of dbs) await db.drop();
}
console.log(out.join('\n'));
