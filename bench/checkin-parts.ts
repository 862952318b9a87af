/**
 * Where a core check-in's time goes, beyond the baseline's SQL. Two parts:
 *
 * 1. SQL-level variants, interleaved, with sync=FULL (the default) and
 *    NORMAL (no fsync per commit to hide CPU and syscall costs): the
 *    baseline; the baseline plus the SAVEPOINT / RELEASE that
 *    Router.runCommand's nested transaction adds; the same with
 *    `PRAGMA temp_store = MEMORY`; the core; the core with that pragma set
 *    on its connection from here (an experiment: src/ is not changed).
 * 2. The core's JavaScript steps in isolation, µs per call, on a real app:
 *    command parsing, community day and week key (luxon), the community
 *    cache, better-sqlite3 transaction-function creation, reply rendering
 *    and its JSON for the inbound table.
 */
import { communityDay, monthKey, weekKey } from '../src/core/community-day.js';
import type { Reply } from '../src/core/reply.js';
import { levelFor } from '../src/features/points/levels.js';
import { baselineSide, CHECKIN_AT, coreSide, type CheckinSide, type Sync } from './checkin-sides.js';
import { median, nowNs, type BenchContext, type BenchModule, type BenchRow } from './harness.js';
import { interleave, roundRatios, type SideRun } from './interleave.js';
import { sqliteOf } from '../src/store/db.js';

export const checkinPartsBench: BenchModule = {
  name: 'checkin-parts',
  description: 'breakdown of the core check-in: savepoint sub-journal, temp_store, JS steps (µs each)',
  async run(ctx) {
    return [...(await sqlVariants(ctx, 'full')), ...(await sqlVariants(ctx, 'normal')), ...(await jsSteps(ctx))];
  },
};

async function sqlVariants(ctx: BenchContext, sync: Sync): Promise<BenchRow[]> {
  const n = ctx.quick ? 1_000 : 10_000;
  const warmup = ctx.quick ? 100 : 200;
  const common = { sync, n, warmup };
  const mode = `sync=${sync.toUpperCase()}`;
  const sides: CheckinSide[] = [];
  try {
    sides.push((await baselineSide(ctx, { ...common, name: 'baseline' })));
    sides.push((await baselineSide(ctx, { ...common, name: 'baseline + savepoint', savepoint: true })));
    sides.push((await baselineSide(ctx, { ...common, name: 'baseline + savepoint, temp_store=MEMORY', savepoint: true, tempStoreMemory: true })));
    sides.push(await coreSide(ctx, { ...common, name: 'core' }));
    sides.push(await coreSide(ctx, { ...common, name: 'core, temp_store=MEMORY', tempStoreMemory: true }));
    const runs = await interleave(sides, { n, block: ctx.quick ? 100 : 200, budgetMs: ctx.quick ? 2_000 : sync === 'full' ? 10_000 : 8_000 });
    ctx.log(`checkin-parts ${mode}: ${runs.map((r) => `${r.name} p50 ${r.latency.p50Us.toFixed(0)} µs`).join('; ')}`);
    const base = runs[0] as SideRun;
    return runs.map((r) => {
      const rel = median(roundRatios(base, r));
      const dp50 = r.latency.p50Us - base.latency.p50Us;
      return {
        name: `${mode} ${r.name}`,
        value: 1e6 / r.opsPerSec,
        unit: 'µs/op',
        p50Us: r.latency.p50Us,
        p99Us: r.latency.p99Us,
        n: r.n,
        note:
          r === base
            ? 'value = mean µs per check-in; interleaved with the rows below in blocks'
            : `p50 ${dp50 >= 0 ? '+' : '−'}${Math.abs(dp50).toFixed(0)} µs vs baseline; block time ${rel.toFixed(2)}× baseline (median per round)`,
        data: { opsPerSec: r.opsPerSec, relativeTime: rel, p50DeltaUs: dp50 },
      };
    });
  } finally {
    for (const side of sides) await side.close();
  }
}

/** Mean µs per call of `fn` over `iterations`, median of 3 loops after a warm-up loop. */
function microTime(fn: (i: number) => unknown, iterations: number): number {
  let sink: unknown;
  for (let i = 0; i < iterations; i++) sink = fn(i);
  const loops: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = nowNs();
    for (let i = 0; i < iterations; i++) sink = fn(i);
    loops.push((nowNs() - t0) / iterations / 1e3);
  }
  if (sink === Symbol.for('never')) throw new Error('unreachable');
  return median(loops);
}

async function jsSteps(ctx: BenchContext): Promise<BenchRow[]> {
  const iterations = ctx.quick ? 2_000 : 20_000;
  const core = await coreSide(ctx, { sync: 'normal', n: 1, warmup: 50 });
  try {
    const { app } = core;
    const now = new Date(CHECKIN_AT);
    const ref = { platform: 'playground' as const, externalId: 'warmup' };
    const community = (await app.identity.community(ref, now));
    const day = communityDay(now, community);
    const t = app.i18n.translator(community.locale);
    const levels = app.appConfig.config.points.levels;
    const sqlite = sqliteOf(app.store);
    const noop = () => 0;
    const reply: Reply[] = [{ text: '✅ Member 12345 签到成功！+10 积分\n🔥 连续签到 1 天 · 今天第 12345 个签到\n积分余额：10' }];
    const steps: Array<{ name: string; note: string; fn: (i: number) => unknown }> = [
      { name: 'parse "/checkin"', note: 'CommandRegistry.parseText (Router.plan)', fn: () => app.registry.parseText('/checkin', true) },
      { name: 'identity.community (cached)', note: 'per event: cache hit + settings spread', fn: () => app.identity.community(ref, now) },
      { name: 'communityDay (luxon)', note: 'Router.context: once per event', fn: () => communityDay(now, community) },
      { name: 'weekKey + monthKey (luxon)', note: 'PointsService.award: once per check-in', fn: () => weekKey(day) + monthKey(day) },
      { name: 'levelFor ×2', note: 'PointsService.award', fn: (i) => levelFor(i % 300, levels).index + levelFor((i % 300) + 10, levels).index },
      { name: 'sqlite.transaction(fn) ×2, not run', note: 'store.write and runCommand build new wrappers per event', fn: () => [sqlite.transaction(noop), sqlite.transaction(noop)] },
      {
        name: 'render reply (3 × t())',
        note: 'renderCheckin: done, streak, balance lines',
        fn: (i) => [t('checkin.done', { name: `Member ${i}`, total: 10 }), t('checkin.streak', { streak: 1, rank: i }), t('checkin.balance', { balance: 10 })].join('\n'),
      },
      { name: 'JSON.stringify(replies)', note: 'InboundRepo.saveReplies', fn: () => JSON.stringify(reply) },
    ];
    const rows: BenchRow[] = [];
    for (const step of steps) {
      const us = microTime(step.fn, iterations);
      rows.push({ name: `js: ${step.name}`, value: us, unit: 'µs/call', n: iterations, note: step.note });
    }
    return rows;
  } finally {
    await core.close();
  }
}
