/**
 * The latency tail after a burst. The real bot process (`node dist/src/main.js`,
 * WeCom bot callback mode, synchronous=FULL, a private Redis) gets a saturating
 * burst of signed, encrypted 签到 callbacks, then a steady 500/s for ten
 * seconds; the p50/p99 of those ten seconds and the burst's rate are the
 * figures. The load comes from a separate process (bench/tail-load.ts), never
 * from inside the bot's event loop. The same load against a bare protocol-only
 * server (bench/tail-bare.ts: signature, decryption, encrypted reply, no bot
 * logic) in the same run gives the ceiling and the floor of the latency.
 *
 * Variants, interleaved round by round so a busy shared machine hits them
 * alike: `inline` (the default: SQLite checkpoints the WAL inside the COMMIT
 * that passes 1,000 pages) and `background` (database.checkpoint: a worker
 * thread checkpoints), and `background` with the commit's disk sync in the
 * thread pool (database.commitSync: background, src/store/wal-sync.ts).
 * TAIL_ROUNDS overrides the number of rounds, TAIL_RATE the steady rate (the
 * target is stated at 500/s), TAIL_VARIANTS picks variants by the start of
 * their label (`inline`, `background`, comma-separated), and TAIL_NODE_ARGS adds
 * node options to the bot (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see
 * where a callback's time goes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRedis } from '../test/setup/redis-server.js';
import { median, type BenchContext, type BenchModule, type BenchRow } from './harness.js';
import type { TailLoadOptions, TailLoadResult } from './tail-load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BOT = { token: 'benchTailToken', key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
/** The steady rate of the target (500/s); TAIL_RATE lowers it on a machine too busy to serve even the bare server at 500/s. */
const RATE = Number(process.env.TAIL_RATE ?? 500);
const CONNECTIONS = 50;
const P99_TARGET_MS = 20;
const RATIO_TARGET = 0.4;

interface Variant {
  label: string;
  checkpoint: 'inline' | 'background';
  commitSync: 'inline' | 'background';
  nodeArgs: string[];
}

const ALL_VARIANTS: readonly Variant[] = [
  { label: 'checkpoint inline (default)', checkpoint: 'inline', commitSync: 'inline', nodeArgs: [] },
  { label: 'checkpoint background', checkpoint: 'background', commitSync: 'inline', nodeArgs: [] },
  { label: 'checkpoint background, commit sync in the thread pool', checkpoint: 'background', commitSync: 'background', nodeArgs: [] },
];
const EXTRA_NODE_ARGS = (process.env.TAIL_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PICKED = (process.env.TAIL_VARIANTS ?? '').split(',').filter(Boolean);
const VARIANTS: readonly Variant[] = ALL_VARIANTS.filter((v) => !PICKED.length || PICKED.some((w) => v.label.startsWith(`checkpoint ${w}`) || v.label.startsWith(w))).map((v) => ({ ...v, nodeArgs: [...v.nodeArgs, ...EXTRA_NODE_ARGS] }));

interface Run {
  load: TailLoadResult;
  walBytes: number;
  load1: number;
}

/** Runs a child to completion and returns its stdout; rejects with its stderr's tail when it fails. */
function runChild(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ').slice(0, 80)} exited ${code}: ${err.slice(-500)}`))));
  });
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the bot exited (${child.exitCode}): ${output().slice(-800)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the bot did not become healthy: ${output().slice(-800)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

function loadArgs(options: TailLoadOptions): string[] {
  return ['--import', 'tsx', 'bench/tail-load.ts', JSON.stringify(options)];
}

function parseLoad(stdout: string): TailLoadResult {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as TailLoadResult;
}

export const tailBench: BenchModule = {
  name: 'tail',
  description: 'real bot process: saturating burst then 500/s from a separate load process; p99 after the burst vs a protocol-only server',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rounds = Number(process.env.TAIL_ROUNDS ?? (ctx.quick ? 1 : 3));
    const phases = ctx.quick ? { burstSeconds: 3, burstMax: 15_000, steadySeconds: 5 } : { burstSeconds: 10, burstMax: 50_000, steadySeconds: 10 };
    ctx.log('building dist/ if stale');
    await runChild(['scripts/build-if-stale.mjs']);
    const redis = await startRedis();
    const runs = new Map<string, Run[]>();
    const bareRuns: Run[] = [];
    try {
      for (let round = 0; round < rounds; round++) {
        // The protocol-only server first in each round, then each variant of the bot.
        bareRuns.push(await bareRun(ctx, phases, `r${round}bare`));
        for (const variant of VARIANTS) {
          const run = await botRun(ctx, variant, phases, redis.url, `r${round}v${VARIANTS.indexOf(variant)}`);
          runs.set(variant.label, [...(runs.get(variant.label) ?? []), run]);
        }
      }
    } finally {
      await redis.stop();
    }

    const bareRate = median(bareRuns.map((r) => r.load.burst.rate));
    const bareP99 = median(bareRuns.map((r) => r.load.steady.p99Ms));
    const loads = [...bareRuns, ...[...runs.values()].flat()].map((r) => r.load1.toFixed(1));
    const rows: BenchRow[] = [
      {
        name: 'protocol-only ceiling: bare node:http, signature + decrypt + encrypted reply',
        value: bareRate,
        unit: 'req/s',
        reps: bareRuns.map((r) => r.load.burst.rate),
        note: `${CONNECTIONS} connections from a separate process, ${phases.burstSeconds} s; the bot's saturated rate is compared with it`,
      },
      {
        name: `protocol-only: p99 at ${RATE}/s after its burst`,
        value: bareP99,
        unit: 'ms',
        p50Us: median(bareRuns.map((r) => r.load.steady.p50Ms)) * 1e3,
        p99Us: bareP99 * 1e3,
        reps: bareRuns.map((r) => r.load.steady.p99Ms),
        note: 'the floor of the latency on this machine under this load (client, loopback, crypto)',
      },
    ];
    for (const variant of VARIANTS) {
      const vr = runs.get(variant.label) ?? [];
      const p99 = median(vr.map((r) => r.load.steady.p99Ms));
      const p50 = median(vr.map((r) => r.load.steady.p50Ms));
      const rate = median(vr.map((r) => r.load.burst.rate));
      const detail = vr.map((r) => `p50 ${r.load.steady.p50Ms.toFixed(1)} / p99 ${r.load.steady.p99Ms.toFixed(1)} / max ${r.load.steady.maxMs.toFixed(0)} ms, burst ${r.load.burst.done} in ${r.load.burst.seconds.toFixed(1)} s, WAL ${(r.walBytes / 2 ** 20).toFixed(1)} MiB`).join('; ');
      rows.push(
        {
          name: `p99 at ${RATE}/s in the ${phases.steadySeconds} s after a burst, sync=FULL (${variant.label})`,
          value: p99,
          unit: 'ms',
          p50Us: p50 * 1e3,
          p99Us: p99 * 1e3,
          n: vr[0]?.load.steady.done,
          reps: vr.map((r) => r.load.steady.p99Ms),
          baseline: { name: 'protocol-only server, same load', value: bareP99 },
          target: { op: '<=', value: P99_TARGET_MS },
          note: detail,
          data: { runs: vr },
        },
        {
          name: `saturated rate, burst of ${phases.burstSeconds} s (${variant.label})`,
          value: rate,
          unit: 'req/s',
          reps: vr.map((r) => r.load.burst.rate),
          baseline: { name: 'protocol-only ceiling', value: bareRate },
          target: { op: '>=', value: RATIO_TARGET, on: 'ratio' },
          note: `${CONNECTIONS} connections; failures ${vr.map((r) => r.load.burst.failures + r.load.steady.failures).join('/')}`,
        },
      );
    }
    rows[0]!.note = `${rows[0]!.note}; load average (1 min) at each run: ${loads.join(' ')}`;
    return rows;
  },
};

async function bareRun(ctx: BenchContext, phases: Pick<TailLoadOptions, 'burstSeconds' | 'burstMax' | 'steadySeconds'>, tag: string): Promise<Run> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'bench/tail-bare.ts', BOT.token, BOT.key], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
      server.once('exit', (code) => reject(new Error(`bare server exited ${code}`)));
    });
    const load1 = loadavg()[0] ?? 0;
    const load = parseLoad(await runChild(loadArgs({ url, token: BOT.token, key: BOT.key, tag, connections: CONNECTIONS, rate: RATE, ...phases })));
    ctx.log(`bare: burst ${load.burst.rate.toFixed(0)} req/s; steady p50 ${load.steady.p50Ms.toFixed(1)} p99 ${load.steady.p99Ms.toFixed(1)} ms (load ${load1.toFixed(1)})`);
    return { load, walBytes: 0, load1 };
  } finally {
    await stopChild(server);
  }
}

async function botRun(ctx: BenchContext, variant: Variant, phases: Pick<TailLoadOptions, 'burstSeconds' | 'burstMax' | 'steadySeconds'>, redisUrl: string, tag: string): Promise<Run> {
  const dir = ctx.tempDir('tail');
  const dbPath = join(dir, 'qunbot.sqlite');
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, `database:\n  synchronous: full\n  checkpoint: ${variant.checkpoint}\n  commitSync: ${variant.commitSync}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    CONFIG_FILE: configFile,
    DATABASE_PATH: dbPath,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `tail${tag}`,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
    WECOM_BOT_TOKEN: BOT.token,
    WECOM_BOT_AES_KEY: BOT.key,
  };
  const bot = spawn(process.execPath, [...variant.nodeArgs, 'dist/src/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  bot.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  bot.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  try {
    await waitHealthy(url, bot, () => output);
    const load1 = loadavg()[0] ?? 0;
    const load = parseLoad(await runChild(loadArgs({ url, token: BOT.token, key: BOT.key, tag, connections: CONNECTIONS, rate: RATE, ...phases })));
    const walBytes = existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0;
    if (load.checked.ok !== load.checked.sampled) throw new Error(`${variant.label}: a sampled reply is not a check-in: ${load.checked.example}`);
    ctx.log(
      `${variant.label}: burst ${load.burst.rate.toFixed(0)} req/s (${load.burst.done}${load.burst.ranOut ? ', ran out of prebuilt requests' : ''}, failures ${load.burst.failures}); steady p50 ${load.steady.p50Ms.toFixed(1)} p90 ${load.steady.p90Ms.toFixed(1)} p99 ${load.steady.p99Ms.toFixed(1)} max ${load.steady.maxMs.toFixed(0)} ms, failures ${load.steady.failures}, send lag p99 ${load.steady.sendLagP99Ms.toFixed(1)} ms; WAL ${(walBytes / 2 ** 20).toFixed(1)} MiB (load ${load1.toFixed(1)})`,
    );
    return { load, walBytes, load1 };
  } finally {
    await stopChild(bot);
  }
}
