import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { ledgerMismatches } from '../helpers/ledger.js';
import { waitFor } from '../helpers/wait.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });
// 10:00 in Asia/Shanghai, the default community timezone.
const T0 = '2026-11-23T02:00:00.000Z';
const HOUR = 3_600_000;

const count = async (t: TestApp, sql: string, ...params: Array<string | number>): Promise<number> =>
  ((await t.app.store.sql.prepare(sql).get(...params)) as { n: number }).n;
const balanceOf = async (t: TestApp, name: string): Promise<number> =>
  ((await t.app.store.sql.prepare('SELECT COALESCE(p.balance, 0) AS balance FROM members m LEFT JOIN member_points p ON p.member_id = m.id WHERE m.display_name = ?').get(name)) as { balance: number }).balance;
const stockOf = async (t: TestApp, id: number): Promise<number | null> => ((await t.app.store.sql.prepare('SELECT stock FROM shop_items WHERE id = ?').get(id)) as { stock: number | null }).stock;
const orders = async (t: TestApp) => (await t.app.store.sql.prepare('SELECT * FROM shop_orders ORDER BY id').all()) as Array<Record<string, unknown>>;
/** What the shop handed to the outbox (level-up posts from the test's grants left out). */
const deliveries = async (t: TestApp) =>
  (await t.app.store.sql.prepare("SELECT reply_json, recipient, fallback_json FROM deliveries WHERE source LIKE 'shop:%' ORDER BY id").all()) as Array<{ reply_json: string; recipient: string | null; fallback_json: string | null }>;
/** Creates members (first sight) and gives them points, one by one. */
async function fund(t: TestApp, points: number, ...users: string[]): Promise<void> {
  for (const u of users) {
    await t.chat.say(u, '/points');
    await t.chat.say('admin', `/grant ${u} ${points} shop test`);
  }
}
/** The same text from another platform's event: a WeCom group message or a Discord text command. */
const on = (t: TestApp, platform: 'wecom' | 'discord', user: string, text: string): Promise<Reply[]> => {
  const base = t.chat.event(user, text);
  const event = { ...base, community: { platform, externalId: `${platform}-group` } } as ChatEvent;
  return t.app.router.handle(event).then((r) => r.replies);
};

describe('shop: items and redemption', () => {
  it('an admin adds items; members see price, stock and why they cannot redeem; a member may not add', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    const [added] = await t.chat.send('admin', '/shop add 咖啡券 price=50 stock=3 per_member=1');
    expect(added?.title).toBe('🛍️ 商品 #1 已上架');
    expect(added?.text).toContain('#1 **咖啡券** · 50 积分 · 人工发货 · 剩 3 件');
    expect(added?.text).toContain('每人限兑 1 件');
    expect(added?.actions).toEqual([{ label: '兑换', command: 'redeem 1', style: 'primary' }]);
    await t.chat.say('admin', '/商城 上架 "Steam 礼品卡" price=200 kind=兑换码 min_level=2');
    expect(await t.chat.say('alice', '/shop add 免费 price=1')).toContain('只有管理员');
    await fund(t, 60, 'alice');
    const list = await t.chat.say('alice', '商城');
    expect(list).toContain('🛍️ 积分商城');
    expect(list).toContain('#1 **咖啡券** · 50 积分 · 人工发货 · 剩 3 件\n  ✓ 可兑换：回复 兑换 1');
    // Level before stock: the refusal says what the member can do least about first.
    expect(list).toContain('#2 **Steam 礼品卡** · 200 积分 · 兑换码 · 剩 0 件\n  ✗ 需要达到第 2 级。');
    expect(list).toContain('你的积分：60');
    expect(await t.chat.say('alice', '/redeem Steam 礼品卡')).toBe('无法兑换「Steam 礼品卡」：需要达到第 2 级。');
    await t.chat.say('admin', '/grant alice 100 level up');
    expect(await t.chat.say('alice', '/shop')).toContain('#2 **Steam 礼品卡** · 200 积分 · 兑换码 · 剩 0 件\n  ✗ 已兑完。');
    await t.chat.say('admin', '/shop codes 2 AAA-1');
    expect(await t.chat.say('alice', '/shop')).toContain('#2 **Steam 礼品卡** · 200 积分 · 兑换码 · 剩 1 件\n  ✗ 需要 200 积分，你有 160 积分。');
  });

  it('a manual item: the order enters the queue, the admin fulfils it with a note, the member is told; the ledger has the spend', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    await t.chat.say('admin', '/shop add 周边T恤 price=30 stock=2');
    await fund(t, 100, 'alice');
    expect(await t.chat.say('alice', '兑换 周边t恤')).toBe('✅ 兑换成功：订单 #1「周边T恤」已提交，管理员发货后会通知你。\n已扣除 30 积分，余额 70。');
    expect(await stockOf(t, 1)).toBe(1);
    const ledger = await t.app.store.sql.prepare("SELECT delta, kind, idem_key FROM points_ledger WHERE idem_key LIKE 'shop-%'").all();
    expect(ledger).toEqual([{ delta: -30, kind: 'spend', idem_key: 'shop-order:1' }]);
    const queue = await t.chat.say('admin', '/shop orders pending');
    expect(queue).toContain('🧾 待发货订单');
    expect(queue).toMatch(/#1「周边T恤」· alice · 30 积分 · 待发货 · 2026-11-23 10:00/);
    expect(await t.chat.say('alice', '/shop orders')).toContain('只有管理员');
    expect(await t.chat.say('alice', '/shop fulfil 1')).toContain('只有管理员');
    expect(await t.chat.say('admin', '/shop fulfil 1 快递单号 SF123')).toBe('订单 #1「周边T恤」已标记为已发货，已通知 alice。');
    expect(await t.chat.say('admin', '/shop fulfil 1')).toBe('订单 #1 不在待发货状态（现在：已发货）。');
    const [notice] = await deliveries(t);
    expect(notice?.recipient).toBe('alice');
    expect(JSON.parse(notice?.reply_json ?? '{}')).toMatchObject({ text: '📦 <@alice> 你的订单 #1「周边T恤」已发货。\n备注：快递单号 SF123' });
    const [order] = await orders(t);
    expect(order).toMatchObject({ status: 'fulfilled', note: '快递单号 SF123', price: 30 });
    expect(order?.fulfilled_by).toBeTypeOf('number');
    expect(await t.chat.say('alice', '我的兑换')).toContain('#1「周边T恤」· 30 积分 · 已发货 · 2026-11-23 10:00 (Asia/Shanghai)\n  备注：快递单号 SF123');
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('a code item: each redemption gets the oldest free code in an ephemeral reply; the pool runs out and no code is given twice', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    await t.chat.say('admin', '/shop add 视频会员 price=10 kind=code');
    expect(await t.chat.say('admin', '/shop codes 1 CODE-A, CODE-B\nCODE-C CODE-A')).toBe('#1「视频会员」：新增 3 个兑换码，跳过 1 个重复的；码池现有 3 个可用。');
    expect(await t.chat.say('admin', '/shop codes 视频会员 CODE-B CODE-D')).toBe('#1「视频会员」：新增 1 个兑换码，跳过 1 个重复的；码池现有 4 个可用。');
    await fund(t, 100, 'ann', 'ben', 'cat', 'dan', 'eve');
    const got: string[] = [];
    for (const u of ['ann', 'ben', 'cat', 'dan']) {
      const [reply] = await t.chat.send(u, '/redeem 1');
      expect(reply?.ephemeral).toBe(true);
      const code = /`(CODE-\w)`/.exec(reply?.text ?? '')?.[1];
      expect(code).toBeDefined();
      got.push(code as string);
    }
    expect(got).toEqual(['CODE-A', 'CODE-B', 'CODE-C', 'CODE-D']);
    expect(await t.chat.say('eve', '/redeem 1')).toBe('无法兑换「视频会员」：已兑完。');
    expect(await balanceOf(t, 'eve')).toBe(100);
    expect(await count(t, 'SELECT COUNT(*) AS n FROM shop_orders')).toBe(4);
    // /orders shows the code again, privately.
    const [mine] = await t.chat.send('ben', '/orders');
    expect(mine?.ephemeral).toBe(true);
    expect(mine?.text).toContain('#2「视频会员」· 10 积分 · 已发码');
    expect(mine?.text).toContain('兑换码： `CODE-B`');
    expect(mine?.text).not.toContain('CODE-A');
    // Codes never reached a post: no delivery, no feed item.
    expect(await deliveries(t)).toEqual([]);
    expect((await t.app.playground?.feed.list('demo')) ?? []).toEqual([]);
  });

  it('on WeCom (group replies are public) and Discord text commands the code goes by direct message only; a slash command gets it ephemeral', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    // WeCom communities speak Chinese by default, Discord ones English.
    const sent = { wecom: ['兑换码已私信发给你，不会发在群里', '兑换码已私信发给你'], discord: ['Your code is sent to you privately, never in the group', 'Your codes are sent to you privately'] };
    for (const platform of ['wecom', 'discord'] as const) {
      await on(t, platform, 'admin', '/shop add 会员月卡 price=0 kind=code');
      await on(t, platform, 'admin', `/shop codes 会员月卡 ${platform.toUpperCase()}-SECRET-1 ${platform.toUpperCase()}-SECRET-2`);
      const [reply] = await on(t, platform, 'alice', '兑换 会员月卡');
      expect(reply?.text).toContain(sent[platform][0]);
      expect(JSON.stringify(reply)).not.toContain('SECRET');
      const [again] = await on(t, platform, 'alice', '我的兑换');
      expect(again?.text).toContain(sent[platform][1]);
      expect(JSON.stringify(again)).not.toContain('SECRET');
    }
    // The direct messages hold the codes; their group fallbacks never do.
    const rows = await deliveries(t);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.recipient).toBe('alice');
      expect(row.reply_json).toMatch(/(WECOM|DISCORD)-SECRET-1/);
      expect(row.fallback_json).not.toContain('SECRET');
      expect(JSON.parse(row.fallback_json ?? '{}')).toMatchObject({ text: expect.stringMatching(/无法私信发给你|could not be sent to you privately/) });
    }
    // A Discord slash command is an interaction: its ephemeral reply carries the code, and nothing goes to the outbox.
    const slash = (path: string[], options: Record<string, string>) =>
      t.app.router.handle({ ...t.chat.event('bob', ''), type: 'command', path, options, community: { platform: 'discord', externalId: 'discord-group' } } as ChatEvent).then((r) => r.replies[0]);
    const redeemed = await slash(['redeem'], { item: '会员月卡' });
    expect(redeemed?.ephemeral).toBe(true);
    expect(redeemed?.text).toContain('`DISCORD-SECRET-2`');
    const mine = await slash(['orders'], {});
    expect(mine?.ephemeral).toBe(true);
    expect(mine?.text).toContain('`DISCORD-SECRET-2`');
    expect(await deliveries(t)).toHaveLength(4);
  });

  it('the code never reaches the playground feed, even when the outbox delivers everything the shop posted', async () => {
    const t = await app();
    await t.app.start();
    await t.chat.say('admin', '/shop add 礼品卡 price=5 kind=code');
    await t.chat.say('admin', '/shop add 贴纸 price=5');
    await t.chat.say('admin', '/shop codes 1 PLAY-SECRET-1');
    await fund(t, 50, 'alice');
    expect(await t.chat.say('alice', '/redeem 1')).toContain('PLAY-SECRET-1');
    await t.chat.say('alice', '/redeem 贴纸');
    await t.chat.say('admin', '/shop fulfil 2 已寄出');
    await t.chat.say('admin', '/shop refund 1');
    const feed = await waitFor(async () => {
      const posts = (await t.app.playground?.feed.list('demo')) ?? [];
      return posts.length >= 2 ? posts : undefined;
    }, 10_000, 'the fulfil and refund notices');
    expect(feed.map((p) => p.reply.text).join('\n')).toContain('已发货');
    expect(JSON.stringify(feed)).not.toContain('PLAY-SECRET');
  });
});

describe('shop: stock, limits and refunds under concurrency', () => {
  it('200 concurrent redeems for 10 units: exactly 10 orders, the rest refused as sold out, sum(ledger) == balance for every buyer', async () => {
    const t = await app();
    await t.chat.say('admin', '/shop add 限量徽章 price=7 stock=10');
    const buyers = Array.from({ length: 50 }, (_, i) => `buyer${i}`);
    await fund(t, 100, ...buyers);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => t.chat.say(buyers[i % buyers.length] as string, '/redeem 限量徽章')));
    expect(replies.filter((r) => r.startsWith('✅ 兑换成功'))).toHaveLength(10);
    expect(replies.filter((r) => r === '无法兑换「限量徽章」：已兑完。')).toHaveLength(190);
    expect(await count(t, 'SELECT COUNT(*) AS n FROM shop_orders')).toBe(10);
    expect(await stockOf(t, 1)).toBe(0);
    expect(await count(t, "SELECT COUNT(*) AS n FROM points_ledger WHERE idem_key LIKE 'shop-order:%'")).toBe(10);
    expect(await count(t, 'SELECT COALESCE(SUM(balance), 0) AS n FROM member_points')).toBe(50 * 100 - 10 * 7);
    expect(await count(t, 'SELECT COUNT(*) AS n FROM member_points WHERE balance < 0')).toBe(0);
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('concurrent redeems of a code item never give one code twice, and stop when the pool is empty', async () => {
    const t = await app();
    await t.chat.say('admin', '/shop add 兑换码礼包 price=1 kind=code');
    await t.chat.say('admin', `/shop codes 1 ${Array.from({ length: 15 }, (_, i) => `POOL-${i}`).join(' ')}`);
    const buyers = Array.from({ length: 30 }, (_, i) => `b${i}`);
    await fund(t, 10, ...buyers);
    const replies = await Promise.all(buyers.flatMap((b) => [t.chat.say(b, '/redeem 1'), t.chat.say(b, '/redeem 1')]));
    const given = replies.map((r) => /`(POOL-\d+)`/.exec(r)?.[1]).filter((c): c is string => c !== undefined);
    expect(given).toHaveLength(15);
    expect(new Set(given).size).toBe(15);
    expect(replies.filter((r) => r.includes('已兑完'))).toHaveLength(45);
    expect(await count(t, 'SELECT COUNT(*) AS n FROM shop_codes WHERE order_id IS NOT NULL')).toBe(15);
    expect(await count(t, 'SELECT COUNT(DISTINCT order_id) AS n FROM shop_codes')).toBe(15);
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('a redelivered /redeem (same delivery id) redeems once and answers the same, code included, only to the same member', async () => {
    const t = await app();
    await t.chat.say('admin', '/shop add 礼品码 price=10 kind=code');
    await t.chat.say('admin', '/shop codes 1 DUP-1 DUP-2');
    await fund(t, 100, 'alice');
    const first = await t.chat.say('alice', '/redeem 1', { deliveryId: 'same-delivery' });
    const again = await Promise.all([t.chat.say('alice', '/redeem 1', { deliveryId: 'same-delivery' }), t.chat.say('alice', '/redeem 1', { deliveryId: 'same-delivery' })]);
    expect(first).toContain('`DUP-1`');
    expect(again).toEqual([first, first]);
    expect(await t.chat.say('mallory', '/redeem 1', { deliveryId: 'same-delivery' })).not.toContain('DUP-1');
    expect(await count(t, 'SELECT COUNT(*) AS n FROM shop_orders')).toBe(1);
    expect(await balanceOf(t, 'alice')).toBe(90);
  });

  it('the per-member limit holds under concurrent redeems by one member; a refunded order frees the allowance', async () => {
    const t = await app();
    await t.chat.say('admin', '/shop add 抽奖券 price=5 per_member=2');
    await fund(t, 100, 'alice');
    const replies = await Promise.all(Array.from({ length: 20 }, () => t.chat.say('alice', '/redeem 抽奖券')));
    expect(replies.filter((r) => r.startsWith('✅'))).toHaveLength(2);
    expect(replies.filter((r) => r === '无法兑换「抽奖券」：每人限兑 2 件，你已兑满。')).toHaveLength(18);
    expect(await balanceOf(t, 'alice')).toBe(90);
    await t.chat.say('admin', '/shop refund 1');
    expect(await t.chat.say('alice', '/redeem 抽奖券')).toContain('✅ 兑换成功');
    expect(await t.chat.say('alice', '/redeem 抽奖券')).toContain('你已兑满');
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('a refund gives points and stock back exactly once, even when sent twice at the same time; a code is voided, not reused', async () => {
    const t = await app();
    await t.chat.say('admin', '/shop add 鼠标垫 price=40 stock=1');
    await t.chat.say('admin', '/shop add 优惠码 price=20 kind=code');
    await t.chat.say('admin', '/shop codes 2 ONCE-ONLY');
    await fund(t, 100, 'alice', 'bob');
    await t.chat.say('alice', '/redeem 鼠标垫');
    await t.chat.say('alice', '/redeem 优惠码');
    expect(await balanceOf(t, 'alice')).toBe(40);
    expect(await stockOf(t, 1)).toBe(0);
    const [a, b] = await Promise.all([t.chat.say('admin', '/shop refund 1'), t.chat.say('admin', '/商城 退款 1')].map((p) => p));
    const refunds = [a, b].sort();
    expect(refunds).toEqual(['订单 #1 已经退过款了，积分和库存不会再退一次。', '订单 #1 已退款：40 积分已退还给 alice。\n库存已恢复一件（不限量的商品无需恢复）。'].sort());
    expect(await t.chat.say('admin', '/shop refund 1')).toBe('订单 #1 已经退过款了，积分和库存不会再退一次。');
    expect(await balanceOf(t, 'alice')).toBe(80);
    expect(await stockOf(t, 1)).toBe(1);
    expect(await count(t, "SELECT COUNT(*) AS n FROM points_ledger WHERE idem_key = 'shop-refund:1'")).toBe(1);
    // The code order: points back, the code stays with the refunded order and nobody gets it again.
    expect(await t.chat.say('admin', '/shop refund 2')).toContain('不会放回码池');
    expect(await balanceOf(t, 'alice')).toBe(100);
    expect(await t.chat.say('bob', '/redeem 优惠码')).toBe('无法兑换「优惠码」：已兑完。');
    const [refunded] = (await orders(t)).filter((o) => o.id === 1);
    expect(refunded).toMatchObject({ status: 'refunded' });
    expect(refunded?.refunded_at).toBeTypeOf('number');
    // The refunded code no longer shows in /orders.
    expect(await t.chat.say('alice', '/orders')).not.toContain('ONCE-ONLY');
    expect(await t.chat.say('admin', '/shop refund 99')).toBe('没有编号为 #99 的订单。');
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });
});

describe('shop: windows, levels and bad input', () => {
  it('starts and ends windows: refused before and after, allowed inside', async () => {
    const clock = new FixedClock(T0);
    const t = await app({ clock });
    await t.chat.say('admin', '/shop add 节日礼包 price=10 starts=+1h ends=+3h');
    await fund(t, 100, 'alice');
    expect(await t.chat.say('alice', '/redeem 节日礼包')).toBe('无法兑换「节日礼包」：2026-11-23 11:00 (Asia/Shanghai) 开始兑换。');
    clock.advance(2 * HOUR);
    expect(await t.chat.say('alice', '/redeem 节日礼包')).toContain('✅ 兑换成功');
    clock.advance(HOUR);
    expect(await t.chat.say('alice', '/redeem 节日礼包')).toBe('无法兑换「节日礼包」：已于 2026-11-23 13:00 (Asia/Shanghai) 停止兑换。');
    expect(await t.chat.say('admin', '/shop add 错窗 price=1 starts=+3h ends=+1h')).toContain('必须早于停止时间');
    expect(await t.chat.say('admin', '/shop edit 节日礼包 ends=+1h')).toContain('2026-11-23 14:00 (Asia/Shanghai) 截止');
    expect(await t.chat.say('alice', '/redeem 节日礼包')).toContain('✅ 兑换成功');
  });

  it('/shop edit starts=none ends=none (or -, 无) clears a sale window; a time that is neither is still refused', async () => {
    const clock = new FixedClock(T0);
    const t = await app({ clock });
    await t.chat.say('admin', '/shop add 节日礼包 price=10 starts=+1h ends=+3h');
    await t.chat.say('admin', '/shop add 限时券 price=10 ends=+1h');
    await fund(t, 100, 'alice');
    expect(await t.chat.say('alice', '/redeem 节日礼包')).toContain('开始兑换');
    const cleared = await t.chat.say('admin', '/shop edit 节日礼包 starts=none');
    expect(cleared).not.toContain('开始');
    expect(cleared).toContain('2026-11-23 13:00 (Asia/Shanghai) 截止');
    expect(await t.chat.say('alice', '/redeem 节日礼包')).toContain('✅ 兑换成功');
    clock.advance(4 * HOUR);
    expect(await t.chat.say('alice', '/redeem 节日礼包')).toContain('停止兑换');
    expect(await t.chat.say('admin', '/shop edit 节日礼包 ends=无')).not.toContain('截止');
    expect(await t.chat.say('alice', '/redeem 节日礼包')).toContain('✅ 兑换成功');
    await t.chat.say('admin', '/shop edit 限时券 ends=-');
    expect(await t.chat.say('alice', '/redeem 限时券')).toContain('✅ 兑换成功');
    const windows = (await t.app.store.sql.prepare('SELECT starts_at, ends_at FROM shop_items ORDER BY id').all()) as Array<{ starts_at: number | null; ends_at: number | null }>;
    expect(windows).toEqual([{ starts_at: null, ends_at: null }, { starts_at: null, ends_at: null }]);
    // Clearing is for /shop edit: /shop add takes a time, and anything else is still read as one.
    expect(await t.chat.say('admin', '/shop add 新品 price=1 ends=none')).toContain('ends');
    expect(await t.chat.say('admin', '/shop edit 限时券 ends=never')).toContain('ends');
  });

  it('min_level uses levels by points earned; an edit changes the terms', async () => {
    const t = await app();
    await t.chat.say('admin', '/shop add 专属头衔 price=10 min_level=2');
    await fund(t, 50, 'alice');
    expect(await t.chat.say('alice', '/redeem 专属头衔')).toBe('无法兑换「专属头衔」：需要达到第 2 级。');
    await t.chat.say('admin', '/grant alice 50 more');
    expect(await t.chat.say('alice', '/redeem 专属头衔')).toContain('✅ 兑换成功');
    expect(await t.chat.say('admin', '/shop edit 专属头衔 price=500 per_member=1 name=头衔')).toContain('#1 **头衔** · 500 积分');
    expect(await t.chat.say('alice', '/redeem 头衔')).toBe('无法兑换「头衔」：每人限兑 1 件，你已兑满。');
    expect(await t.chat.say('admin', '/shop edit 头衔 per_member=0')).not.toContain('每人限兑');
    expect(await t.chat.say('alice', '/redeem 头衔')).toBe('无法兑换「头衔」：需要 500 积分，你有 90 积分。');
  });

  it('bad input is refused with a clear message and changes nothing', async () => {
    const t = await app();
    const before = async () => [await count(t, 'SELECT COUNT(*) AS n FROM shop_items'), await count(t, 'SELECT COUNT(*) AS n FROM shop_orders'), await count(t, 'SELECT COUNT(*) AS n FROM shop_codes')];
    expect(await t.chat.say('alice', '/redeem 不存在的东西')).toBe('商城里没有「不存在的东西」：发送 /shop 查看商品和编号。');
    expect(await t.chat.say('alice', '/redeem 42')).toContain('商城里没有「42」');
    expect(await t.chat.say('admin', '/shop add 负价 price=-5')).toContain('price');
    expect(await t.chat.say('admin', '/shop add 没价格')).toContain('price');
    expect(await t.chat.say('admin', '/shop add <@123> price=5')).toContain('商品名称不能包含');
    expect(await t.chat.say('admin', '/shop add **粗体** price=5')).toContain('商品名称不能包含');
    expect(await t.chat.say('admin', '/shop add 隐\u202e藏 price=5')).toContain('商品名称不能包含');
    expect(await t.chat.say('admin', '/shop add @everyone price=5')).toContain('商品名称不能包含');
    expect(await t.chat.say('admin', '/shop add 123 price=5')).toContain('不能只是数字');
    expect(await t.chat.say('admin', `/shop add ${'长'.repeat(41)} price=5`)).toContain('最多 40 个字');
    expect(await t.chat.say('admin', '/shop add 卡 price=5 kind=code stock=3')).toContain('不能设置库存');
    expect(await t.chat.say('admin', '/shop add 卡 price=5 kind=gift')).toContain('发放方式');
    // A role item is a known kind, refused where the platform has no roles (test/integration/shop-roles.test.ts).
    expect(await t.chat.say('admin', '/shop add 卡 price=5 kind=role')).toContain('不支持身份组');
    expect(await before()).toEqual([0, 0, 0]);
    await t.chat.say('admin', '/shop add 贴纸 price=5');
    expect(await t.chat.say('admin', '/shop add 贴纸 price=9')).toBe('商城里已经有名为「贴纸」的商品。');
    expect(await t.chat.say('admin', '/shop codes 贴纸 ABC')).toContain('是人工发货的商品，没有码池');
    expect(await t.chat.say('admin', '/shop edit 贴纸')).toContain('要修改什么');
    expect(await t.chat.say('admin', '/shop fulfil 7')).toBe('没有编号为 #7 的订单。');
    expect(await t.chat.say('alice', '/shop remove 贴纸')).toContain('只有管理员');
    expect(await t.chat.say('alice', '/shop codes 贴纸 X')).toContain('只有管理员');
    expect(await t.chat.say('alice', '/shop refund 1')).toContain('只有管理员');
    expect(await t.chat.say('alice', '/shop edit 贴纸 price=0')).toContain('只有管理员');
    expect(await before()).toEqual([1, 0, 0]);
    expect(await t.chat.say('admin', '/shop remove 贴纸')).toContain('已下架');
    expect(await t.chat.say('alice', '/redeem 贴纸')).toContain('商城里没有「贴纸」');
    expect(await t.chat.say('alice', '/shop')).toBe('商城里还没有商品。');
  });

  it('English community: the same flow in English', async () => {
    const t = await app({ config: { community: { locale: { playground: 'en' } } } });
    await t.chat.say('admin', '/shop add Sticker price=5 stock=1');
    await fund(t, 10, 'alice', 'bob');
    expect(await t.chat.say('alice', '/redeem sticker')).toBe('✅ Redeemed: order #1 "Sticker" is placed; you will be told when an admin fulfils it.\n5 points spent; balance 5.');
    expect(await t.chat.say('bob', '/redeem sticker')).toBe('You cannot redeem "Sticker": it is sold out.');
  });
});
