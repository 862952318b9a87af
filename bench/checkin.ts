/**
 * Check-ins per second through the whole core (parse → router → feature →
 * SQLite commit, i.e. `await app.router.handle(event)`), against the same
 * writes done with raw prepared statements (bench/checkin-baseline.ts), in
 * the same run, for synchronous=FULL (the default config) and NORMAL.
 * Each repetition uses fresh SQLite files, one per side; core and baseline
 * alternate in blocks of check-ins (ABBA), so that load from other work on
 * the shared 2-core VM hits both sides alike and the ratio stays meaningful.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { assertSameRows, baselineSide, coreSide, type Sync } from './checkin-sides.js';
import { median, nowNs, summarize, type BenchContext, type BenchModule, type BenchRow } from './harness.js';
import { interleave, roundRatios, type SideRun } from './interleave.js';

const TARGET_RATIO = 0.8;

interface Plan {
  /** Check-ins per side and repetition, at most. */
  n: number;
  warmup: number;
  reps: number;
  block: number;
  /** A repetition stops at the first block boundary after this much timed work (both sides), so a slow disk cannot blow the run time. */
  budgetMs: Record<Sync, number>;
}

interface PairResult {
  core: SideRun;
  base: SideRun;
  pragma: number;
  counts: Record<string, number>;
}

export const checkinBench: BenchModule = {
  name: 'checkin',
  description: '/checkin through router.handle vs hand-written better-sqlite3, sync FULL and NORMAL',
  async run(ctx) {
    const plan: Plan = ctx.quick
      ? { n: 2_000, warmup: 200, reps: 1, block: 250, budgetMs: { full: 2_000, normal: 2_000 } }
      : { n: 20_000, warmup: 500, reps: 3, block: 500, budgetMs: { full: 8_000, normal: 6_000 } };
    const rows: BenchRow[] = [fsyncFloor(ctx)];
    for (const sync of ['full', 'normal'] as const) {
      const pairs: PairResult[] = [];
      for (let rep = 0; rep < plan.reps; rep++) {
        const r = await runPair(ctx, sync, rep, plan);
        pairs.push(r);
        const fmt = (s: SideRun) => `${Math.round(s.opsPerSec).toLocaleString('en-US')} ops/s (p50 ${s.latency.p50Us.toFixed(0)} µs, p99 ${s.latency.p99Us.toFixed(0)} µs)`;
        ctx.log(`checkin sync=${sync} rep ${rep + 1}/${plan.reps}, n=${r.core.n}: core ${fmt(r.core)}, baseline ${fmt(r.base)}, ratio ${(r.core.opsPerSec / r.base.opsPerSec).toFixed(2)}`);
      }
      rows.push(...summaryRows(sync, pairs));
    }
    return rows;
  },
};

async function runPair(ctx: BenchContext, sync: Sync, rep: number, plan: Plan): Promise<PairResult> {
  const core = await coreSide(ctx, { sync, n: plan.n, warmup: plan.warmup });
  try {
    const base = (await baselineSide(ctx, { sync, n: plan.n, warmup: plan.warmup }));
    try {
      const [c, b] = (await interleave([core, base], { n: plan.n, block: plan.block, budgetMs: plan.budgetMs[sync], rep })) as [SideRun, SideRun];
      const counts = assertSameRows(core, base);
      const pragma = core.pragmaSynchronous();
      if (pragma !== base.pragmaSynchronous()) throw new Error('core and baseline ran with different synchronous modes');
      return { core: c, base: b, pragma, counts };
    } finally {
      await base.close();
    }
  } finally {
    await core.close();
  }
}

function summaryRows(sync: Sync, pairs: PairResult[]): BenchRow[] {
  const mode = `sync=${sync.toUpperCase()}`;
  const first = pairs[0] as PairResult;
  const coreOps = median(pairs.map((p) => p.core.opsPerSec));
  const baseOps = median(pairs.map((p) => p.base.opsPerSec));
  const paired = pairs.map((p) => p.core.opsPerSec / p.base.opsPerSec);
  const ratio = median(paired);
  const perRound = pairs.map((p) => roundRatios(p.core, p.base));
  const roundMedian = median(perRound.flat());
  const n = Math.min(...pairs.map((p) => p.core.n));
  const lat = (side: 'core' | 'base') => ({ p50Us: median(pairs.map((p) => p[side].latency.p50Us)), p99Us: median(pairs.map((p) => p[side].latency.p99Us)) });
  const runs = (side: 'core' | 'base') => pairs.map((p) => ({ ...p[side].latency, opsPerSec: p[side].opsPerSec }));
  return [
    {
      name: `core /checkin (${mode})`,
      value: coreOps,
      unit: 'ops/s',
      ...lat('core'),
      n,
      reps: pairs.map((p) => p.core.opsPerSec),
      note: `await router.handle, default config${sync === 'full' ? '' : ' + database.synchronous: normal'} (PRAGMA synchronous=${first.pragma})`,
      // The target is on the paired ratio row below (median of per-rep ratios), not on this ratio of medians.
      baseline: { name: `raw SQL (${mode})`, value: baseOps },
      data: { synchronous: sync, pragmaSynchronous: first.pragma, runs: runs('core'), rowsWritten: first.counts },
    },
    {
      name: `baseline raw SQL (${mode})`,
      value: baseOps,
      unit: 'ops/s',
      ...lat('base'),
      n,
      reps: pairs.map((p) => p.base.opsPerSec),
      note: 'prepared statements, BEGIN IMMEDIATE per check-in, same rows',
      data: { runs: runs('base') },
    },
    {
      name: `ratio core/baseline (${mode})`,
      value: ratio,
      unit: 'x',
      reps: paired,
      target: { op: '>=', value: TARGET_RATIO },
      note: `target ≥ ${TARGET_RATIO.toFixed(2)}: ${ratio >= TARGET_RATIO ? 'OK' : 'BELOW TARGET'}; reps ${paired.map((r) => r.toFixed(2)).join(' / ')}; median per block pair ${roundMedian.toFixed(2)}`,
      data: { roundRatios: perRound },
    },
  ];
}

/** The disk's floor for one durable commit: 4 KiB write + fdatasync, as in performance.md §4. */
function fsyncFloor(ctx: BenchContext): BenchRow {
  const n = ctx.quick ? 300 : 2_000;
  const fd = openSync(join(ctx.tempDir('fsync'), 'probe'), 'w');
  const buf = Buffer.alloc(4096, 1);
  const lat = new Float64Array(n);
  try {
    for (let i = 0; i < 50; i++) {
      writeSync(fd, buf, 0, 4096, (i % 256) * 4096);
      fdatasyncSync(fd);
    }
    const start = nowNs();
    for (let i = 0; i < n; i++) {
      const t0 = nowNs();
      writeSync(fd, buf, 0, 4096, (i % 256) * 4096);
      fdatasyncSync(fd);
      lat[i] = nowNs() - t0;
    }
    const s = summarize(lat);
    return { name: 'fdatasync floor (4 KiB write)', value: n / ((nowNs() - start) / 1e9), unit: 'ops/s', p50Us: s.p50Us, p99Us: s.p99Us, n, note: 'the disk: one sync per commit is the ceiling for sync=FULL' };
  } finally {
    closeSync(fd);
  }
}
