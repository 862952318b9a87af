/**
 * Check-ins on PostgreSQL: `/checkin` through the whole core (parse → router →
 * feature → one READ COMMITTED transaction under the member's lock: `await
 * app.router.handle(event)` on a real app with DATABASE_URL) against the same
 * statements written by hand on the same `pg` driver (bench/postgres-baseline.ts),
 * in the same run, on the server at BENCH_PG_URL (default the local one). Each
 * side has a database of its own, created for the run and dropped after it
 * (bench/pg-database.ts).
 *
 * Cases: one check-in at a time (new members, as bench/checkin.ts on SQLite);
 * 32 in flight in one community (every check-in bumps the community's
 * day-count row: the day-start rush of one big group); 32 in flight over 32
 * communities, new members and returning members (yesterday's check-ins
 * seeded in bulk, bench/postgres-seed.ts: the steady state). Core and
 * baseline alternate in blocks (bench/interleave.ts) so that load from other
 * work on the shared machine hits both alike. The baseline runs at the core's
 * isolation for a check-in (READ COMMITTED with the member's advisory lock,
 * same pool size), so the ratio is what the core's code costs; a SERIALIZABLE
 * baseline beside it (the isolation every unit had before, retried on
 * 40001/40P01) shows what that isolation costs under concurrency. A check-in whose unit still fails
 * after the last retry (the member gets the apology) is counted, not timed as
 * a success: throughput is successful check-ins per second.
 */
import pg from 'pg';
import { pino } from 'pino';
import { createApp, type App } from '../src/app.js';
import { deepMerge, loadConfig } from '../src/config/load.js';
import { configSchema, type AppConfig } from '../src/config/schema.js';
import { FixedClock } from '../src/core/clock.js';
import { addDays, communityDay, monthKey, weekKey } from '../src/core/community-day.js';
import { coreMessages } from '../src/core/messages.js';
import type { RouteResult } from '../src/core/router.js';
import { chatEvent } from './bench-app.js';
import { CHECKIN_AT } from './checkin-sides.js';
import { median, nowNs, type BenchContext, type BenchModule, type BenchRow } from './harness.js';
import { interleave, type Side, type SideRun } from './interleave.js';
import { BENCH_PG_ADMIN_URL, createBenchDatabase, dropOrphanedBenchDatabases, postgresReachable, type BenchDatabase } from './pg-database.js';
import { createPgBaseline, type Isolation } from './postgres-baseline.js';
import { seedYesterday } from './postgres-seed.js';

const TARGET_RATIO = 0.8;
const TABLES = ['inbound_events', 'command_windows', 'communities', 'members', 'member_accounts', 'checkins', 'checkin_streaks', 'checkin_day_counts', 'points_ledger', 'member_points', 'points_periods', 'member_activity', 'deliveries'];
/** About as long as the reply the core stores; the baseline renders nothing. */
const REPLY_JSON = JSON.stringify([{ text: '✅ Member 12345 签到成功！+10 积分\n🔥 连续签到 1 天 · 今天第 12345 个签到\n积分余额：10' }]);
const DAY_MS = 86_400_000;
/** Check-ins whose statements are counted (outside the timed blocks). */
const SAMPLE = 10;

interface Case {
  key: string;
  label: string;
  concurrency: number;
  /** Check-in i goes to community `bench${i % communities}`. */
  communities: number;
  /** Members checked in yesterday (seeded), so today's check-ins are their second. */
  returning: boolean;
  /** Also run the SERIALIZABLE baseline (a third side). */
  serializable: boolean;
}

const CASES: readonly Case[] = [
  { key: 'c1', label: '1 in flight', concurrency: 1, communities: 1, returning: false, serializable: false },
  { key: 'c32', label: '32 in flight, one community', concurrency: 32, communities: 1, returning: false, serializable: true },
  { key: 'c32x32', label: '32 in flight, 32 communities', concurrency: 32, communities: 32, returning: false, serializable: true },
  { key: 'c32ret', label: '32 in flight, 32 communities, returning members', concurrency: 32, communities: 32, returning: true, serializable: true },
];

interface Plan {
  n: number;
  warmup: number;
  reps: number;
  block: number;
  /** A repetition stops at the first round boundary after this much timed work per side. */
  budgetMsPerSide: number;
}

/** A side plus what it counts: transactions begun (attempts), failed check-ins and the rows in its database. */
interface PgSide extends Side {
  transactions(): number;
  failures(): number;
  /** Statements sent per check-in over SAMPLE check-ins (1-in-flight case only). */
  statements?: number;
  db: BenchDatabase;
  close(): Promise<void>;
}

interface CaseRun {
  sides: SideRun[];
  /** Attempts beyond the first, per side name, over the timed check-ins. */
  retries: Record<string, number>;
  /** Check-ins that failed after the last attempt, per side name. */
  failures: Record<string, number>;
}

export const postgresBench: BenchModule = {
  name: 'postgres',
  description: '/checkin through router.handle on PostgreSQL vs hand-written pg: 1 and 32 in flight, retries',
  async run(ctx) {
    const version = await postgresReachable();
    if (!version) throw new Error(`no PostgreSQL at ${BENCH_PG_ADMIN_URL} (set BENCH_PG_URL to a server where this user may CREATE DATABASE)`);
    for (const name of await dropOrphanedBenchDatabases()) ctx.log(`dropped ${name}, left behind by a bench process that is gone`);
    const plan = (c: Case): Plan =>
      ctx.quick
        ? { n: c.concurrency === 1 ? 400 : 640, warmup: 100, reps: 1, block: c.concurrency === 1 ? 100 : 320, budgetMsPerSide: 1_000 }
        : { n: c.concurrency === 1 ? 4_000 : 6_400, warmup: 200, reps: 3, block: c.concurrency === 1 ? 250 : 640, budgetMsPerSide: c.concurrency === 1 ? 5_000 : 4_000 };
    const rows: BenchRow[] = [];
    let statements: { core: number; baseline: number } | undefined;
    let poolSize = 0;
    for (const c of CASES) {
      const runs: CaseRun[] = [];
      for (let rep = 0; rep < plan(c).reps; rep++) {
        const out = await runCase(ctx, c, plan(c), rep);
        runs.push(out.run);
        statements ??= out.statements;
        poolSize = out.poolSize;
        const fmt = (s: SideRun) => `${Math.round(goodput(out.run, s.name))} ok/s (p50 ${(s.latency.p50Us / 1e3).toFixed(1)} ms, p99 ${(s.latency.p99Us / 1e3).toFixed(1)} ms, ${out.run.retries[s.name]} retries, ${out.run.failures[s.name]} failed)`;
        ctx.log(`${c.label} rep ${rep + 1}, n=${out.run.sides[0]?.n}: ${out.run.sides.map((s) => `${s.name} ${fmt(s)}`).join('; ')}`);
      }
      rows.push(...caseRows(c, runs));
    }
    if (statements) rows.push(statementsRow(statements));
    const first = rows[0] as BenchRow;
    first.note = `${first.note ?? ''}; PostgreSQL ${version} on this machine (synchronous_commit on), ${poolSize} pooled connections per side (config database.poolSize)`;
    return rows;
  },
};

/** Successful check-ins per second of a side. */
function goodput(run: CaseRun, name: string): number {
  const s = run.sides.find((x) => x.name === name) as SideRun;
  return s.opsPerSec * ((s.n - (run.failures[name] ?? 0)) / s.n);
}

async function runCase(ctx: BenchContext, c: Case, plan: Plan, rep: number): Promise<{ run: CaseRun; statements?: { core: number; baseline: number }; poolSize: number }> {
  const opened: PgSide[] = [];
  try {
    const core = await coreSide(c, plan, `${c.key}r${rep}c`);
    opened.push(core);
    const { appConfig } = core;
    const base = await baselineSide(c, plan, 'read committed', `${c.key}r${rep}b`, appConfig);
    opened.push(base);
    if (c.serializable) opened.push(await baselineSide(c, plan, 'serializable', `${c.key}r${rep}s`, appConfig));
    ctx.log(`${c.label}: databases ${opened.map((s) => s.db.name).join(', ')}`);
    const before = opened.map((s) => s.transactions());
    const sides = await interleave(opened, { n: plan.n, block: plan.block, budgetMs: plan.budgetMsPerSide * opened.length, rep });
    const done = sides[0]?.n ?? 0;
    const retries: Record<string, number> = {};
    const failures: Record<string, number> = {};
    opened.forEach((s, i) => {
      failures[s.name] = s.failures();
      // Every timed check-in began at least once; a failed one spent all its attempts.
      retries[s.name] = s.transactions() - (before[i] as number) - done;
    });
    // A failed check-in leaves no rows: the sides can agree only when none failed.
    if (Object.values(failures).every((f) => f === 0)) await assertSameRows(opened, done);
    const statements = core.statements !== undefined && base.statements !== undefined ? { core: core.statements, baseline: base.statements } : undefined;
    return { run: { sides, retries, failures }, ...(statements ? { statements } : {}), poolSize: appConfig.config.database.poolSize };
  } finally {
    for (const side of opened.reverse()) await side.close().catch((err: unknown) => ctx.log(`closing ${side.name}: ${String(err)}`));
  }
}

function pgAppConfig(url: string, tag: string): AppConfig {
  const base = loadConfig({ REDIS_PREFIX: `qunbot-bench-${process.pid}-${tag}`, DATABASE_URL: url });
  const config = configSchema.parse(deepMerge(base.config as unknown as Record<string, unknown>, {}));
  config.log.level = 'silent';
  return { config, secrets: base.secrets };
}

/** Runs `fn(i)` for i in [from, to) with `concurrency` in flight; each one's latency (ns) into `lat[i]`; returns the elapsed ns. */
async function fanOut(from: number, to: number, concurrency: number, lat: Float64Array, fn: (i: number) => Promise<void>): Promise<number> {
  let next = from;
  const start = nowNs();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, to - from) }, async () => {
      while (next < to) {
        const i = next++;
        const t0 = nowNs();
        await fn(i);
        lat[i] = nowNs() - t0;
      }
    }),
  );
  return nowNs() - start;
}

/** Counts the queries `pg` clients send while `fn` runs: each is a round trip (node-postgres sends one query at a time per connection). */
async function countStatements(fn: () => Promise<void>): Promise<number> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let n = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return n;
}

interface Member {
  community: string;
  delivery: string;
  user: string;
  name: string;
}

/** Timed check-in i; new members and returning ones have the same names (the seed's). */
function member(c: Case, i: number): Member {
  return { community: `bench${i % c.communities}`, delivery: `bench-${i}`, user: `u${i}`, name: `Member ${i}` };
}

/**
 * What every side does before it is timed: yesterday's rows (returning
 * members), then two members one at a time in each community (its row and
 * the cached id), then warm-up members in communities of their own, 10 at a
 * time (JIT, prepared statements on the pooled connections, no contention).
 */
async function prepare(c: Case, plan: Plan, db: BenchDatabase, config: AppConfig['config'], checkin: (m: Member) => Promise<boolean>): Promise<void> {
  if (c.returning) {
    const at = new Date(new Date(CHECKIN_AT).getTime() - DAY_MS);
    await seedYesterday(db, { communities: c.communities, members: plan.n, day: communityDay(at, config.community.defaults), at: at.getTime(), points: config.checkin.basePoints, replyJson: REPLY_JSON });
  }
  const must = async (m: Member) => {
    if (!(await checkin(m))) throw new Error(`check-in ${m.delivery} failed with nothing else running`);
  };
  for (let k = 0; k < c.communities; k++) {
    for (const j of [0, 1]) await must({ community: `bench${k}`, delivery: `first-${k}-${j}`, user: `f${k}x${j}`, name: `First ${k} ${j}` });
  }
  // A warm-up check-in that failed on contention is done again alone, so that every side ends the warm-up with the same rows.
  const failed: Member[] = [];
  await fanOut(0, plan.warmup, 10, new Float64Array(plan.warmup), async (i) => {
    const m = { community: `warm${i}`, delivery: `warm-${i}`, user: `w${i}`, name: `Warm ${i}` };
    if (!(await checkin(m))) failed.push(m);
  });
  for (const m of failed) await must(m);
}

async function sampleStatements(c: Case, checkin: (m: Member) => Promise<boolean>): Promise<number | undefined> {
  if (c.concurrency !== 1 || c.returning) return undefined;
  const n = await countStatements(async () => {
    for (let i = 0; i < SAMPLE; i++) void (await checkin({ community: `bench${i % c.communities}`, delivery: `sample-${i}`, user: `s${i}`, name: `Sample ${i}` }));
  });
  return n / SAMPLE;
}

async function coreSide(c: Case, plan: Plan, tag: string): Promise<PgSide & { appConfig: AppConfig }> {
  const db = await createBenchDatabase(tag);
  let app: App | undefined;
  try {
    const appConfig = pgAppConfig(db.url, tag);
    app = await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: new FixedClock(CHECKIN_AT) });
    const live = app;
    const apology = Object.values(coreMessages['core.internalError']);
    let failed = 0;
    let timed = false;
    /** False when the unit still failed after its last retry (the member gets the apology; counted when timed); anything else is a bench error. */
    const checkin = async (m: Member): Promise<boolean> => {
      const r: RouteResult = await live.router.handle(chatEvent(m.community, m.user, m.name, '/checkin', m.delivery));
      const reply = r.replies[0];
      if (!r.duplicate && r.replies.length === 1 && reply?.ephemeral && apology.includes(reply.text)) {
        if (timed) failed++;
        return false;
      }
      if (r.duplicate || r.replies.length !== 1 || !reply || reply.ephemeral) throw new Error(`core check-in ${m.delivery} did not succeed: ${JSON.stringify(r)}`);
      return true;
    };
    await prepare(c, plan, db, appConfig.config, checkin);
    const statements = await sampleStatements(c, checkin);
    const events = Array.from({ length: plan.n }, (_, i) => member(c, i));
    timed = true;
    return {
      name: 'core',
      db,
      appConfig,
      ...(statements !== undefined ? { statements } : {}),
      transactions: () => live.store.unitTransactions(),
      failures: () => failed,
      block: (from, to, lat) => fanOut(from, to, c.concurrency, lat, async (i) => void (await checkin(events[i] as Member))),
      async close() {
        try {
          await live.stop();
        } finally {
          await db.drop();
        }
      },
    };
  } catch (err) {
    await app?.stop().catch(() => undefined);
    await db.drop();
    throw err;
  }
}

async function baselineSide(c: Case, plan: Plan, isolation: Isolation, tag: string, appConfig: AppConfig): Promise<PgSide> {
  const db = await createBenchDatabase(tag);
  const { config } = appConfig;
  try {
    // The app's migrations, applied by opening (and closing) an app on the database; the statements are the baseline's.
    const migrated = await createApp({ appConfig: pgAppConfig(db.url, tag), logger: pino({ level: 'silent' }), clock: new FixedClock(CHECKIN_AT) });
    await migrated.stop();
  } catch (err) {
    await db.drop();
    throw err;
  }
  const at = new Date(CHECKIN_AT);
  const day = communityDay(at, config.community.defaults);
  const baseline = createPgBaseline({
    url: db.url,
    poolSize: config.database.poolSize,
    isolation,
    when: { day, week: weekKey(day), month: monthKey(day), at: at.getTime() },
    rules: config.checkin,
    windowMs: config.rateLimit.commands?.windowMs ?? 10_000,
    returnWindowMs: config.lifecycle.nudges.effectDays * DAY_MS,
    replyJson: REPLY_JSON,
  });
  try {
    if (addDays(day, -1) !== communityDay(new Date(at.getTime() - DAY_MS), config.community.defaults)) throw new Error('yesterday is not the day before');
    let failed = 0;
    let timed = false;
    // As the core: a unit still failing on 40001/40P01 after its last attempt fails the check-in; anything else is a bench error.
    const checkin = async (m: Member): Promise<boolean> => {
      try {
        await baseline.checkin(m.community, m.delivery, m.user, m.name);
        return true;
      } catch (err) {
        if (!isRetryable(err)) throw err;
        if (timed) failed++;
        return false;
      }
    };
    await prepare(c, plan, db, config, checkin);
    const statements = await sampleStatements(c, checkin);
    timed = true;
    return {
      name: isolation === 'read committed' ? 'baseline' : 'serializable',
      db,
      ...(statements !== undefined ? { statements } : {}),
      transactions: () => baseline.transactions(),
      failures: () => failed,
      block: (from, to, lat) => fanOut(from, to, c.concurrency, lat, async (i) => void (await checkin(member(c, i)))),
      async close() {
        try {
          await baseline.close();
        } finally {
          await db.drop();
        }
      },
    };
  } catch (err) {
    await baseline.close().catch(() => undefined);
    await db.drop();
    throw err;
  }
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** Every side must have written the same rows, or the comparison is of different work. */
async function assertSameRows(sides: readonly PgSide[], timed: number): Promise<void> {
  const counts = await Promise.all(
    sides.map(async (s) => {
      const one = async (sql: string) => Number((await s.db.query<{ n: string }>(sql))[0]?.n);
      const out: Record<string, number> = {};
      for (const t of TABLES) out[t] = await one(`SELECT COUNT(*) AS n FROM ${t}`);
      out['sum(balance)'] = await one('SELECT COALESCE(SUM(balance), 0) AS n FROM member_points');
      out['sum(streak)'] = await one('SELECT COALESCE(SUM(streak), 0) AS n FROM checkin_streaks');
      out['replies stored'] = await one('SELECT COUNT(*) AS n FROM inbound_events WHERE reply_json IS NOT NULL');
      out['sum(day counts)'] = await one('SELECT COALESCE(SUM(count), 0) AS n FROM checkin_day_counts');
      return out;
    }),
  );
  const first = counts[0] as Record<string, number>;
  for (let i = 1; i < sides.length; i++) {
    const other = counts[i] as Record<string, number>;
    const diff = Object.keys(first).filter((k) => first[k] !== other[k]);
    if (diff.length) throw new Error(`${sides[0]?.name} and ${sides[i]?.name} wrote different rows after ${timed} timed check-ins: ${diff.map((k) => `${k} ${first[k]} vs ${other[k]}`).join(', ')}`);
  }
}

function caseRows(c: Case, runs: readonly CaseRun[]): BenchRow[] {
  const side = (run: CaseRun, name: string) => run.sides.find((s) => s.name === name) as SideRun;
  const ops = (name: string) => median(runs.map((r) => goodput(r, name)));
  const lat = (name: string) => ({ p50Us: median(runs.map((r) => side(r, name).latency.p50Us)), p99Us: median(runs.map((r) => side(r, name).latency.p99Us)) });
  const n = Math.min(...runs.map((r) => side(r, 'core').n));
  const per1k = (r: CaseRun, name: string) => ((r.retries[name] ?? 0) / side(r, name).n) * 1e3;
  const paired = runs.map((r) => goodput(r, 'core') / goodput(r, 'baseline'));
  const ratio = median(paired);
  const counts = (name: string) => `${runs.map((r) => r.retries[name] ?? 0).join('/')} retries, ${runs.map((r) => r.failures[name] ?? 0).join('/')} failed`;
  const rows: BenchRow[] = [
    {
      name: `core /checkin on PostgreSQL (${c.label})`,
      value: ops('core'),
      unit: 'ops/s',
      ...lat('core'),
      n,
      reps: runs.map((r) => goodput(r, 'core')),
      baseline: { name: 'hand-written pg, READ COMMITTED + member lock', value: ops('baseline') },
      note: `await router.handle, default config + DATABASE_URL${c.returning ? '; members checked in yesterday (seeded)' : ''}; ${counts('core')} over the reps`,
      data: { runs: runs.map((r) => ({ ...side(r, 'core').latency, okPerSec: goodput(r, 'core'), retries: r.retries.core, failures: r.failures.core })) },
    },
    {
      name: `baseline hand-written pg, READ COMMITTED + member lock (${c.label})`,
      value: ops('baseline'),
      unit: 'ops/s',
      ...lat('baseline'),
      n,
      reps: runs.map((r) => goodput(r, 'baseline')),
      note: `same statements (named), one transaction each, same pool size and retry; ${counts('baseline')}`,
    },
    {
      name: `ratio core/baseline (${c.label})`,
      value: ratio,
      unit: 'x',
      reps: paired,
      target: { op: '>=', value: TARGET_RATIO },
      note: `target ≥ ${TARGET_RATIO.toFixed(2)}: ${ratio >= TARGET_RATIO ? 'OK' : 'BELOW TARGET'}; reps ${paired.map((r) => r.toFixed(2)).join(' / ')}`,
    },
  ];
  if (c.concurrency > 1) {
    const failed = median(runs.map((r) => ((r.failures.core ?? 0) / side(r, 'core').n) * 1e3));
    rows.push({
      name: `core retries per 1,000 check-ins (${c.label})`,
      value: median(runs.map((r) => per1k(r, 'core'))),
      unit: 'retries',
      reps: runs.map((r) => per1k(r, 'core')),
      baseline: { name: 'hand-written pg, READ COMMITTED + member lock', value: median(runs.map((r) => per1k(r, 'baseline'))) },
      note: `units rolled back on 40001/40P01 and run again (store.unitTransactions() − check-ins); failed after the last of 20 attempts: ${failed.toFixed(1)} per 1,000`,
    });
  }
  if (c.serializable) {
    rows.push({
      name: `hand-written pg, SERIALIZABLE (${c.label})`,
      value: ops('serializable'),
      unit: 'ops/s',
      ...lat('serializable'),
      n,
      reps: runs.map((r) => goodput(r, 'serializable')),
      baseline: { name: 'hand-written pg, READ COMMITTED + member lock', value: ops('baseline') },
      note: `what SERIALIZABLE would cost (every unit's isolation before check-ins moved to READ COMMITTED): the same statements, retried on 40001/40P01; ${counts('serializable')}`,
    });
  }
  return rows;
}

function statementsRow(s: { core: number; baseline: number }): BenchRow {
  if (s.core !== s.baseline) throw new Error(`the core sent ${s.core} statements per check-in, the baseline ${s.baseline}: they do not do the same work`);
  return {
    name: 'statements per check-in (round trips), new member',
    value: s.core,
    unit: 'stmts',
    baseline: { name: 'hand-written pg', value: s.baseline },
    note: `BEGIN … COMMIT included, counted on pg.Client.query over ${SAMPLE} check-ins; each waits for the previous one's answer, so a check-in's latency is at least this many round trips`,
  };
}
