/**
 * Activities: (a) the lottery draw (`drawWinners`, src/features/lottery/draw.ts)
 * for 100,000 entrants in random order and 10 winners, median of 5; (b) lottery
 * joins through `router.handle` from distinct members, one lottery, as fast as
 * they go (target: 1,000 joins/s sustained); (c) quiz answers (mode=all, one
 * open question) from distinct members through `router.handle`. (b) and (c) run
 * on one started app (SQLite file on the real disk, private Redis), in separate
 * communities.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, type App } from '../src/app.js';
import type { MessageEvent } from '../src/core/chat-event.js';
import { systemClock } from '../src/core/clock.js';
import { drawWinners, type DrawEntry } from '../src/features/lottery/draw.js';
import { startRedis } from '../test/setup/redis-server.js';
import { chatEvent } from './bench-app.js';
import { benchConfigWithEnv } from './discord.js';
import { median, nowNs, prng, timeCalls, type BenchRow } from './harness.js';
import type { BenchModule } from './harness.js';
import { sqliteOf } from '../src/store/db.js';

const JOIN_TARGET = 1_000;

function adminEvent(community: string, text: string, deliveryId: string): MessageEvent {
  const event = chatEvent(community, 'admin', 'admin', text, deliveryId);
  return { ...event, actor: { ...event.actor, isAdmin: true } };
}

function drawRow(quick: boolean, canonical: boolean): BenchRow {
  const n = 100_000;
  const reps = quick ? 3 : 5;
  const rand = prng(42);
  // Member ids as the service passes them (String(member_id)), shuffled (Fisher–Yates): not in canonical order.
  const entries: DrawEntry[] = Array.from({ length: n }, (_, i) => ({ id: String(i + 1), weight: 1 + (i % 3 === 0 ? 1 : 0) }));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [entries[i], entries[j]] = [entries[j] as DrawEntry, entries[i] as DrawEntry];
  }
  // The service reads entries ORDER BY CAST(member_id AS TEXT): already canonical.
  if (canonical) entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const times: number[] = [];
  let winners: string[] = [];
  drawWinners({ seedHex: randomBytes(32).toString('hex'), entries: entries.slice(0, 1000), winners: 10 }); // warm-up
  for (let r = 0; r < reps; r++) {
    const seedHex = randomBytes(32).toString('hex');
    const t0 = nowNs();
    winners = drawWinners({ seedHex, entries, winners: 10 });
    times.push((nowNs() - t0) / 1e6);
  }
  if (winners.length !== 10 || new Set(winners).size !== 10) throw new Error(`draw returned ${winners.length} winners`);
  const value = median(times);
  return {
    name: canonical ? 'lottery draw, 100,000 entrants (as stored, canonical order), 10 winners' : 'lottery draw, 100,000 entrants (random order, worst case), 10 winners',
    value,
    unit: 'ms',
    n,
    reps: times,
    note: `median of ${reps}: ${times.map((t) => t.toFixed(1)).join(' / ')} ms; target well under 100 ms: ${value < 100 ? 'met' : 'MISSED'}; weights 1–2`,
    target: { op: '<=', value: 100 },
  };
}

/** The slowest block's rate, the figure the 1,000 joins/s target is about (sustained, not on average). */
function sustainedRow(name: string, sustained: number): BenchRow {
  return { name, value: sustained, unit: 'joins/s', target: { op: '>=', value: JOIN_TARGET } };
}

async function waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const activitiesBench: BenchModule = {
  name: 'activities',
  description: 'lottery draw for 100k entrants; lottery joins and quiz answers through router.handle',
  async run(ctx): Promise<BenchRow[]> {
    const rows: BenchRow[] = [drawRow(ctx.quick, true), drawRow(ctx.quick, false)];
    ctx.log(`draw: median ${rows[0]?.value.toFixed(1)} ms`);

    const joins = ctx.quick ? 500 : 3_000;
    const answers = ctx.quick ? 500 : 3_000;
    const redis = await startRedis();
    let app: App | undefined;
    try {
      const dir = ctx.tempDir('activities');
      const banksDir = ctx.tempDir('quiz-banks');
      writeFileSync(join(banksDir, 'bench.yaml'), 'name: Bench\nquestions:\n  - id: b1\n    question: Which fruit is yellow?\n    choices: [apple, banana, cherry]\n    answer: B\n    points: 10\n    seconds: 600\n');
      const appConfig = benchConfigWithEnv({}, { quiz: { banksDir, shuffle: false, minSeconds: 1, defaults: { bank: 'bench' } } }, join(dir, 'qunbot.sqlite'), redis.url);
      app = (await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: systemClock }));
      await app.start();
      const router = app.router;

      // (b) lottery joins: one lottery, distinct members, one after another as fast as they go.
      const created = await router.handle(adminEvent('lottery', '/lottery create 机械键盘 winners=10 ends=+1h', 'create-1'));
      const lotteries = sqliteOf(app.store).prepare('SELECT COUNT(*) FROM lotteries').pluck().get() as number;
      if (lotteries !== 1) throw new Error(`lottery create: ${created.replies.map((r) => r.text).join('\n')}`);
      const warmup = 100;
      let joinFailures = 0;
      const j = await timeCalls(
        async (i) => {
          const r = await router.handle(chatEvent('lottery', `m${i}`, `m${i}`, '/lottery join 1', `join-${i}`));
          if (!r.replies[0]?.text.includes('参与成功')) joinFailures++;
        },
        { warmup, maxCalls: joins, budgetMs: 20_000, minCalls: 1_000 },
      );
      const joinRate = (j.n / j.totalMs) * 1e3;
      const entrants = sqliteOf(app.store).prepare('SELECT COUNT(*) FROM lottery_entries').pluck().get() as number;
      if (joinFailures || entrants !== j.n + warmup) throw new Error(`joins: ${joinFailures} replies without 参与成功, ${entrants} entries for ${j.n + warmup} joins`);
      // Sustained: the slowest 1-second-sized slice must also be ≥ target. timeCalls gives only the total, so check per-block rates separately.
      const blockRates: number[] = [];
      {
        const block = 250;
        let i = j.n + warmup;
        const deadline = Date.now() + 5_000;
        while (Date.now() < deadline && blockRates.length < 8) {
          const t0 = nowNs();
          for (let k = 0; k < block; k++, i++) await router.handle(chatEvent('lottery', `m${i}`, `m${i}`, '/lottery join 1', `join-${i}`));
          blockRates.push(block / ((nowNs() - t0) / 1e9));
        }
      }
      const sustained = Math.min(joinRate, ...blockRates);
      ctx.log(`lottery joins: ${joinRate.toFixed(0)}/s over ${j.n}, p50 ${j.p50Us.toFixed(0)} µs, p99 ${j.p99Us.toFixed(0)} µs; blocks of 250: ${blockRates.map((r) => r.toFixed(0)).join(' ')}`);
      rows.push({
        name: '/lottery join 1 via router.handle, distinct members',
        value: joinRate,
        unit: 'joins/s',
        p50Us: j.p50Us,
        p99Us: j.p99Us,
        n: j.n,
        note: `one at a time, sync=FULL; 1,000 joins/s sustained: ${sustained >= JOIN_TARGET ? 'met' : 'NOT met'} (overall ${joinRate.toFixed(0)}/s, slowest block of 250 ${Math.min(...blockRates).toFixed(0)}/s); ${entrants} entries checked`,
        data: { blockRates, totalMs: j.totalMs },
      });
      rows.push(sustainedRow('/lottery join 1 one at a time, sustained (slowest block of 250)', sustained));

      // (b2) the same joins arriving concurrently (50 in flight), as chat traffic does: group commit shares syncs.
      {
        const total = ctx.quick ? 1_000 : 4_000;
        const inFlight = 50;
        const lat: number[] = [];
        const blockRates: number[] = [];
        let next = 0;
        let failures = 0;
        const startAll = nowNs();
        let blockStart = startAll;
        let blockDone = 0;
        const worker = async (): Promise<void> => {
          while (next < total) {
            const i = next++;
            const t0 = nowNs();
            const r = await router.handle(chatEvent('lottery', `c${i}`, `c${i}`, '/lottery join 1', `cjoin-${i}`));
            lat.push((nowNs() - t0) / 1e3);
            if (!r.replies[0]?.text.includes('参与成功')) failures++;
            if (++blockDone === 1000) {
              const now = nowNs();
              blockRates.push(1000 / ((now - blockStart) / 1e9));
              blockStart = now;
              blockDone = 0;
            }
          }
        };
        await Promise.all(Array.from({ length: inFlight }, worker));
        const rate = total / ((nowNs() - startAll) / 1e9);
        if (failures) throw new Error(`concurrent joins: ${failures} replies without 参与成功`);
        const sorted = [...lat].sort((x, y) => x - y);
        const sustainedOk = Math.min(rate, ...blockRates) >= JOIN_TARGET;
        rows.push({
          name: '/lottery join 1, 50 in flight (group commit)',
          value: rate,
          unit: 'joins/s',
          p50Us: sorted[Math.floor(sorted.length * 0.5)] ?? 0,
          p99Us: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
          n: total,
          note: `sync=FULL; 1,000 concurrent joins/s sustained: ${sustainedOk ? 'met' : 'NOT met'} (slowest block of 1,000: ${Math.min(...blockRates).toFixed(0)}/s)`,
          data: { blockRates },
        });
        rows.push(sustainedRow('/lottery join 1, 50 in flight, sustained (slowest block of 1,000)', Math.min(rate, ...blockRates)));
      }

      // (c) quiz answers: one question open for 600 s, mode=all, every member answers once.
      const started = await router.handle(adminEvent('quiz', '/quiz start bench questions=1 seconds=600 mode=all', 'quiz-start'));
      const sqlite = sqliteOf(app.store);
      if (sqlite.prepare('SELECT COUNT(*) FROM quiz_sessions').pluck().get() !== 1) throw new Error(`quiz start: ${started.replies.map((r) => r.text).join('\n')}`);
      await waitUntil(() => (sqlite.prepare("SELECT status FROM quiz_rounds WHERE n = 1").pluck().get() === 'open' ? true : undefined), 10_000, 'the quiz question to open');
      let answerFailures = 0;
      let sample = '';
      const a = await timeCalls(
        async (i) => {
          const r = await router.handle(chatEvent('quiz', `q${i}`, `q${i}`, i % 2 ? 'B' : '/quiz answer 1 1 B', `answer-${i}`));
          const text = r.replies[0]?.text ?? '';
          if (!text.includes('已收到')) {
            answerFailures++;
            sample ||= text;
          }
        },
        { warmup: 100, maxCalls: answers, budgetMs: 20_000, minCalls: 1_000 },
      );
      const stored = sqlite.prepare('SELECT COUNT(*) FROM quiz_answers').pluck().get() as number;
      if (answerFailures || stored !== a.n + 100) throw new Error(`answers: ${answerFailures} not received (e.g. ${sample}), ${stored} stored for ${a.n + 100}`);
      const answerRate = (a.n / a.totalMs) * 1e3;
      ctx.log(`quiz answers: ${answerRate.toFixed(0)}/s over ${a.n}, p50 ${a.p50Us.toFixed(0)} µs, p99 ${a.p99Us.toFixed(0)} µs`);
      rows.push({
        name: 'quiz answers (mode=all) via router.handle, distinct members',
        value: answerRate,
        unit: 'answers/s',
        p50Us: a.p50Us,
        p99Us: a.p99Us,
        n: a.n,
        note: `one at a time, sync=FULL; half plain "B", half /quiz answer 1 1 B; ${stored} answers stored`,
        data: { totalMs: a.totalMs },
      });
      return rows;
    } finally {
      await app?.stop();
      await redis.stop();
    }
  },
};
