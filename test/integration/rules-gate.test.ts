/**
 * Issue #15, acceptance gating (lifecycle.rules.gate with acceptance on): a member who has not accepted
 * the rules earns no points (check-in and quiz answers are refused with the reason, chat scores nothing)
 * and cannot join lotteries; they are told privately about /accept at most once a day, not on every
 * message; the newcomer bonus waits for /accept; admins are exempt; with the gate off nothing changes.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { testApps, type TestApp } from '../helpers/app.js';

const T0 = '2026-11-23T02:00:00.000Z';
const DAY = 86_400_000;
const app = testApps();

const join = (t: TestApp, user: string) => t.app.router.handle({ ...t.chat.event(user, ''), type: 'memberJoined' } as ChatEvent);
const chatter = (t: TestApp, user: string, text: string) => t.app.router.handle({ ...t.chat.event(user, text), addressed: false } as ChatEvent);
const memberId = async (t: TestApp, name: string) => ((await t.app.store.sql.prepare('SELECT id FROM members WHERE display_name = ?').get(name)) as { id: number }).id;
const ledger = async (t: TestApp, name: string) =>
  (await t.app.store.sql.prepare<[number], { reason: string; delta: number }>('SELECT reason, delta FROM points_ledger WHERE member_id = ? ORDER BY id').all(await memberId(t, name))).map((r) => `${r.reason}:${r.delta}`);
const gateReminders = async (t: TestApp) => t.app.store.sql.prepare<[], { recipient: string | null }>("SELECT recipient FROM deliveries WHERE source = 'rules-gate' ORDER BY id").all();
const entries = async (t: TestApp) => t.app.store.sql.prepare<[], { member_id: number; source: string }>('SELECT member_id, source FROM lottery_entries ORDER BY member_id').all();

const gated = { lifecycle: { rules: { acceptance: true }, welcome: { newcomerBonus: 20 }, activity: { pointsPerMessage: 2, cooldownSeconds: 0, minLength: 0, newMemberRate: 1 } } };

describe('acceptance gating', () => {
  it('no points and no lottery before /accept, with the reason; everything works after it; the newcomer bonus is paid then', async () => {
    const clock = new FixedClock(T0);
    const t = await app({ clock, config: gated });
    await join(t, 'bob');
    expect(await ledger(t, 'bob')).toEqual([]);
    const refused = await t.chat.say('bob', '/checkin');
    expect(refused).toContain('请先接受群规');
    expect(await t.app.store.sql.prepare('SELECT * FROM checkins').all()).toEqual([]);
    await t.chat.say('admin', '/lottery create 周末福利 winners=1 ends=+1h');
    expect(await t.chat.say('bob', '/lottery join 1')).toContain('才能参加抽奖');
    expect(await entries(t)).toEqual([]);

    expect(await t.chat.say('bob', '/accept')).toContain('已记录你接受了群规');
    expect(await ledger(t, 'bob')).toEqual(['newcomer:20']);
    expect(await t.chat.say('bob', '/checkin')).not.toContain('请先接受群规');
    expect(await t.chat.say('bob', '/lottery join 1')).not.toContain('才能参加抽奖');
    expect((await ledger(t, 'bob'))[1]).toMatch(/^checkin:\d+$/);
    expect(await entries(t)).toEqual([{ member_id: await memberId(t, 'bob'), source: 'join' }]);
    // A second /accept pays nothing again.
    await t.chat.say('bob', '/accept');
    expect((await ledger(t, 'bob')).filter((l) => l.startsWith('newcomer'))).toHaveLength(1);
  });

  it('chat earns nothing before /accept; the private reminder goes at most once a day, not on every message', async () => {
    const clock = new FixedClock(T0);
    const t = await app({ clock, config: gated });
    for (let i = 0; i < 3; i++) {
      await chatter(t, 'carol', `大家好，今天天气不错 ${i}`);
      clock.advance(60_000);
    }
    expect(await ledger(t, 'carol')).toEqual([]);
    expect(await gateReminders(t)).toEqual([{ recipient: 'carol' }]);
    clock.advance(DAY);
    await chatter(t, 'carol', '又是新的一天');
    expect(await gateReminders(t)).toHaveLength(2);
    await t.chat.say('carol', '/accept');
    await chatter(t, 'carol', '接受之后发言');
    expect(await ledger(t, 'carol')).toEqual(['activity:2']);
    expect(await gateReminders(t)).toHaveLength(2);
  });

  it('admins are exempt; with the gate off (or acceptance off) members earn as before', async () => {
    const t = await app({ clock: new FixedClock(T0), config: gated });
    expect(await t.chat.say('admin', '/checkin')).not.toContain('请先接受群规');
    expect((await ledger(t, 'admin'))[0]).toMatch(/^checkin:/);
    const open = await app({ clock: new FixedClock(T0), config: { lifecycle: { rules: { acceptance: true, gate: { points: false, lotteries: false } } } } });
    expect(await open.chat.say('dave', '/checkin')).not.toContain('请先接受群规');
    expect((await ledger(open, 'dave'))[0]).toMatch(/^checkin:/);
    const off = await app({ clock: new FixedClock(T0) });
    expect(await off.chat.say('erin', '/checkin')).not.toContain('请先接受群规');
  });
});
