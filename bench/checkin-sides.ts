/**
 * The two ways to check members in that the check-in benchmarks compare:
 * through the whole core (`await app.router.handle(event)` on a real app)
 * and with the hand-written baseline (bench/checkin-baseline.ts). Each side
 * has its own fresh SQLite file and checks in members u0, u1, ... of one
 * community, once each, on one community day.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageEvent } from '../src/core/chat-event.js';
import { FixedClock } from '../src/core/clock.js';
import { communityDay, monthKey, weekKey } from '../src/core/community-day.js';
import type { RouteResult } from '../src/core/router.js';
import { openStore, type Sqlite, sqliteOf } from '../src/store/db.js';
import type { App } from '../src/app.js';
import { benchConfig, chatEvent, openBenchApp } from './bench-app.js';
import { createBaselineCheckin } from './checkin-baseline.js';
import type { BenchContext } from './harness.js';
import type { Side } from './interleave.js';
import { nowNs } from './harness.js';

export type Sync = 'full' | 'normal';

/** 12:00 in Asia/Shanghai: one community day for every check-in of a run. */
export const CHECKIN_AT = '2026-11-23T04:00:00.000Z';
const PLATFORM = 'playground';
const TABLES = ['inbound_events', 'communities', 'members', 'member_accounts', 'checkins', 'checkin_streaks', 'checkin_day_counts', 'points_ledger', 'member_points', 'points_periods', 'member_activity'];

export interface CheckinSide extends Side {
  /** `PRAGMA synchronous` as the connection reports it (1 NORMAL, 2 FULL). */
  pragmaSynchronous(): number;
  /** Rows per table and the balance total: core and baseline must agree. */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

export interface SideOptions {
  name?: string;
  sync: Sync;
  /** Check-ins this side may be asked for. */
  n: number;
  /** Check-ins in another community before timing (JIT, statement and community caches). */
  warmup: number;
  /** Experiment: `PRAGMA temp_store = MEMORY` on the connection (keeps savepoint sub-journals off the disk). */
  tempStoreMemory?: boolean;
}

export async function coreSide(ctx: BenchContext, options: SideOptions): Promise<CheckinSide & { app: App }> {
  // The default config is synchronous=full; only NORMAL is an override.
  const bench = (await openBenchApp(ctx, { clock: new FixedClock(CHECKIN_AT), config: options.sync === 'full' ? {} : { database: { synchronous: options.sync } } }));
  const { app } = bench;
  const configured = app.appConfig.config.database.synchronous;
  if (configured !== options.sync) throw new Error(`expected database.synchronous=${options.sync}, the config has ${configured}`);
  if (options.tempStoreMemory) sqliteOf(app.store).pragma('temp_store = MEMORY');
  for (let i = 0; i < options.warmup; i++) check(await app.router.handle(chatEvent('warmup', `w${i}`, `Warm ${i}`, '/checkin', `warm-${i}`)), i);
  const events = Array.from({ length: options.n }, (_, i) => chatEvent('bench', `u${i}`, `Member ${i}`, '/checkin', `bench-${i}`));
  const results: RouteResult[] = new Array<RouteResult>(options.n);
  return {
    app,
    name: options.name ?? 'core',
    async block(from, to, lat) {
      const start = nowNs();
      for (let i = from; i < to; i++) {
        const t0 = nowNs();
        results[i] = await app.router.handle(events[i] as MessageEvent);
        lat[i] = nowNs() - t0;
      }
      const elapsed = nowNs() - start;
      for (let i = from; i < to; i++) check(results[i] as RouteResult, i);
      return elapsed;
    },
    pragmaSynchronous: () => sqliteOf(app.store).pragma('synchronous', { simple: true }) as number,
    counts: () => countRows(sqliteOf(app.store)),
    close: () => bench.close(),
  };
}

/** A check-in that did not happen (duplicate, refusal, internal error) would make the figures meaningless. */
function check(result: RouteResult, i: number): void {
  const reply = result.replies[0];
  if (result.duplicate || result.replies.length !== 1 || !reply || reply.ephemeral) {
    throw new Error(`check-in ${i} did not succeed: ${JSON.stringify(result)}`);
  }
}

export async function baselineSide(ctx: BenchContext, options: SideOptions & { savepoint?: boolean }): Promise<CheckinSide> {
  const { config } = benchConfig();
  const dir = ctx.tempDir('baseline');
  // openStore gives the app's pragmas and migrations; the statements are the baseline's own.
  const store = (await openStore({ path: join(dir, 'baseline.sqlite'), synchronous: options.sync, busyTimeoutMs: config.database.busyTimeoutMs }));
  if (options.tempStoreMemory) sqliteOf(store).pragma('temp_store = MEMORY');
  const at = new Date(CHECKIN_AT);
  const day = communityDay(at, config.community.defaults);
  // About as long as the reply the core stores; the baseline renders nothing.
  const replyJson = JSON.stringify([{ text: '✅ Member 12345 签到成功！+10 积分\n🔥 连续签到 1 天 · 今天第 12345 个签到\n积分余额：10' }]);
  const baseline = createBaselineCheckin(sqliteOf(store), { day, week: weekKey(day), month: monthKey(day), at: at.getTime() }, config.checkin.basePoints, replyJson, {
    savepoint: options.savepoint,
    // The same writes as the core: its per-member command window too, when the bench config has the limit on.
    ...(config.rateLimit.commands ? { rateLimitWindowMs: config.rateLimit.commands.windowMs } : {}),
  });
  for (let i = 0; i < options.warmup; i++) baseline.checkin(PLATFORM, 'warmup', `warm-${i}`, `w${i}`, `Warm ${i}`);
  const ids = Array.from({ length: options.n }, (_, i) => ({ delivery: `bench-${i}`, user: `u${i}`, name: `Member ${i}` }));
  return {
    name: options.name ?? 'baseline',
    // Synchronous inside: no await per check-in, as a hand-written caller would do it.
    async block(from, to, lat) {
      const start = nowNs();
      for (let i = from; i < to; i++) {
        const id = ids[i] as (typeof ids)[number];
        const t0 = nowNs();
        baseline.checkin(PLATFORM, 'bench', id.delivery, id.user, id.name);
        lat[i] = nowNs() - t0;
      }
      return nowNs() - start;
    },
    pragmaSynchronous: () => sqliteOf(store).pragma('synchronous', { simple: true }) as number,
    counts: () => countRows(sqliteOf(store)),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function countRows(sqlite: Sqlite): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  counts['sum(balance)'] = (sqlite.prepare('SELECT COALESCE(SUM(balance), 0) AS n FROM member_points').get() as { n: number }).n;
  counts['replies stored'] = (sqlite.prepare('SELECT COUNT(*) AS n FROM inbound_events WHERE reply_json IS NOT NULL').get() as { n: number }).n;
  return counts;
}

/** The baseline must write what the core writes, or the ratio compares different work. */
export function assertSameRows(a: CheckinSide, b: CheckinSide): Record<string, number> {
  const ca = a.counts();
  const cb = b.counts();
  const diff = Object.keys(ca).filter((k) => ca[k] !== cb[k]);
  if (diff.length) throw new Error(`${a.name} and ${b.name} wrote different rows: ${diff.map((k) => `${k} ${ca[k]} vs ${cb[k]}`).join(', ')}`);
  return ca;
}
