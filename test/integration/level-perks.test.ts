/**
 * Issue #14, level perks (points.levels[]): a badge beside the member in
 * /points and on the leaderboard; a shop discount for members at or above a
 * level (the best applicable level wins, rounded down), charged and recorded
 * on the order, refunded as paid; and, with points.levelRoles.removeWhenBelow,
 * the roles of levels a member drops below taken away after the commit
 * through the Roles port.
 */
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { SendError, type Sender } from '../../src/core/sender.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { ledgerMismatches } from '../helpers/ledger.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });
const T0 = '2026-11-23T02:00:00.000Z';
const ROLE1 = '112233445566778899';
const ROLE2 = '998877665544332211';

const levels = [
  { min: 0, name: { 'zh-CN': '新手', en: 'Newcomer' } },
  { min: 100, name: { 'zh-CN': '进阶', en: 'Regular' }, badge: '🌱', shopDiscount: 10, role: ROLE1 },
  // No badge of its own: the badge of the level below shows. A smaller discount: the best applicable one (10%) wins.
  { min: 300, name: { 'zh-CN': '熟手', en: 'Skilled' }, shopDiscount: 5 },
  { min: 500, name: { 'zh-CN': '专家', en: 'Expert' }, badge: '⭐', shopDiscount: 25, role: ROLE2 },
];

const balanceOf = async (t: TestApp, name: string): Promise<number> =>
  ((await t.app.store.sql.prepare('SELECT COALESCE(p.balance, 0) AS balance FROM members m LEFT JOIN member_points p ON p.member_id = m.id WHERE m.display_name = ?').get(name)) as { balance: number }).balance;
const orders = async (t: TestApp) => (await t.app.store.sql.prepare('SELECT id, price, status FROM shop_orders ORDER BY id').all()) as Array<{ id: number; price: number; status: string }>;
const ledgerOf = async (t: TestApp, key: string) => (await t.app.store.sql.prepare('SELECT delta, kind FROM points_ledger WHERE idem_key = ?').get(key)) as { delta: number; kind: string } | undefined;

interface Call {
  what: 'grant' | 'remove';
  userId: string;
  roleId: string;
  reason: string;
}

function roleSender(options: { refuseRemove?: boolean } = {}): Sender & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    platform: 'discord',
    calls,
    send: async () => undefined,
    sendDirect: async () => undefined,
    grantRole: async (_c, userId, roleId, reason) => {
      calls.push({ what: 'grant', userId, roleId, reason });
    },
    removeRole: async (_c, userId, roleId, reason) => {
      calls.push({ what: 'remove', userId, roleId, reason });
      if (options.refuseRemove) throw new SendError('discord 403 (code 50013): Missing Permissions', false);
    },
  };
}

const on = async (t: TestApp, user: string, text: string): Promise<string> => {
  const event = { ...t.chat.event(user, text), community: { platform: 'discord', externalId: 'discord-group' } } as ChatEvent;
  const { replies } = await t.app.router.handle(event);
  return replies.map((r: Reply) => [r.title, r.text].filter(Boolean).join('\n')).join('\n');
};

describe('level perks: badges', () => {
  it('shows the badge of the level (or of the highest level below with one) in /points and on the leaderboard', async () => {
    const t = await app({ clock: new FixedClock(T0), config: { points: { levels } } });
    for (const u of ['alice', 'bob', 'carol']) await t.chat.say(u, '/points');
    await t.chat.say('admin', '/grant alice 600 help');
    await t.chat.say('admin', '/grant bob 350 help');
    await t.chat.say('admin', '/grant carol 50 help');
    expect(await t.chat.say('alice', '/points')).toContain('等级：**专家 ⭐**');
    expect(await t.chat.say('bob', '/points')).toContain('等级：**熟手 🌱**');
    expect(await t.chat.say('carol', '/points')).toContain('等级：**新手**\n');
    // The discount perk is named in /points too.
    expect(await t.chat.say('alice', '/points')).toContain('等级权益：商城兑换享 25% 折扣');
    expect(await t.chat.say('carol', '/points')).not.toContain('折扣');
    const board = await t.chat.say('carol', '/leaderboard all');
    expect(board).toContain('1. ⭐ alice — 600 分');
    expect(board).toContain('2. 🌱 bob — 350 分');
    expect(board).toContain('3. carol — 50 分');
    // The week's board shows the badge of the all-time level.
    expect(await t.chat.say('carol', '/leaderboard week')).toContain('1. ⭐ alice — 600 分');
  });
});

describe('level perks: shop discount', () => {
  it('charges the discounted price (best level wins, rounded down), records it on the order, refunds what was paid', async () => {
    const t = await app({ clock: new FixedClock(T0), config: { points: { levels } } });
    await t.chat.say('admin', '/shop add 咖啡券 price=95 stock=5');
    for (const u of ['alice', 'bob', 'carol']) await t.chat.say(u, '/points');
    await t.chat.say('admin', '/grant alice 600 help');
    await t.chat.say('admin', '/grant bob 350 help');
    await t.chat.say('admin', '/grant carol 99 help');

    // 25% off 95 = 71.25 → 71; 10% (the best of 10% and 5%) off 95 = 85.5 → 85.
    expect(await t.chat.say('alice', '/shop')).toContain('#1 **咖啡券** · 71 积分（原价 95）· 人工发货 · 剩 5 件');
    expect(await t.chat.say('alice', '/shop')).toContain('你的等级「专家」在商城享 25% 折扣');
    expect(await t.chat.say('bob', '/shop')).toContain('#1 **咖啡券** · 85 积分（原价 95）');
    // Below every discount level: the full price, and a balance of 99 is enough only for it.
    const carolList = await t.chat.say('carol', '/shop');
    expect(carolList).toContain('#1 **咖啡券** · 95 积分 · 人工发货');
    expect(carolList).not.toContain('折扣');

    expect(await t.chat.say('alice', '/redeem 咖啡券')).toContain('已扣除 71 积分（原价 95，等级折扣 25%），余额 529。');
    expect(await t.chat.say('bob', '/redeem 咖啡券')).toContain('已扣除 85 积分（原价 95，等级折扣 10%），余额 265。');
    expect(await t.chat.say('carol', '/redeem 咖啡券')).toContain('已扣除 95 积分，余额 4。');
    expect(await orders(t)).toEqual([
      { id: 1, price: 71, status: 'pending' },
      { id: 2, price: 85, status: 'pending' },
      { id: 3, price: 95, status: 'pending' },
    ]);
    expect(await ledgerOf(t, 'shop-order:1')).toEqual({ delta: -71, kind: 'spend' });
    expect(await ledgerOf(t, 'shop-order:2')).toEqual({ delta: -85, kind: 'spend' });

    // A refund returns what was paid, not the list price.
    expect(await t.chat.say('admin', '/shop refund 1')).toContain('71');
    expect(await ledgerOf(t, 'shop-refund:1')).toEqual({ delta: 71, kind: 'spend' });
    expect(await balanceOf(t, 'alice')).toBe(600);
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('the balance check uses the discounted price: a member who can afford only that redeems', async () => {
    const t = await app({ clock: new FixedClock(T0), config: { points: { levels } } });
    await t.chat.say('admin', '/shop add 会员卡 price=200');
    await t.chat.say('dora', '/points');
    await t.chat.say('admin', '/grant dora 500 help');
    await t.chat.say('admin', '/shop add 大礼包 price=700');
    // 25% off 700 = 525: dora has 500, and is refused with the price she would pay.
    expect(await t.chat.say('dora', '/redeem 大礼包')).toBe('无法兑换「大礼包」：需要 525 积分，你有 500 积分。');
    await t.chat.say('admin', '/grant dora 25 help');
    expect(await t.chat.say('dora', '/redeem 大礼包')).toContain('已扣除 525 积分');
    expect(await balanceOf(t, 'dora')).toBe(0);
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });
});

describe('level perks: roles removed below the level (points.levelRoles.removeWhenBelow)', () => {
  it('grants the roles on the way up and takes away those of levels no longer held after a /deduct', async () => {
    const sender = roleSender();
    const t = await app({ clock: new FixedClock(T0), senders: [sender], config: { points: { levels, levelRoles: { removeWhenBelow: true } } } });
    await on(t, 'alice', '/points');
    await on(t, 'admin', '/grant alice 600 help');
    expect(sender.calls).toEqual([
      { what: 'grant', userId: 'alice', roleId: ROLE1, reason: 'qunbot: level reached' },
      { what: 'grant', userId: 'alice', roleId: ROLE2, reason: 'qunbot: level reached' },
    ]);
    // 600 → 350: below Expert (ROLE2), still Regular (ROLE1).
    await on(t, 'admin', '/deduct alice 250 mistake');
    expect(sender.calls.slice(2)).toEqual([{ what: 'remove', userId: 'alice', roleId: ROLE2, reason: 'qunbot: below the level' }]);
    // A deduct that keeps the level removes nothing.
    await on(t, 'admin', '/deduct alice 10 mistake');
    expect(sender.calls).toHaveLength(3);
    // 340 → 90: below Regular; ROLE1 goes too.
    await on(t, 'admin', '/deduct alice 250 mistake');
    expect(sender.calls.slice(3)).toEqual([{ what: 'remove', userId: 'alice', roleId: ROLE1, reason: 'qunbot: below the level' }]);
    // Back up to Regular: granted again.
    await on(t, 'admin', '/grant alice 20 help');
    expect(sender.calls.slice(4)).toEqual([{ what: 'grant', userId: 'alice', roleId: ROLE1, reason: 'qunbot: level reached' }]);
    // Spending never demotes: a redemption leaves the roles alone.
    await on(t, 'admin', '/shop add Sticker price=100');
    expect(await on(t, 'alice', '/redeem Sticker')).toContain('90 points spent (full price 100, level discount 10%); balance 20.');
    expect(sender.calls).toHaveLength(5);
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('off by default: a drop in level keeps the roles; a refused removal keeps the points change', async () => {
    const kept = roleSender();
    const t = await app({ clock: new FixedClock(T0), senders: [kept], config: { points: { levels } } });
    await on(t, 'alice', '/points');
    await on(t, 'admin', '/grant alice 150 help');
    await on(t, 'admin', '/deduct alice 100 mistake');
    expect(kept.calls.map((c) => c.what)).toEqual(['grant']);

    const refusing = roleSender({ refuseRemove: true });
    const r = await app({ clock: new FixedClock(T0), senders: [refusing], config: { points: { levels, levelRoles: { removeWhenBelow: true } } } });
    await on(r, 'bob', '/points');
    await on(r, 'admin', '/grant bob 150 help');
    expect(await on(r, 'admin', '/deduct bob 100 mistake')).toContain('Balance now: 50');
    expect(refusing.calls.map((c) => c.what)).toEqual(['grant', 'remove']);
    expect(await balanceOf(r, 'bob')).toBe(50);
  });
});
