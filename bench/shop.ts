/**
 * The shop's hot item (issue #14): redemptions per second of one stocked
 * item under 50 concurrent buyers, through `router.handle('/redeem <item>')`
 * (parse, the router's unit of work, the shop's checks, the stock's
 * conditional UPDATE, the order, the spend in the ledger; SQLite's group
 * commit shares one transaction and one disk sync among the units that
 * arrive together), default config (synchronous=FULL). Each buyer redeems
 * one at a time until the item is sold out; the run ends when every buyer
 * has been refused, and is checked: exactly `stock` orders, stock 0, every
 * buyer's balance the sum of their ledger and their start less what their
 * orders cost.
 *
 * Baseline, in the same run on a fresh file of the same schema: the same
 * statements a redemption runs (copied from the repos: inbound claim, member
 * lookup, item, balance, orders bought, the stock's UPDATE, the order, the
 * ledger row and the balance, the member's activity, the stored reply),
 * hand-written with better-sqlite3 in one loop, committed in groups of as
 * many redemptions as there are buyers (what group commit at best achieves).
 * Core and baseline alternate in repetitions (ABAB) so load on the shared
 * machine hits both.
 */
import { pino } from 'pino';
import { join } from 'node:path';
import { createApp, type App } from '../src/app.js';
import { FixedClock } from '../src/core/clock.js';
import type { MessageEvent } from '../src/core/chat-event.js';
import { sqliteOf, type Sqlite } from '../src/store/db.js';
import { benchConfig, chatEvent } from './bench-app.js';
import { median, nowNs, percentile, type BenchContext, type BenchModule, type BenchRow } from './harness.js';

const AT = '2026-11-23T02:00:00.000Z';
const COMMUNITY = 'shop-bench';
const PRICE = 10;
const ITEM = '热门商品';

interface Plan {
  buyers: number;
  stock: number;
  reps: number;
}

interface SideResult {
  opsPerSec: number;
  ms: number;
  p50Us: number;
  p99Us: number;
  /** Write transactions used (core: the group commit's; baseline: one per group). */
  transactions: number;
}

export const shopBench: BenchModule = {
  name: 'shop',
  description: 'redemptions/s of one hot item under 50 concurrent buyers through router.handle (group commit) vs the same statements hand-written',
  async run(ctx): Promise<BenchRow[]> {
    const plan: Plan = ctx.quick ? { buyers: 50, stock: 500, reps: 1 } : { buyers: 50, stock: 5_000, reps: 3 };
    const core: SideResult[] = [];
    const base: SideResult[] = [];
    for (let rep = 0; rep < plan.reps; rep++) {
      core.push(await coreRun(ctx, plan, rep));
      base.push(await baselineRun(ctx, plan, rep));
      const c = core.at(-1) as SideResult;
      const b = base.at(-1) as SideResult;
      ctx.log(
        `rep ${rep + 1}/${plan.reps}: core ${Math.round(c.opsPerSec)} redemptions/s (p50 ${c.p50Us.toFixed(0)} µs, p99 ${c.p99Us.toFixed(0)} µs, ${c.transactions} transactions), baseline ${Math.round(b.opsPerSec)}/s, ratio ${(c.opsPerSec / b.opsPerSec).toFixed(2)}`,
      );
    }
    const baseline = { name: `same statements hand-written, groups of ${plan.buyers} per transaction`, value: median(base.map((b) => b.opsPerSec)) };
    const ratios = core.map((c, i) => c.opsPerSec / (base[i] as SideResult).opsPerSec);
    return [
      {
        name: `core /redeem, one hot item, ${plan.buyers} concurrent buyers (sync=FULL)`,
        value: median(core.map((c) => c.opsPerSec)),
        unit: 'ops/s',
        p50Us: median(core.map((c) => c.p50Us)),
        p99Us: median(core.map((c) => c.p99Us)),
        n: plan.stock,
        reps: core.map((c) => c.opsPerSec),
        baseline,
        note: `await router.handle per redemption, ${plan.buyers} buyers until sold out (stock ${plan.stock}); checked: exactly ${plan.stock} orders, stock 0, sum(ledger) == balance; ${median(core.map((c) => c.transactions))} transactions (group commit)`,
        data: { runs: core },
      },
      {
        name: `baseline hand-written redemption statements (sync=FULL)`,
        value: baseline.value,
        unit: 'ops/s',
        p50Us: median(base.map((b) => b.p50Us)),
        p99Us: median(base.map((b) => b.p99Us)),
        n: plan.stock,
        reps: base.map((b) => b.opsPerSec),
        note: `better-sqlite3 prepared statements in one loop, BEGIN IMMEDIATE per ${plan.buyers} redemptions; same rows`,
        data: { runs: base },
      },
      {
        name: 'ratio core/baseline (shop)',
        value: median(ratios),
        unit: 'x',
        reps: ratios,
        note: `paired per repetition: ${ratios.map((r) => r.toFixed(2)).join(' / ')}`,
      },
    ];
  },
};

function buyerEvent(buyer: number, deliveryId: string): MessageEvent {
  return chatEvent(COMMUNITY, `b${buyer}`, `buyer ${buyer}`, `/redeem ${ITEM}`, deliveryId);
}

/** Buyers with enough points for their share twice over, written raw (with their ledger rows): the setup is not measured. */
function seedBuyers(sqlite: Sqlite, communityId: number, n: number, points: number, at: number): number[] {
  const member = sqlite.prepare<[number, string, number, number], { id: number }>('INSERT INTO members (community_id, display_name, joined_at, created_at) VALUES (?, ?, ?, ?) RETURNING id');
  const account = sqlite.prepare('INSERT INTO member_accounts (member_id, community_id, platform, platform_user_id) VALUES (?, ?, ?, ?)');
  const ledger = sqlite.prepare(
    "INSERT INTO points_ledger (community_id, member_id, delta, kind, reason, ref, idem_key, actor_member_id, day, created_at) VALUES (?, ?, ?, 'adjust', 'bench', NULL, ?, NULL, '2026-11-23', ?)",
  );
  const balance = sqlite.prepare('INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) VALUES (?, ?, ?, ?, ?)');
  const ids: number[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = (member.get(communityId, `buyer ${i}`, at, at) as { id: number }).id;
      account.run(id, communityId, 'playground', `b${i}`);
      ledger.run(communityId, id, points, `bench-seed:${id}`, at);
      balance.run(id, communityId, points, points, at);
      ids.push(id);
    }
  })();
  return ids;
}

/** The end state both sides must reach: exactly `stock` orders, none left, balances that match their ledgers and their orders. */
function check(sqlite: Sqlite, plan: Plan, start: number, side: string): void {
  const orders = sqlite.prepare('SELECT COUNT(*) FROM shop_orders').pluck().get() as number;
  const left = sqlite.prepare('SELECT stock FROM shop_items').pluck().get() as number;
  const mismatched = sqlite
    .prepare(
      `SELECT COUNT(*) FROM member_points p LEFT JOIN (SELECT member_id, SUM(delta) AS total FROM points_ledger GROUP BY member_id) l ON l.member_id = p.member_id
       LEFT JOIN (SELECT member_id, SUM(price) AS paid FROM shop_orders GROUP BY member_id) o ON o.member_id = p.member_id
       WHERE p.balance <> COALESCE(l.total, 0) OR p.balance <> ? - COALESCE(o.paid, 0) OR p.balance < 0`,
    )
    .pluck()
    .get(start) as number;
  if (orders !== plan.stock || left !== 0 || mismatched !== 0) throw new Error(`${side}: ${orders} orders for a stock of ${plan.stock}, ${left} left, ${mismatched} balances wrong`);
}

async function coreRun(ctx: BenchContext, plan: Plan, rep: number): Promise<SideResult> {
  const appConfig = benchConfig({ rateLimit: { commands: null } }, join(ctx.tempDir('shop-core'), 'qunbot.sqlite'));
  const app: App = await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: new FixedClock(AT) });
  try {
    const sqlite = sqliteOf(app.store);
    const at = Date.parse(AT);
    const admin = chatEvent(COMMUNITY, 'admin', 'admin', `/shop add ${ITEM} price=${PRICE} stock=${plan.stock}`, `shop-add-${rep}`);
    const added = await app.router.handle({ ...admin, actor: { ...admin.actor, isAdmin: true } });
    const communityId = sqlite.prepare('SELECT id FROM communities WHERE external_id = ?').pluck().get(COMMUNITY) as number | undefined;
    if (communityId === undefined || sqlite.prepare('SELECT COUNT(*) FROM shop_items').pluck().get() !== 1) throw new Error(`shop add: ${added.replies.map((r) => r.text).join(' ')}`);
    const start = ((plan.stock / plan.buyers) * 2 + 10) * PRICE;
    seedBuyers(sqlite, communityId, plan.buyers, start, at);
    const before = app.store.unitTransactions();
    const latencies: number[] = [];
    let delivery = 0;
    const buyer = async (b: number): Promise<void> => {
      for (;;) {
        const t0 = nowNs();
        const { replies } = await app.router.handle(buyerEvent(b, `r${rep}-${delivery++}`));
        latencies.push(nowNs() - t0);
        const text = replies.map((r) => [r.title, r.text].filter(Boolean).join('\n')).join('\n');
        if (text.includes('已兑完')) return;
        if (!text.includes('兑换成功')) throw new Error(`buyer ${b}: unexpected reply ${text.slice(0, 200)}`);
      }
    };
    const t0 = nowNs();
    await Promise.all(Array.from({ length: plan.buyers }, (_, b) => buyer(b)));
    const ms = (nowNs() - t0) / 1e6;
    check(sqlite, plan, start, 'core');
    return { opsPerSec: plan.stock / (ms / 1e3), ms, p50Us: percentile(latencies, 50) / 1e3, p99Us: percentile(latencies, 99) / 1e3, transactions: app.store.unitTransactions() - before };
  } finally {
    await app.stop();
  }
}

/**
 * The baseline: a fresh database of the same schema (the app opens and
 * migrates it, and adds the item and buyers the same way), then the
 * redemption's statements by hand, in the order the router and
 * ShopService.redeem run them, redeeming round-robin across the buyers in
 * groups of `buyers` per transaction until the stock is gone.
 */
async function baselineRun(ctx: BenchContext, plan: Plan, rep: number): Promise<SideResult> {
  const appConfig = benchConfig({ rateLimit: { commands: null } }, join(ctx.tempDir('shop-base'), 'qunbot.sqlite'));
  const app: App = await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: new FixedClock(AT) });
  try {
    const sqlite = sqliteOf(app.store);
    const at = Date.parse(AT);
    const admin = chatEvent(COMMUNITY, 'admin', 'admin', `/shop add ${ITEM} price=${PRICE} stock=${plan.stock}`, `shop-add-${rep}`);
    await app.router.handle({ ...admin, actor: { ...admin.actor, isAdmin: true } });
    const communityId = sqlite.prepare('SELECT id FROM communities WHERE external_id = ?').pluck().get(COMMUNITY) as number;
    const start = ((plan.stock / plan.buyers) * 2 + 10) * PRICE;
    seedBuyers(sqlite, communityId, plan.buyers, start, at);
    const redeem = baselineRedeem(sqlite);
    const latencies: number[] = [];
    const begin = sqlite.prepare('BEGIN IMMEDIATE');
    const commit = sqlite.prepare('COMMIT');
    let delivery = 0;
    let transactions = 0;
    let soldOut = false;
    const t0 = nowNs();
    while (!soldOut) {
      begin.run();
      transactions++;
      for (let b = 0; b < plan.buyers; b++) {
        const s = nowNs();
        if (!redeem(communityId, `b${b}`, `base-${rep}-${delivery++}`, at)) soldOut = true;
        latencies.push(nowNs() - s);
      }
      commit.run();
    }
    const ms = (nowNs() - t0) / 1e6;
    check(sqlite, plan, start, 'baseline');
    return { opsPerSec: plan.stock / (ms / 1e3), ms, p50Us: percentile(latencies, 50) / 1e3, p99Us: percentile(latencies, 99) / 1e3, transactions };
  } finally {
    await app.stop();
  }
}

/** One redemption's statements (src/core/inbound/repo.ts, identity/repo.ts, shop/repo.ts, points/repo.ts, lifecycle/repo.ts); false: sold out. */
function baselineRedeem(sqlite: Sqlite): (communityId: number, userId: string, deliveryId: string, at: number) => boolean {
  const claim = sqlite.prepare('INSERT INTO inbound_events (platform, community, delivery_id, actor, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const saveReply = sqlite.prepare('UPDATE inbound_events SET reply_json = ? WHERE platform = ? AND community = ? AND delivery_id = ?');
  const findByAccount = sqlite.prepare<[number, string, string], { id: number }>(
    'SELECT m.id, m.community_id, m.display_name, m.joined_at, m.left_at, a.platform_user_id FROM members m JOIN member_accounts a ON a.member_id = m.id WHERE a.community_id = ? AND a.platform = ? AND a.platform_user_id = ?',
  );
  const itemByKey = sqlite.prepare<[number, string], { id: number; price: number; stock: number | null }>(
    "SELECT i.*, (SELECT COUNT(*) FROM shop_codes c WHERE c.item_id = i.id AND c.order_id IS NULL) AS free_codes FROM shop_items i WHERE i.community_id = ? AND i.name_key = ? AND i.status = 'active'",
  );
  const getPoints = sqlite.prepare<[number], { balance: number; earned: number }>('SELECT balance, earned FROM member_points WHERE member_id = ?');
  const bought = sqlite.prepare("SELECT COUNT(*) AS n FROM shop_orders WHERE member_id = ? AND item_id = ? AND status <> 'refunded'");
  const takeUnit = sqlite.prepare('UPDATE shop_items SET stock = stock - 1 WHERE id = ? AND stock IS NOT NULL AND stock > 0');
  const insertOrder = sqlite.prepare<[number, number, number, number, number], { id: number }>(
    "INSERT INTO shop_orders (community_id, item_id, member_id, price, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?) RETURNING id",
  );
  const insertLedger = sqlite.prepare(
    `INSERT INTO points_ledger (community_id, member_id, delta, kind, reason, ref, idem_key, actor_member_id, day, created_at)
     VALUES (?, ?, ?, 'spend', ?, ?, ?, NULL, '2026-11-23', ?) ON CONFLICT (idem_key) DO NOTHING`,
  );
  const addToBalance = sqlite.prepare(
    `INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) VALUES (?, ?, ?, 0, ?)
     ON CONFLICT (member_id) DO UPDATE SET balance = member_points.balance + excluded.balance, earned = member_points.earned + excluded.earned, updated_at = excluded.updated_at`,
  );
  const bumpActivity = sqlite.prepare(
    `INSERT INTO member_activity (community_id, member_id, day, messages, commands) VALUES (?, ?, '2026-11-23', 0, 1)
     ON CONFLICT (community_id, member_id, day) DO UPDATE SET messages = messages + excluded.messages, commands = commands + excluded.commands
     RETURNING messages + commands AS total`,
  );
  const key = ITEM.normalize('NFKC').toLowerCase();
  const reply = JSON.stringify([{ text: 'ok', ephemeral: true }]);
  return (communityId, userId, deliveryId, at) => {
    claim.run('playground', COMMUNITY, deliveryId, userId, at);
    const memberId = (findByAccount.get(communityId, 'playground', userId) as { id: number }).id;
    const item = itemByKey.get(communityId, key) as { id: number; price: number; stock: number | null };
    const points = getPoints.get(memberId) as { balance: number };
    bought.get(memberId, item.id);
    let ok = item.stock !== null && item.stock > 0 && points.balance >= item.price && takeUnit.run(item.id).changes === 1;
    if (ok) {
      const orderId = (insertOrder.get(communityId, item.id, memberId, item.price, at) as { id: number }).id;
      getPoints.get(memberId);
      ok = insertLedger.run(communityId, memberId, -item.price, `shop item ${item.id}`, String(orderId), `shop-order:${orderId}`, at).changes === 1;
      addToBalance.run(memberId, communityId, -item.price, at);
    }
    bumpActivity.get(communityId, memberId);
    saveReply.run(reply, 'playground', COMMUNITY, deliveryId);
    return ok;
  };
}
