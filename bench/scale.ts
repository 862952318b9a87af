/**
 * Scale-out on PostgreSQL: check-ins per second with N = 1 and N = 2 bot
 * processes (`node dist/src/main.js --role=all`, playground enabled, each on
 * its own HTTP port, all on one PostgreSQL database and one Redis), driven by
 * a separate load process (bench/scale-load.ts: 32 requests in flight, round
 * robin over the processes). Check-ins are handled by whichever process
 * receives the event (workers only run timers and the outbox), so more bot
 * processes is what scales them. Members checked in yesterday (seeded in bulk,
 * bench/postgres-seed.ts), spread over 32 communities: the steady state.
 *
 * Beside the rate: CPU seconds per check-in of the bot processes, of the
 * PostgreSQL backends serving the bench database (from /proc/<pid>/stat), of
 * the load generator, and how busy the whole machine was (/proc/stat), so the
 * row says what limits it. The database, Redis and processes are the run's
 * own and removed after it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { communityDay } from '../src/core/community-day.js';
import { freePort, startRedis } from '../test/setup/redis-server.js';
import { benchConfig } from './bench-app.js';
import { median, type BenchContext, type BenchModule, type BenchRow } from './harness.js';
import { BENCH_PG_ADMIN_URL, createBenchDatabase, dropOrphanedBenchDatabases, postgresReachable, type BenchDatabase } from './pg-database.js';
import { seedYesterday } from './postgres-seed.js';
import type { ScaleLoadOptions, ScaleLoadResult } from './scale-load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONCURRENCY = 32;
const COMMUNITIES = 32;
const DAY_MS = 86_400_000;
const PROCESS_COUNTS = [1, 2] as const;

interface Plan {
  warmupSeconds: number;
  seconds: number;
  reps: number;
  members: number;
}

interface Run {
  processes: number;
  load: ScaleLoadResult;
  /** CPU seconds over the measured phase. */
  botCpu: number;
  pgCpu: number;
  /** The whole machine's busy CPU seconds (every process, other work included) and the wall seconds they were measured over. */
  machineBusy: number;
  wall: number;
  /** Transactions the bench database committed and rolled back in the measured phase (server statistics, flushed about once a second). */
  commits: number;
  rollbacks: number;
  load1: number;
}

let clockTicks = 0;
function ticksPerSecond(): number {
  if (!clockTicks) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process (all its threads), seconds; 0 when it is gone. */
function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine since boot (all cores: everything but idle and iowait). */
function machineBusy(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / ticksPerSecond();
}

async function backendPids(db: BenchDatabase): Promise<number[]> {
  const rows = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return rows.map((r) => Number(r.pid));
}

async function xacts(db: BenchDatabase): Promise<{ commits: number; rollbacks: number }> {
  const row = (await db.query<{ c: string; r: string }>('SELECT xact_commit AS c, xact_rollback AS r FROM pg_stat_database WHERE datname = current_database()'))[0];
  return { commits: Number(row?.c ?? 0), rollbacks: Number(row?.r ?? 0) };
}

interface Bot {
  url: string;
  child: ChildProcess;
  output: () => string;
}

async function startBot(env: Record<string, string>): Promise<Bot> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['dist/src/main.js', '--role=all'], { cwd: ROOT, env: { ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`a bot process exited (${child.exitCode}): ${out.slice(-800)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child, output: () => out };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`a bot process did not become healthy: ${out.slice(-800)}`);
}

async function stopBot(bot: Bot): Promise<void> {
  const { child } = bot;
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Runs `build-if-stale` (dist/ must match src/). */
function buildIfStale(): void {
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export const scaleBench: BenchModule = {
  name: 'scale',
  description: 'check-ins/s with 1 and 2 bot processes on one PostgreSQL, load from a separate process; CPU per check-in',
  async run(ctx) {
    const version = await postgresReachable();
    if (!version) throw new Error(`no PostgreSQL at ${BENCH_PG_ADMIN_URL} (set BENCH_PG_URL to a server where this user may CREATE DATABASE)`);
    for (const name of await dropOrphanedBenchDatabases()) ctx.log(`dropped ${name}, left behind by a bench process that is gone`);
    const plan: Plan = ctx.quick ? { warmupSeconds: 1, seconds: 3, reps: 1, members: 8_000 } : { warmupSeconds: 3, seconds: 10, reps: 3, members: 40_000 };
    ctx.log('building dist/ if stale');
    buildIfStale();
    const redis = await startRedis();
    const runs: Run[] = [];
    try {
      for (let rep = 0; rep < plan.reps; rep++) {
        // ABBA: 1, 2, then 2, 1.
        const order = rep % 2 === 0 ? PROCESS_COUNTS : [...PROCESS_COUNTS].reverse();
        for (const n of order) runs.push(await oneRun(ctx, n, plan, redis.url, `r${rep}n${n}`));
      }
    } finally {
      await redis.stop();
    }
    return rows(runs, plan);
  },
};

async function oneRun(ctx: BenchContext, processes: number, plan: Plan, redisUrl: string, tag: string): Promise<Run> {
  const db = await createBenchDatabase(`scale${tag}`);
  const bots: Bot[] = [];
  try {
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, REDIS_URL: redisUrl, REDIS_PREFIX: `qunbot-bench-scale-${process.pid}-${tag}`, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    // The first process applies the migrations; the seed needs the tables.
    bots.push(await startBot(env));
    const { config } = benchConfig();
    const at = new Date(Date.now() - DAY_MS);
    await seedYesterday(db, { communities: COMMUNITIES, members: plan.members, day: communityDay(at, config.community.defaults), at: at.getTime(), points: config.checkin.basePoints, replyJson: '[{"text":"✅"}]', namedCommunities: true });
    while (bots.length < processes) bots.push(await startBot(env));

    const options: ScaleLoadOptions = { urls: bots.map((b) => b.url), concurrency: CONCURRENCY, communities: COMMUNITIES, members: plan.members, warmupSeconds: plan.warmupSeconds, seconds: plan.seconds, tag };
    const load = spawn(process.execPath, ['--import', 'tsx', 'bench/scale-load.ts', JSON.stringify(options)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let start: { bot: number; pg: Map<number, number>; machine: number; at: number; x: { commits: number; rollbacks: number } } | undefined;
    let out = '';
    let err = '';
    let marked: Promise<void> = Promise.resolve();
    load.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      if (!start && !out.includes('measure\n') && (out + text).includes('measure\n')) {
        // Counters at the start of the measured phase (the backends are the pools' connections, open by then).
        const bot = bots.reduce((s, b) => s + processCpu(b.child.pid as number), 0);
        const machine = machineBusy();
        const t = performance.now();
        marked = (async () => {
          const pids = await backendPids(db);
          const x = await xacts(db);
          start = { bot, pg: new Map(pids.map((p) => [p, processCpu(p)])), machine, at: t, x };
        })();
      }
      out += text;
    });
    load.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => load.once('exit', resolve));
    const end = { bot: bots.reduce((s, b) => s + processCpu(b.child.pid as number), 0), machine: machineBusy(), at: performance.now() };
    await marked;
    if (code !== 0 || !start) throw new Error(`the load process exited ${code}: ${err.slice(-800)}`);
    const began = start;
    const pids = await backendPids(db);
    const pgCpu = [...new Set([...pids, ...began.pg.keys()])].reduce((s, p) => s + Math.max(0, processCpu(p) - (began.pg.get(p) ?? 0)), 0);
    const x = await xacts(db);
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as ScaleLoadResult;
    for (const b of bots) if (b.child.exitCode !== null) throw new Error(`a bot process died during the run: ${b.output().slice(-800)}`);
    const run: Run = {
      processes,
      load: result,
      botCpu: end.bot - began.bot,
      pgCpu,
      machineBusy: end.machine - began.machine,
      wall: (end.at - began.at) / 1000,
      commits: x.commits - began.x.commits,
      rollbacks: x.rollbacks - began.x.rollbacks,
      load1: loadavg()[0] ?? 0,
    };
    const per = (cpu: number) => ((cpu / Math.max(1, result.ok)) * 1e3).toFixed(2);
    ctx.log(
      `${processes} process(es): ${result.rate.toFixed(0)} check-ins/s (p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.ok} ok, ${result.failures} failed${result.ranOut ? ', RAN OUT of members' : ''}${result.example ? `, e.g. ${result.example.slice(0, 120)}` : ''}); CPU ms per check-in: bots ${per(run.botCpu)}, PostgreSQL ${per(run.pgCpu)}, load ${per(result.cpuSeconds)}; machine ${(run.machineBusy / run.wall).toFixed(2)} of ${cpus().length} cores busy; rollbacks ${run.rollbacks} / commits ${run.commits} (load ${run.load1.toFixed(1)})`,
    );
    return run;
  } finally {
    for (const b of bots) await stopBot(b);
    await db.drop();
  }
}

function rows(runs: readonly Run[], plan: Plan): BenchRow[] {
  const of = (n: number) => runs.filter((r) => r.processes === n);
  const rate = (n: number) => median(of(n).map((r) => r.load.rate));
  const perCheckin = (n: number, pick: (r: Run) => number) => median(of(n).map((r) => (pick(r) / Math.max(1, r.load.ok)) * 1e3));
  const cores = cpus().length;
  const out: BenchRow[] = [];
  for (const n of PROCESS_COUNTS) {
    const rs = of(n);
    const busy = median(rs.map((r) => r.machineBusy / r.wall));
    const ours = median(rs.map((r) => (r.botCpu + r.pgCpu + r.load.cpuSeconds) / r.wall));
    const failures = rs.map((r) => r.load.failures).join('/');
    const rollbacks = median(rs.map((r) => (r.rollbacks / Math.max(1, r.load.ok)) * 1e3));
    out.push({
      name: `check-ins/s, ${n} bot process${n > 1 ? 'es' : ''} (--role=all) on one PostgreSQL`,
      value: rate(n),
      unit: 'ops/s',
      p50Us: median(rs.map((r) => r.load.p50Ms)) * 1e3,
      p99Us: median(rs.map((r) => r.load.p99Ms)) * 1e3,
      n: Math.min(...rs.map((r) => r.load.ok)),
      reps: rs.map((r) => r.load.rate),
      ...(n > 1 ? { baseline: { name: '1 bot process, same load', value: rate(1) } } : {}),
      note:
        `${CONCURRENCY} in flight from a separate process over ${plan.seconds} s, returning members in ${COMMUNITIES} communities; failed ${failures}; ` +
        `~${rollbacks.toFixed(0)} rollbacks (retries) per 1,000 (server statistics); machine ${busy.toFixed(2)} of ${cores} cores busy, ${ours.toFixed(2)} of them this run's (bots + PostgreSQL backends + load): ` +
        `${busy >= cores * 0.9 ? `CPU-bound: the ${cores} cores are shared by the load generator, the bot processes, PostgreSQL${ours < busy * 0.8 ? ' and other work on the machine' : ''}` : 'not CPU-bound: waits (round trips, retries, commits) limit it'}; load avg ${rs.map((r) => r.load1.toFixed(1)).join('/')}`,
      data: { runs: rs },
    });
  }
  for (const n of PROCESS_COUNTS) {
    out.push({
      name: `CPU per check-in, ${n} bot process${n > 1 ? 'es' : ''}: bot processes`,
      value: perCheckin(n, (r) => r.botCpu),
      unit: 'ms',
      reps: of(n).map((r) => (r.botCpu / Math.max(1, r.load.ok)) * 1e3),
      note: `user + system of the bot processes (/proc/<pid>/stat) per successful check-in; PostgreSQL backends ${perCheckin(n, (r) => r.pgCpu).toFixed(2)} ms, load generator ${perCheckin(n, (r) => r.load.cpuSeconds).toFixed(2)} ms`,
    });
    out.push({
      name: `CPU per check-in, ${n} bot process${n > 1 ? 'es' : ''}: PostgreSQL backends`,
      value: perCheckin(n, (r) => r.pgCpu),
      unit: 'ms',
      reps: of(n).map((r) => (r.pgCpu / Math.max(1, r.load.ok)) * 1e3),
      note: 'the backends connected to the bench database (pg_stat_activity → /proc/<pid>/stat); the WAL writer and checkpointer serve every database and are not counted',
    });
  }
  return out;
}
