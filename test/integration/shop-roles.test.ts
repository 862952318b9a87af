/**
 * Issue #14, role items: `/shop add … kind=role role=<id> [days=n]` on
 * Discord; redeeming grants the role after the commit through the Roles port
 * (core/sender.ts) and records the outcome on the order (fulfilled, or pending
 * with the platform's reason for an admin); with days the expiry timer takes
 * the role away (restart-safe: the timer is desired from the orders table);
 * a refund of a granted role removes it; platforms without roles refuse.
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
const DAY = 86_400_000;
const ROLE = '112233445566778899';

interface Call {
  what: 'grant' | 'remove';
  userId: string;
  roleId: string;
  reason: string;
}

/** A Discord sender with roles that records its calls; `refuse` fails a grant as Discord does without Manage Roles. */
function roleSender(options: { refuse?: boolean } = {}): Sender & { calls: Call[] } {
  const calls: Call[] = [];
  const record = async (what: Call['what'], userId: string, roleId: string, reason: string): Promise<void> => {
    calls.push({ what, userId, roleId, reason });
    if (options.refuse) throw new SendError('discord 403 (code 50013): Missing Permissions', false);
  };
  return {
    platform: 'discord',
    calls,
    send: async () => undefined,
    sendDirect: async () => undefined,
    grantRole: (_c, userId, roleId, reason) => record('grant', userId, roleId, reason),
    removeRole: (_c, userId, roleId, reason) => record('remove', userId, roleId, reason),
  };
}

const on = async (t: TestApp, user: string, text: string): Promise<string> => {
  const event = { ...t.chat.event(user, text), community: { platform: 'discord', externalId: 'discord-group' } } as ChatEvent;
  const { replies } = await t.app.router.handle(event);
  return replies.map((r: Reply) => [r.title, r.text].filter(Boolean).join('\n')).join('\n');
};
const orders = async (t: TestApp) =>
  (await t.app.store.sql.prepare('SELECT id, status, note, expires_at, fulfilled_at FROM shop_orders ORDER BY id').all()) as Array<{ id: number; status: string; note: string | null; expires_at: number | null; fulfilled_at: number | null }>;
const balanceOf = async (t: TestApp, name: string): Promise<number> =>
  ((await t.app.store.sql.prepare('SELECT COALESCE(p.balance, 0) AS balance FROM members m LEFT JOIN member_points p ON p.member_id = m.id WHERE m.display_name = ?').get(name)) as { balance: number }).balance;
async function fund(t: TestApp, points: number, user: string): Promise<void> {
  await on(t, user, '/points');
  await on(t, 'admin', `/grant ${user} ${points} shop test`);
}

describe('shop: role items', () => {
  it('grants the role after the commit, records it fulfilled with its expiry, shows it in /orders, and the timer removes it once', async () => {
    const clock = new FixedClock(T0);
    const sender = roleSender();
    const t = await app({ clock, senders: [sender] });
    const added = await on(t, 'admin', `/shop add VIP price=30 kind=role role=<@&${ROLE}> days=7`);
    expect(added).toContain(`grants <@&${ROLE}> for 7 days`);
    await fund(t, 50, 'alice');
    expect(await on(t, 'alice', '/redeem VIP')).toContain('the role is being granted to you');
    expect(sender.calls).toEqual([{ what: 'grant', userId: 'alice', roleId: ROLE, reason: 'qunbot: shop order 1' }]);
    const granted = Date.parse(T0);
    expect(await orders(t)).toEqual([{ id: 1, status: 'fulfilled', note: null, expires_at: granted + 7 * DAY, fulfilled_at: granted }]);
    expect(await balanceOf(t, 'alice')).toBe(20);
    expect(await on(t, 'alice', '/orders')).toContain('Role until 2026-11-30 10:00');
    // Restart-safe: SQLite says the expiry timer should be armed.
    expect((await t.app.shop.desired()).timers).toEqual([{ jobId: 'shop-role-1', dueAt: new Date(granted + 7 * DAY), job: { kind: 'shop-role-expiry', id: 1 } }]);

    clock.advance(7 * DAY);
    await t.app.jobs.run('shop-role-expiry', 1);
    expect(sender.calls.slice(1)).toEqual([{ what: 'remove', userId: 'alice', roleId: ROLE, reason: 'qunbot: shop order 1 expired' }]);
    expect((await orders(t))[0]?.status).toBe('expired');
    expect((await t.app.shop.desired()).timers).toEqual([]);
    // A second firing (a retry) removes nothing more; a timer for an order this database lacks is 'missing'.
    await t.app.jobs.run('shop-role-expiry', 1);
    expect(sender.calls).toHaveLength(2);
    expect(await t.app.jobs.run('shop-role-expiry', 99)).toBe('missing');
    expect(await on(t, 'alice', '/orders')).toContain('expired');
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('a grant Discord refuses leaves the order pending with the reason for the admins; the member is told; a refund returns the points once', async () => {
    const sender = roleSender({ refuse: true });
    const t = await app({ clock: new FixedClock(T0), senders: [sender] });
    await on(t, 'admin', `/shop add VIP price=30 kind=role role=${ROLE}`);
    await fund(t, 50, 'bob');
    await on(t, 'bob', '/redeem VIP');
    expect(sender.calls.map((c) => c.what)).toEqual(['grant']);
    expect(await orders(t)).toEqual([{ id: 1, status: 'pending', note: 'discord 403 (code 50013): Missing Permissions', expires_at: null, fulfilled_at: null }]);
    const told = (await t.app.store.sql.prepare("SELECT reply_json FROM deliveries WHERE source = 'shop:1'").all()) as Array<{ reply_json: string }>;
    expect(told.map((d) => (JSON.parse(d.reply_json) as Reply).text)).toEqual([expect.stringContaining('could not be granted; the order waits for an admin')]);
    const pending = await on(t, 'admin', '/shop orders pending');
    expect(pending).toContain('Note: discord 403 (code 50013): Missing Permissions');
    expect(await balanceOf(t, 'bob')).toBe(20);
    await on(t, 'admin', '/shop refund 1');
    await on(t, 'admin', '/shop refund 1');
    expect(await balanceOf(t, 'bob')).toBe(50);
    // The role was never granted: nothing to remove.
    expect(sender.calls.map((c) => c.what)).toEqual(['grant']);
    expect(await ledgerMismatches(t.app.store.sql)).toEqual([]);
  });

  it('a refund of a granted role removes it at once and cancels nothing twice; a role without days has no timer', async () => {
    const sender = roleSender();
    const t = await app({ clock: new FixedClock(T0), senders: [sender] });
    await on(t, 'admin', `/shop add 永久会员 price=10 kind=role role=${ROLE}`);
    await fund(t, 10, 'carol');
    await on(t, 'carol', '/redeem 1');
    expect((await orders(t))[0]).toMatchObject({ status: 'fulfilled', expires_at: null });
    expect((await t.app.shop.desired()).timers).toEqual([]);
    await on(t, 'admin', '/shop refund 1');
    expect(sender.calls.map((c) => [c.what, c.reason])).toEqual([
      ['grant', 'qunbot: shop order 1'],
      ['remove', 'qunbot: shop order 1 refunded'],
    ]);
    expect(await balanceOf(t, 'carol')).toBe(10);
  });

  it('platforms without roles refuse role items with a clear message; bad role input is refused', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    expect(await t.chat.say('admin', `/shop add 会员 price=10 kind=role role=${ROLE}`)).toBe('这个平台不支持身份组：身份组商品只能在 Discord 上架和兑换。');
    expect(await t.chat.say('admin', `/shop add 会员 price=10 role=${ROLE}`)).toBe('role= 和 days= 只用于身份组商品（kind=身份组）。');
    const d = await app({ clock: new FixedClock(T0), senders: [roleSender()] });
    expect(await on(d, 'admin', '/shop add 会员 price=10 kind=role role=vip')).toBe('A role item needs its role: role=<role id> or role=@role.');
    expect(await on(d, 'admin', '/shop add 会员 price=10 kind=role')).toBe('A role item needs its role: role=<role id> or role=@role.');
  });
});

describe('level perks: points.levels[].role', () => {
  const ROLE2 = '998877665544332211';
  const levels = [
    { min: 0, name: { 'zh-CN': '新手', en: 'Newcomer' } },
    { min: 100, name: { 'zh-CN': '进阶', en: 'Regular' }, role: ROLE },
    { min: 500, name: { 'zh-CN': '专家', en: 'Expert' }, role: ROLE2 },
  ];

  it('a crossing grants the role of every level crossed, once, after the commit; no crossing grants nothing; platforms without roles are skipped', async () => {
    const sender = roleSender();
    const t = await app({ clock: new FixedClock(T0), senders: [sender], config: { points: { levels } } });
    await on(t, 'alice', '/points');
    await on(t, 'admin', '/grant alice 600 big help');
    expect(sender.calls).toEqual([
      { what: 'grant', userId: 'alice', roleId: ROLE, reason: 'qunbot: level reached' },
      { what: 'grant', userId: 'alice', roleId: ROLE2, reason: 'qunbot: level reached' },
    ]);
    await on(t, 'admin', '/grant alice 50 more');
    expect(sender.calls).toHaveLength(2);
    // The playground has no roles: its level-ups are announced, no role is asked for.
    await t.chat.say('bob', '/points');
    await t.chat.say('admin', '/grant bob 150 help');
    expect(sender.calls).toHaveLength(2);
  });

  it('a grant Discord refuses does not undo the points', async () => {
    const sender = roleSender({ refuse: true });
    const t = await app({ clock: new FixedClock(T0), senders: [sender], config: { points: { levels } } });
    await on(t, 'carol', '/points');
    await on(t, 'admin', '/grant carol 120 help');
    expect(sender.calls.map((c) => c.roleId)).toEqual([ROLE]);
    expect(await balanceOf(t, 'carol')).toBe(120);
  });
});
