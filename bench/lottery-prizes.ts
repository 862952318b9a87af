/**
 * Lottery prizes: the time to draw and settle a lottery with 1,000 winners
 * and a code prize, through `router.handle('/lottery draw <id>')` (one unit
 * of work: the draw, then per winner a claim, a shop order holding a code
 * from the pool and a private notice in the outbox, then the result post),
 * median of a few repetitions, each on a fresh lottery of 2,000 entrants.
 * Two figures: up to the commit (the queue hand-off stubbed out), and the
 * whole call until every notice is in the outbox queue (the after-commit
 * hand-offs go to Redis in bulk adds of up to 500, on a private redis-server;
 * the app is not started, so nothing is sent). Baseline, measured in the same run on the same SQLite
 * file: the same number of rows written by plain prepared INSERTs in one
 * transaction (5 per winner: claim, order, code, notice, the claim's order link).
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, type App } from '../src/app.js';
import { FixedClock } from '../src/core/clock.js';
import type { MessageEvent } from '../src/core/chat-event.js';
import { sqliteOf, type Sqlite } from '../src/store/db.js';
import { startRedis } from '../test/setup/redis-server.js';
import { chatEvent } from './bench-app.js';
import { benchConfigWithEnv } from './discord.js';
import { median, nowNs, type BenchModule, type BenchRow } from './harness.js';

const AT = '2026-11-23T02:00:00.000Z';
const COMMUNITY = 'prizes';
const WRITES_PER_WINNER = 5;

function adminEvent(text: string, deliveryId: string): MessageEvent {
  const event = chatEvent(COMMUNITY, 'admin', 'admin', text, deliveryId);
  return { ...event, actor: { ...event.actor, isAdmin: true } };
}

/** Entrants, members and codes are written raw: the setup is not what is measured. */
function seedEntrants(sqlite: Sqlite, lotteryId: number, memberIds: readonly number[], at: number): void {
  const entry = sqlite.prepare('INSERT INTO lottery_entries (lottery_id, member_id, tickets, cost_paid, source, created_at) VALUES (?, ?, 1, 0, ?, ?)');
  const counts = sqlite.prepare('UPDATE lotteries SET entrant_count = ?, ticket_count = ? WHERE id = ?');
  sqlite.transaction(() => {
    for (const m of memberIds) entry.run(lotteryId, m, 'join', at);
    counts.run(memberIds.length, memberIds.length, lotteryId);
  })();
}

function seedMembers(sqlite: Sqlite, communityId: number, n: number, at: number): number[] {
  const member = sqlite.prepare<[number, string, number, number], { id: number }>('INSERT INTO members (community_id, display_name, joined_at, created_at) VALUES (?, ?, ?, ?) RETURNING id');
  const account = sqlite.prepare('INSERT INTO member_accounts (member_id, community_id, platform, platform_user_id) VALUES (?, ?, ?, ?)');
  const ids: number[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = (member.get(communityId, `m${i}`, at, at) as { id: number }).id;
      account.run(id, communityId, 'playground', `m${i}`);
      ids.push(id);
    }
  })();
  return ids;
}

function seedCodes(sqlite: Sqlite, itemId: number, n: number, at: number, tag: string): void {
  const code = sqlite.prepare('INSERT INTO shop_codes (item_id, code, created_at) VALUES (?, ?, ?)');
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) code.run(itemId, `${tag}-${i}`, at);
  })();
}

/** The baseline: `rows` plain INSERTs of similar width into a scratch table, in one transaction. */
function plainInserts(sqlite: Sqlite, rows: number): number {
  sqlite.exec('CREATE TABLE IF NOT EXISTS bench_plain (id INTEGER PRIMARY KEY AUTOINCREMENT, a INTEGER NOT NULL, b INTEGER NOT NULL, c TEXT NOT NULL, d INTEGER)');
  const insert = sqlite.prepare('INSERT INTO bench_plain (a, b, c, d) VALUES (?, ?, ?, ?)');
  const t0 = nowNs();
  sqlite.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(i, i * 7, `row-${i}`, null);
  })();
  return (nowNs() - t0) / 1e6;
}

export const lotteryPrizesBench: BenchModule = {
  name: 'lottery-prizes',
  description: 'draw and settle a lottery with 1,000 winners and code prizes (claims, orders, codes, notices) vs plain inserts',
  async run(ctx): Promise<BenchRow[]> {
    const winners = ctx.quick ? 200 : 1_000;
    const entrants = winners * 2;
    const reps = ctx.quick ? 2 : 3;
    const redis = await startRedis();
    let app: App | undefined;
    try {
      const appConfig = benchConfigWithEnv({}, { lottery: { maxWinners: 1_000 } }, join(ctx.tempDir('prizes'), 'qunbot.sqlite'), redis.url);
      app = await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: new FixedClock(AT) });
      const { router, jobs } = app;
      const sqlite = sqliteOf(app.store);
      const at = Date.parse(AT);
      let delivery = 0;
      const say = async (text: string) => (await router.handle(adminEvent(text, `prize-${delivery++}`))).replies.map((r) => r.text).join('\n');
      await say('/shop add 兑换券 price=0 kind=code');
      const communityId = sqlite.prepare('SELECT id FROM communities WHERE external_id = ?').pluck().get(COMMUNITY) as number;
      const members = seedMembers(sqlite, communityId, entrants, at);
      const realDeliver = jobs.deliver.bind(jobs);
      const realAt = jobs.at.bind(jobs);
      const times = { commit: [] as number[], whole: [] as number[] };
      const baselines: number[] = [];
      let id = 0;
      for (let r = 0; r < reps * 2; r++) {
        const variant = r % 2 === 0 ? 'commit' : 'whole';
        id++;
        const created = await say(`/lottery create 兑换券 winners=${winners} ends=+1h item=1 claim=48h`);
        if (sqlite.prepare('SELECT COUNT(*) FROM lotteries').pluck().get() !== id) throw new Error(`lottery create: ${created}`);
        seedEntrants(sqlite, id, members, at);
        seedCodes(sqlite, 1, winners, at, `R${r}`);
        // Up to the commit: the after-commit queue hand-offs do nothing. The whole
        // call: until every hand-off is in the queue (the outbox does not await them).
        const handOffs: Promise<void>[] = [];
        jobs.deliver =
          variant === 'commit'
            ? async () => undefined
            : (deliveryId) => {
                const added = realDeliver(deliveryId);
                handOffs.push(added);
                return added;
              };
        jobs.at = variant === 'commit' ? async () => undefined : realAt;
        const t0 = nowNs();
        const result = await say(`/lottery draw ${id}`);
        await Promise.all(handOffs);
        times[variant].push((nowNs() - t0) / 1e6);
        if (variant === 'whole' && handOffs.length < winners) throw new Error(`draw ${id}: ${handOffs.length} queue hand-offs for ${winners} winners`);
        const orders = sqlite.prepare("SELECT COUNT(*) FROM shop_orders o JOIN shop_codes c ON c.order_id = o.id WHERE o.source = ? AND o.status = 'reserved'").pluck().get(`lottery:${id}`) as number;
        const claims = sqlite.prepare("SELECT COUNT(*) FROM lottery_claims WHERE lottery_id = ? AND status = 'pending' AND order_id IS NOT NULL").pluck().get(id) as number;
        if (orders !== winners || claims !== winners) throw new Error(`draw ${id}: ${orders} orders with codes, ${claims} claims for ${winners} winners: ${result.slice(0, 200)}`);
        if (variant === 'commit') baselines.push(plainInserts(sqlite, winners * WRITES_PER_WINNER));
        ctx.log(`draw ${id} (${variant}): ${times[variant].at(-1)?.toFixed(0)} ms${variant === 'commit' ? `; baseline ${winners * WRITES_PER_WINNER} inserts: ${baselines.at(-1)?.toFixed(1)} ms` : ''}`);
      }
      jobs.deliver = realDeliver;
      jobs.at = realAt;
      const baseline = { name: `${(winners * WRITES_PER_WINNER).toLocaleString('en-US')} plain INSERTs in one transaction`, value: median(baselines) };
      const label = `${winners.toLocaleString('en-US')} winners of ${entrants.toLocaleString('en-US')}, code prize`;
      const row = (variant: 'commit' | 'whole', name: string, what: string): BenchRow => {
        const value = median(times[variant]);
        return {
          name,
          value,
          unit: 'ms',
          n: winners,
          reps: times[variant],
          note: `${what}; median of ${reps}: ${times[variant].map((t) => t.toFixed(0)).join(' / ')} ms (${((value / winners) * 1e3).toFixed(0)} µs per winner)`,
          baseline,
          data: { times: times[variant], baselines },
        };
      };
      return [
        row('commit', `/lottery draw + settle to commit, ${label}`, 'router.handle, one unit: draw, per winner a claim, an order holding a code, a private notice row; queue hand-off stubbed'),
        row('whole', `/lottery draw + settle + queue hand-off, ${label}`, 'as above, until every notice is in the outbox queue (bulk adds of up to 500), private redis-server'),
      ];
    } finally {
      await app?.stop();
      await redis.stop();
    }
  },
};
