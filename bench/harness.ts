/**
 * The benchmark harness's shared pieces: what a benchmark module looks like,
 * the row it returns for the table, and small timing/statistics helpers.
 * A module is one file in bench/ exporting a `BenchModule`; bench/run.ts
 * lists the modules by hand and runs them in sequence.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchRow {
  /** The case, unique within its module, e.g. `core /checkin (sync=full)`. */
  name: string;
  /** The headline figure (a median when `reps` is set). */
  value: number;
  /** `ops/s`, `q/s`, `µs`, `ms`, `s`, `x` (a ratio), ... */
  unit: string;
  /** Per-operation latency, microseconds. */
  p50Us?: number;
  p99Us?: number;
  /** Operations measured (per repetition). */
  n?: number;
  /** Each repetition's value, when `value` is their median. */
  reps?: number[];
  /** Shown in the table's last column: what was measured, targets, caveats. */
  note?: string;
  /** A figure measured in the same run that this one is compared against (same unit). */
  baseline?: BenchBaseline;
  /** What the figure should reach: on `value` itself, or on `value / baseline.value`. */
  target?: BenchTarget;
  /** Extra machine-readable detail; written to the JSON file only. */
  data?: Record<string, unknown>;
}

export interface BenchBaseline {
  /** What was measured, e.g. `raw SQL (sync=full)`, `bare BullMQ delayed job`. */
  name: string;
  value: number;
}

export interface BenchTarget {
  /** `>=` for throughput-like figures, `<=` for latencies and durations. */
  op: '>=' | '<=';
  value: number;
  /** `value` (the default): the figure itself; `ratio`: the figure divided by its baseline's value. */
  on?: 'value' | 'ratio';
}

export interface BenchContext {
  /** `--quick`: smaller sizes, for checking that a module still runs. */
  quick: boolean;
  /** Progress on stderr, so stdout carries only the table. */
  log(message: string): void;
  /** A fresh folder on the real disk (fsync timings depend on it); removed after the run. */
  tempDir(prefix: string): string;
}

export interface BenchModule {
  /** Used by the filter: `npm run bench -- <name>`. */
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export function makeContext(quick: boolean): BenchContext & { cleanup(): void } {
  const dirs: string[] = [];
  return {
    quick,
    log: (message) => void process.stderr.write(`  ${message}\n`),
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), `qunbot-bench-${prefix}-`));
      dirs.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Nanoseconds since an arbitrary origin, as a plain number (exact below 2^53 ns ≈ 104 days). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface LatencySummary {
  n: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
}

/** Summary of per-call latencies given in nanoseconds. */
export function summarize(latenciesNs: ArrayLike<number>): LatencySummary {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < latenciesNs.length; i++) {
    const v = latenciesNs[i] as number;
    sum += v;
    if (v > max) max = v;
  }
  return {
    n: latenciesNs.length,
    p50Us: percentile(latenciesNs, 50) / 1e3,
    p99Us: percentile(latenciesNs, 99) / 1e3,
    meanUs: sum / latenciesNs.length / 1e3,
    maxUs: max / 1e3,
  };
}

/**
 * Calls `fn` repeatedly and records each call's latency: at least `minCalls`
 * (when time allows), at most `maxCalls`, stopping after `budgetMs`.
 */
export async function timeCalls(fn: (i: number) => unknown, opts: { warmup: number; maxCalls: number; budgetMs: number; minCalls?: number }): Promise<LatencySummary & { totalMs: number }> {
  // Only promises are awaited, so a synchronous `fn` is timed without a microtask hop.
  for (let i = 0; i < opts.warmup; i++) {
    const r = fn(i);
    if (r instanceof Promise) await r;
  }
  const lat = new Float64Array(opts.maxCalls);
  const start = nowNs();
  const deadline = start + opts.budgetMs * 1e6;
  let n = 0;
  while (n < opts.maxCalls) {
    const t0 = nowNs();
    const r = fn(opts.warmup + n);
    if (r instanceof Promise) await r;
    const t1 = nowNs();
    lat[n++] = t1 - t0;
    if (t1 > deadline && n >= (opts.minCalls ?? 1)) break;
  }
  return { ...summarize(lat.subarray(0, n)), totalMs: (nowNs() - start) / 1e6 };
}

/** A small deterministic PRNG (mulberry32), so seeded data is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function formatNumber(value: number, unit = ''): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = unit === 'x' ? 2 : abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A duration in microseconds, shown in µs below 10 ms and in ms above. */
export function formatMicros(us: number | undefined): string {
  if (us === undefined) return '';
  return us >= 10_000 ? `${formatNumber(us / 1e3)} ms` : `${formatNumber(us)} µs`;
}
