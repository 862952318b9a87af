import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdjustableClock, FixedClock } from '../../src/core/clock.js';
import { drawWinners } from '../../src/features/lottery/draw.js';
import { makeTestApp, testApps, type TestApp } from '../helpers/app.js';
import { ledgerMismatches } from '../helpers/ledger.js';
import { waitFor } from '../helpers/wait.js';
import type { ChatEvent } from '../../src/core/chat-event.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });
// 10:00 in Asia/Shanghai, the default community timezone.
const T0 = '2026-11-23T02:00:00.000Z';
const HOUR = 3_600_000;

type Claim = { id: number; member_id: number; round: number; status: string; order_id: number | null; deadline_at: number | null; reminded_at: number | null };
const claims = async (t: TestApp) => (await t.app.store.sql.prepare('SELECT * FROM lottery_claims ORDER BY id').all()) as Claim[];
const nameOf = async (t: TestApp, memberId: number) => ((await t.app.store.sql.prepare('SELECT display_name FROM members WHERE id = ?').get(memberId)) as { display_name: string }).display_name;
const row = async (t: TestApp, id = 1) => (await t.app.store.sql.prepare('SELECT * FROM lotteries WHERE id = ?').get(id)) as Record<string, unknown>;
const orders = async (t: TestApp) => (await t.app.store.sql.prepare('SELECT o.*, c.code FROM shop_orders o LEFT JOIN shop_codes c ON c.order_id = o.id ORDER BY o.id').all()) as Array<{ id: number; member_id: number; status: string; source: string | null; price: number; code: string | null }>;
/** Everything the bot handed to the outbox: group posts and direct messages with their fallbacks. */
const outboxText = async (t: TestApp) =>
  ((await t.app.store.sql.prepare('SELECT reply_json, fallback_json FROM deliveries ORDER BY id').all()) as Array<{ reply_json: string; fallback_json: string | null }>).map((d) => `${d.reply_json}\n${d.fallback_json ?? ''}`).join('\n');
const lotteryPosts = async (t: TestApp, id = 1) =>
  ((await t.app.store.sql.prepare("SELECT reply_json, recipient FROM deliveries WHERE source = ? ORDER BY id").all(`lottery:${id}`)) as Array<{ reply_json: string; recipient: string | null }>).map((d) => ({
    ...(JSON.parse(d.reply_json) as { title?: string; text: string }),
    recipient: d.recipient,
  }));
const usersOf = (n: number, prefix = 'u') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
async function enter(t: TestApp, id: number, users: readonly string[]): Promise<void> {
  for (const u of users) await t.chat.say(u, `参与抽奖 ${id}`);
}

describe('lottery prizes', () => {
  it('a points prize is paid to each winner at the draw through the ledger, once, and /lottery status says delivered', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    const [announce] = await t.chat.send('admin', '/lottery create 积分大奖 winners=3 ends=+1h points=50');
    expect(announce?.text).toContain('每位中奖者在开奖时获得 50 积分。');
    await enter(t, 1, usersOf(6));
    const result = await t.chat.say('admin', '/lottery draw 1');
    expect(result).toContain('每位中奖者已获得 50 积分。');
    const ledger = (await t.app.store.sql.prepare("SELECT member_id, delta, kind, idem_key FROM points_ledger WHERE idem_key LIKE 'lottery-prize:%' ORDER BY member_id").all()) as Array<{ member_id: number; delta: number; idem_key: string }>;
    const winners = (JSON.parse(String((await row(t)).winners_json)) as { rounds: string[][] }).rounds[0] ?? [];
    expect(ledger.map((l) => String(l.member_id)).sort()).toEqual([...winners].sort());
    expect(ledger.every((l) => l.delta === 50 && l.idem_key === `lottery-prize:1:${l.member_id}`)).toBe(true);
    // A re-run of the draw job pays nobody twice.
    await t.app.jobs.run('lottery-draw', 1);
    expect(await t.app.store.sql.prepare("SELECT COUNT(*) AS n FROM points_ledger WHERE idem_key LIKE 'lottery-prize:%'").get()).toEqual({ n: 3 });
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
    const status = await t.chat.say('u0', '/lottery status 1');
    expect(status).toContain('已发放 3 · 待领取 0 · 已逾期 0 · 已重抽 0');
    expect(await t.chat.say(await nameOf(t, Number(winners[0])), '领奖 1')).toContain('已在开奖时发放');
    // A manual reroll of a points lottery pays its new winner too.
    await t.chat.say('admin', '/lottery reroll 1 1');
    expect(await t.app.store.sql.prepare("SELECT COUNT(*) AS n FROM points_ledger WHERE idem_key LIKE 'lottery-prize:%'").get()).toEqual({ n: 4 });
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('a code prize: each winner gets a distinct code, only privately on /claim, never in a group post, a direct message or the feed', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    await t.chat.say('admin', '/shop add 会员月卡 price=0 kind=code');
    await t.chat.say('admin', '/shop codes 1 CODE-1 CODE-2 CODE-3 CODE-4');
    const [announce] = await t.chat.send('admin', '/lottery create 会员月卡 winners=3 ends=+1h item=会员月卡 claim=48h');
    expect(announce?.text).toContain('中奖后发送「领奖 1」领取（开奖后 48 小时内）');
    await enter(t, 1, usersOf(5));
    const result = await t.chat.say('admin', '/lottery draw 1');
    expect(result).toContain('中奖者请发送「领奖 1」领取奖品（截止 2026-11-25 10:00');
    const won = await claims(t);
    expect(won).toHaveLength(3);
    expect(won.every((c) => c.status === 'pending' && c.deadline_at === Date.parse(T0) + 48 * HOUR)).toBe(true);
    // The codes are held for the winners (one each), unseen: the orders are in the shop's table, marked as prizes.
    const held = await orders(t);
    expect(held.map((o) => [o.status, o.source, o.price])).toEqual(Array(3).fill(['reserved', 'lottery:1', 0]));
    expect(new Set(held.map((o) => o.code)).size).toBe(3);
    // Each winner is told privately (a direct message; the fallback post has the mention, no code).
    const dms = (await lotteryPosts(t)).filter((p) => p.recipient !== null);
    expect(dms).toHaveLength(3);
    expect(dms[0]?.text).toContain('发送「领奖 1」领取');
    const [resultPost] = (await lotteryPosts(t)).filter((p) => p.recipient === null) as Array<{ actions?: unknown }>;
    expect(resultPost?.actions).toEqual([{ label: '领奖', command: 'lottery claim 1', style: 'primary' }]);
    const got: string[] = [];
    for (const c of won) {
      const [reply] = await t.chat.send(await nameOf(t, c.member_id), '/claim 1');
      expect(reply?.ephemeral).toBe(true);
      expect(reply?.text).toContain('领奖成功');
      got.push(/`(CODE-\d)`/.exec(reply?.text ?? '')?.[1] ?? '');
    }
    expect(new Set(got).size).toBe(3);
    expect(got.every((c) => c.startsWith('CODE-'))).toBe(true);
    // Claimed twice: the same code again, nothing new taken.
    const again = await t.chat.say(await nameOf(t, won[0]?.member_id ?? 0), '领奖 1');
    expect(again).toContain(got[0]);
    expect((await orders(t)).map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    // A member who did not win has nothing to claim.
    expect(await t.chat.say('nobody', '/claim 1')).toBe('你没有在抽奖 #1 中奖。');
    // No code ever reached the outbox (posts, direct messages, fallbacks) nor the feed.
    const sent = await outboxText(t);
    for (const code of ['CODE-1', 'CODE-2', 'CODE-3', 'CODE-4']) expect(sent).not.toContain(code);
    const feed = JSON.stringify((await t.app.playground?.feed.list('demo')) ?? []);
    expect(feed).not.toContain('CODE-');
    // The admins' queue is the shop's: prize orders show there.
    expect(await t.chat.say('admin', '/shop orders')).toContain('抽奖 #1 的奖品');
    expect(await t.chat.say('u0', '/lottery status 1')).toContain('已发放 3 · 待领取 0');
  });

  it('on WeCom (group replies are public) the claimed code goes by direct message only; the outbox, started, never puts a code in the feed', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    await t.app.start();
    const on = (user: string, text: string) => t.app.router.handle({ ...t.chat.event(user, text), community: { platform: 'wecom', externalId: 'wecom-group' } } as ChatEvent).then((r) => r.replies);
    await on('admin', '/shop add 会员月卡 price=0 kind=code');
    await on('admin', '/shop codes 会员月卡 WECOM-SECRET-1 WECOM-SECRET-2');
    await on('admin', '/lottery create 会员月卡 winners=2 ends=+1h item=会员月卡');
    for (const u of ['ann', 'ben']) await on(u, '参与抽奖 1');
    const [result] = await on('admin', '/lottery draw 1');
    expect(JSON.stringify(result)).not.toContain('SECRET');
    const [claimed] = await on('ann', '领奖 1');
    expect(claimed?.text).toContain('兑换码已私信发给你，不会发在群里');
    expect(JSON.stringify(claimed)).not.toContain('SECRET');
    const rows = (await t.app.store.sql.prepare("SELECT reply_json, recipient, fallback_json FROM deliveries WHERE reply_json LIKE '%SECRET%'").all()) as Array<{ reply_json: string; recipient: string | null; fallback_json: string | null }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.recipient).toBe('ann');
    expect(rows[0]?.fallback_json).not.toContain('SECRET');
    expect(await t.app.store.sql.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE fallback_json LIKE '%SECRET%' OR (recipient IS NULL AND reply_json LIKE '%SECRET%')").get()).toEqual({ n: 0 });
    // The playground community's outbox runs too: its feed gets the result post and notices, never a code.
    await t.chat.say('admin', '/shop add 礼品卡 price=0 kind=code');
    await t.chat.say('admin', '/shop codes 2 PLAY-SECRET-1');
    await t.chat.say('admin', '/lottery create 礼品卡 winners=1 ends=+1h item=2');
    await t.chat.say('ann', '参与抽奖 2');
    await t.chat.say('admin', '/lottery draw 2');
    expect(await t.chat.say('ann', '领奖 2')).toContain('PLAY-SECRET-1');
    const feed = async () => JSON.stringify((await t.app.playground?.feed.list('demo')) ?? []);
    await waitFor(async () => ((await feed()).includes('领奖 2') ? true : undefined), 10_000, 'the result post and notice in the feed');
    expect(await feed()).not.toContain('SECRET');
  });

  it('pool exhaustion: fewer codes than winners; the rest wait in the admins queue, the result post tells the admins, a later upload serves the claim', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    await t.chat.say('admin', '/shop add 兑换券 price=0 kind=code');
    await t.chat.say('admin', '/shop codes 1 ONLY-1');
    await t.chat.say('admin', '/lottery create 兑换券 winners=3 ends=+1h item=1');
    await enter(t, 1, usersOf(3));
    const result = await t.chat.say('admin', '/lottery draw 1');
    expect(result).toContain('⚠️ 管理员请注意：库存或兑换码不足，2 位中奖者的订单在待发货队列中等待');
    const all = await orders(t);
    expect(all.map((o) => o.status).sort()).toEqual(['pending', 'pending', 'reserved']);
    expect(all.filter((o) => o.code !== null).map((o) => o.code)).toEqual(['ONLY-1']);
    expect(await t.chat.say('admin', '/shop orders pending')).toMatch(/#\d「兑换券」.*待发货.*抽奖 #1 的奖品/);
    const waiting = all.find((o) => o.status === 'pending');
    const waiter = await nameOf(t, waiting?.member_id ?? 0);
    expect(await t.chat.say(waiter, '领奖 1')).toContain('兑换码暂缺');
    await t.chat.say('admin', '/shop codes 1 LATE-1');
    const [claimed] = await t.chat.send(waiter, '领奖 1');
    expect(claimed?.text).toContain('`LATE-1`');
    expect((await orders(t)).find((o) => o.id === waiting?.id)?.status).toBe('delivered');
    expect(await outboxText(t)).not.toContain('LATE-1');
  });

  it('goods with too little stock: the winner without a unit waits in the queue; expiries and refunds give back only units that were taken', async () => {
    const clock = new AdjustableClock(new FixedClock(T0));
    const t = await app({ clock });
    await t.chat.say('admin', '/shop add 徽章 price=0 stock=1');
    await t.chat.say('admin', '/lottery create 徽章 winners=2 ends=+1h item=1 claim=2h');
    await enter(t, 1, ['ann', 'ben', 'cat']);
    expect(await t.chat.say('admin', '/lottery draw 1')).toContain('1 位中奖者的订单在待发货队列中等待');
    const stock = async () => ((await t.app.store.sql.prepare('SELECT stock FROM shop_items WHERE id = 1').get()) as { stock: number }).stock;
    expect(await stock()).toBe(0);
    const waiting = (await orders(t)).find((o) => o.status === 'pending');
    expect((await orders(t)).map((o) => o.status).sort()).toEqual(['pending', 'reserved']);
    // The waiting order took no unit, so refunding it gives none back.
    expect(await t.chat.say('admin', `/shop refund ${waiting?.id}`)).toContain('已退款');
    expect(await stock()).toBe(0);
    await clock.advance(2 * HOUR);
    await t.app.jobs.run('lottery-claims', 1);
    // The reserved unit comes back when its prize expires, once.
    expect((await orders(t)).map((o) => o.status).sort()).toEqual(['cancelled', 'refunded']);
    expect(await stock()).toBe(1);
    const held = (await orders(t)).find((o) => o.status === 'cancelled');
    expect(await t.chat.say('admin', `/shop refund ${held?.id}`)).toContain('不会再退一次');
    expect(await stock()).toBe(1);
  });

  it('deadline: a reminder before it, then the unclaimed prize is rerolled automatically, never to a past winner; its code goes back to the pool', async () => {
    const clock = new AdjustableClock(new FixedClock(T0));
    const t = await app({ clock, config: { lottery: { autoReroll: true } } });
    await t.chat.say('admin', '/shop add 周边 price=0 kind=code');
    await t.chat.say('admin', '/shop codes 1 A-1 A-2 A-3');
    await t.chat.say('admin', '/lottery create 周边 winners=2 ends=+1h item=1 claim=48h');
    await enter(t, 1, usersOf(6));
    await t.chat.say('admin', '/lottery draw 1');
    const [first, second] = await claims(t);
    // One winner claims; the other does not.
    await t.chat.say(await nameOf(t, first?.member_id ?? 0), '领奖 1');
    // The job at the reminder time (24 h before a 48 h deadline) reminds only the unclaimed winner.
    await clock.advance(24 * HOUR);
    await t.app.jobs.run('lottery-claims', 1);
    await t.app.jobs.run('lottery-claims', 1);
    const reminders = (await lotteryPosts(t)).filter((p) => p.text.startsWith('⏰'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.recipient).toBe(await nameOf(t, second?.member_id ?? 0));
    expect(reminders[0]?.text).toContain('还没有领取');
    // Past the deadline: expired, the code is released, and a replacement drawn with the next round.
    await clock.advance(24 * HOUR + 1);
    await t.app.jobs.run('lottery-claims', 1);
    await t.app.jobs.run('lottery-claims', 1);
    const after = await claims(t);
    expect(after.map((c) => [c.status, c.round])).toEqual([['claimed', 0], ['rerolled', 0], ['pending', 1]]);
    const lottery = await row(t);
    const rounds = (JSON.parse(String(lottery.winners_json)) as { rounds: string[][] }).rounds;
    const frozen = JSON.parse(String(lottery.entries_json)) as { entries: Array<{ id: string; weight: number }> };
    expect(rounds[1]).toEqual(drawWinners({ seedHex: String(lottery.seed_hex), entries: frozen.entries, winners: 1, round: 1, exclude: rounds[0] }));
    expect(rounds[0]).not.toContain(rounds[1]?.[0]);
    expect(String(after[2]?.member_id)).toBe(rounds[1]?.[0]);
    // The expired order is cancelled and its code (never shown) serves the new winner.
    const all = await orders(t);
    expect(all.map((o) => o.status)).toEqual(['delivered', 'cancelled', 'reserved']);
    expect(all[2]?.code).toBe('A-2');
    // The group gets an updated result naming the new winner; the first post is not edited.
    const updated = (await lotteryPosts(t)).filter((p) => p.title === '🔁 抽奖 #1 更新结果');
    expect(updated).toHaveLength(1);
    expect(updated[0]?.text).toContain('逾期未领取，已重新抽取');
    // The expired winner cannot claim any more; /lottery status shows each state.
    expect(await t.chat.say(await nameOf(t, second?.member_id ?? 0), '领奖 1')).toContain('领奖期限已过');
    const status = await t.chat.say('admin', '/lottery status 1');
    expect(status).toContain('已发放 1 · 待领取 1 · 已逾期 0 · 已重抽 1');
    expect(status).toMatch(/· 已重抽 · 第 0 轮 · 订单 #2（已作废）/);
    expect(status).toMatch(/· 待领取 · 第 1 轮 · 订单 #3（待领取） · 截止 2026-11-27 10:00/);
    expect(await t.chat.say('u0', '/lottery verify 1')).toContain('验证通过');
    // The replacement's deadline passes too: rerolled again, never to any past winner of the lottery.
    await clock.advance(48 * HOUR + 1);
    await t.app.jobs.run('lottery-claims', 1);
    const rounds2 = (JSON.parse(String((await row(t)).winners_json)) as { rounds: string[][] }).rounds;
    expect(rounds2).toHaveLength(3);
    expect([...(rounds2[0] ?? []), ...(rounds2[1] ?? [])]).not.toContain(rounds2[2]?.[0]);
  });

  it('manual reroll: the expired prize waits for the admin, who rerolls once; a member who left is never drawn', async () => {
    const clock = new AdjustableClock(new FixedClock(T0));
    const t = await app({ clock });
    await t.chat.say('admin', '/shop add T恤 price=0 stock=5');
    await t.chat.say('admin', '/lottery create T恤 winners=1 ends=+1h item=T恤 claim=2h reroll=手动');
    await enter(t, 1, ['ann', 'ben', 'cat']);
    expect(await t.chat.say('admin', '/lottery reroll 1')).toContain('还没有开奖');
    await t.chat.say('admin', '/lottery draw 1');
    expect(await t.chat.say('admin', '/lottery reroll 1')).toBe('抽奖 #1 没有逾期未领的奖品，无需重抽。');
    const [winner] = await claims(t);
    const winnerName = await nameOf(t, winner?.member_id ?? 0);
    const others = ['ann', 'ben', 'cat'].filter((u) => u !== winnerName);
    // One of the two others leaves: only the last one can be drawn.
    await t.app.router.handle({ ...t.chat.event(others[0] ?? '', ''), type: 'memberLeft' });
    expect((await t.app.store.sql.prepare('SELECT stock FROM shop_items WHERE id = 1').get())).toEqual({ stock: 4 });
    await clock.advance(2 * HOUR);
    await t.app.jobs.run('lottery-claims', 1);
    const notice = (await lotteryPosts(t)).find((p) => p.text.includes('逾期未领取，已作废'));
    expect(notice?.text).toContain('/lottery reroll 1');
    expect((await claims(t)).map((c) => c.status)).toEqual(['expired']);
    // The unit held for the expired prize is back in stock.
    expect((await t.app.store.sql.prepare('SELECT stock FROM shop_items WHERE id = 1').get())).toEqual({ stock: 5 });
    expect(await t.chat.say('alice', '/lottery reroll 1')).toContain('只有管理员');
    expect(await t.chat.say('admin', '/lottery reroll 1')).toContain('第 1 轮替补');
    expect(await t.chat.say('admin', '/lottery reroll 1')).toContain('没有逾期未领的奖品');
    const after = await claims(t);
    expect(after.map((c) => c.status)).toEqual(['rerolled', 'pending']);
    expect(await nameOf(t, after[1]?.member_id ?? 0)).toBe(others[1]);
    expect((await row(t)).winners_json).toContain('"left":{"1":[');
    expect(await t.chat.say('ann', '/lottery verify 1')).toContain('验证通过');
    // The new winner claims goods: the order joins the admins' queue, and fulfilment is the shop's.
    expect(await t.chat.say(others[1] ?? '', '/claim 1')).toMatch(/订单 #2「T恤」已进入发货队列/);
    expect(await t.chat.say('admin', '/shop fulfil 2')).toContain('已标记为已发货');
    expect(await t.chat.say(others[1] ?? '', '/claim 1')).toBe('订单 #2「T恤」已经发货了。');
    expect(await t.chat.say('admin', '/lottery status 1')).toContain('已发放 1 · 待领取 0 · 已逾期 0 · 已重抽 1');
    // A refunded prize order cannot be claimed; a cancelled one (its unit already back) cannot be refunded.
    await t.chat.say('admin', '/shop refund 2');
    expect(await t.chat.say(others[1] ?? '', '/claim 1')).toContain('已被退回或作废');
    expect(await t.chat.say('admin', '/shop refund 1')).toContain('不会再退一次');
    expect((await t.app.store.sql.prepare('SELECT stock FROM shop_items WHERE id = 1').get())).toEqual({ stock: 5 });
  });

  it('a restart before the deadline still rerolls once after it: the reconciler re-arms the claims timer from the database', async () => {
    const clock = new AdjustableClock(new FixedClock(T0));
    const dir = mkdtempSync(join(tmpdir(), 'qunbot-prizes-'));
    const databasePath = join(dir, 'qunbot.sqlite');
    const config = { jobs: { reconcileIntervalMs: 60_000 }, lottery: { autoReroll: true } };
    const first = await makeTestApp({ clock, databasePath, config });
    let second: TestApp | undefined;
    let firstOpen = true;
    try {
      await first.chat.say('admin', '/shop add 周边 price=0 stock=3');
      await first.chat.say('admin', '/lottery create 周边 winners=1 ends=+1h item=1 claim=2h');
      await enter(first, 1, usersOf(4));
      await first.chat.say('admin', '/lottery draw 1');
      await first.close();
      firstOpen = false;
      // The deadline passes while no process runs.
      await clock.advance(3 * HOUR);
      second = await makeTestApp({ clock, databasePath, config });
      const desired = await second.app.lottery.desired(clock.now());
      expect(desired.timers.map((d) => d.jobId)).toEqual([`lottery-claims-1-${Date.parse(T0) + HOUR}`]);
      await second.app.start();
      const until = Date.now() + 10_000;
      while ((await claims(second)).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      // The timer fired on its own (no manual run yet); a second run changes nothing.
      expect((await claims(second)).map((c) => c.status)).toEqual(['rerolled', 'pending']);
      await second.app.jobs.run('lottery-claims', 1);
      expect((await claims(second)).map((c) => [c.status, c.round])).toEqual([['rerolled', 0], ['pending', 1]]);
      expect((await lotteryPosts(second)).filter((p) => p.title === '🔁 抽奖 #1 更新结果')).toHaveLength(1);
      expect(await second.app.jobs.run('lottery-claims', 99)).toBe('missing');
    } finally {
      if (firstOpen) await first.close();
      await second?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input: both prizes, an unknown item, an unreadable claim window, claiming a text prize', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    expect(await t.chat.say('admin', '/lottery create x winners=1 ends=+1h points=5 item=1')).toBe('奖品只能是积分（points=）或商品（item=）之一。');
    expect(await t.chat.say('admin', '/lottery create x winners=1 ends=+1h item=无此商品')).toContain('商城里没有「无此商品」');
    await t.chat.say('admin', '/shop add 周边 price=0');
    expect(await t.chat.say('admin', '/lottery create x winners=1 ends=+1h item=1 claim=soon')).toContain('看不懂领奖期限「soon」');
    await t.chat.say('admin', '/lottery create 合影 winners=1 ends=+1h');
    await enter(t, 1, ['ann']);
    await t.chat.say('admin', '/lottery draw 1');
    expect(await t.chat.say('ann', '领奖 1')).toContain('由管理员发放，无需领取');
    expect(await t.chat.say('ann', '/lottery status 1')).toContain('没有领奖记录');
  });
});
