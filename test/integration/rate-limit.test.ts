import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { testApps, type TestApp } from '../helpers/app.js';

const limit = { rateLimit: { commands: { limit: 10, windowMs: 10_000 } } };
const app = testApps(limit);
const T0 = '2026-03-02T04:00:00Z';

async function balance(t: TestApp, userId: string): Promise<number | undefined> {
  return (await t.app.store.sql
      .prepare<[string], { balance: number }>('SELECT p.balance FROM member_points p JOIN member_accounts a ON a.member_id = p.member_id WHERE a.platform_user_id = ?')
      .get(userId))?.balance;
}

async function many(t: TestApp, userId: string, n: number, text = '/points'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await t.chat.say(userId, text));
  return out;
}

describe('per-member command rate limit', () => {
  it('refuses the 11th command in 10 s with one notice and no effect, the 12th with silence, until the window ends', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    for (const reply of await many(t, 'alice', 10)) expect(reply).toContain('积分');
    clock.advance(4_000);
    // The 11th: one polite notice, and the check-in is not made.
    expect(await t.chat.say('alice', '/checkin', { deliveryId: 'eleventh' })).toBe('你发得太快了，请 6 秒后再试。');
    // The 12th and later: no reply at all, and no effect.
    expect(await t.chat.send('alice', '/checkin')).toEqual([]);
    expect(await t.chat.send('alice', '/points')).toEqual([]);
    // A platform retry of the 11th gets the same notice, not silence.
    expect(await t.chat.say('alice', '/checkin', { deliveryId: 'eleventh' })).toBe('你发得太快了，请 6 秒后再试。');
    expect((await balance(t, 'alice')) ?? 0).toBe(0);
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM checkins').get())).toEqual({ n: 0 });
    // Another member is not affected.
    expect(await t.chat.say('bob', '/points')).toContain('积分');
    // The window (10 s from alice's first command) ends: commands work again, with a new budget.
    clock.advance(6_000);
    expect(await t.chat.say('alice', '/checkin')).toContain('签到成功');
    expect((await balance(t, 'alice'))).toBe(10);
    for (const reply of await many(t, 'alice', 9)) expect(reply).toContain('积分');
    expect(await t.chat.say('alice', '/points')).toBe('你发得太快了，请 10 秒后再试。');
  });

  it('exempts admins', async () => {
    const t = (await app({ clock: new FixedClock(T0) }));
    for (const reply of await many(t, 'admin', 15)) expect(reply).toContain('积分');
  });

  it('never counts a retried delivery (one WeCom msgid) twice', async () => {
    const t = (await app({ clock: new FixedClock(T0) }));
    const first = await t.chat.say('alice', '/points', { deliveryId: 'msg-1' });
    for (let i = 0; i < 5; i++) expect(await t.chat.say('alice', '/points', { deliveryId: 'msg-1' })).toBe(first);
    // Retries did not count: nine more distinct commands make ten.
    for (const reply of await many(t, 'alice', 9)) expect(reply).toContain('积分');
    expect(await t.chat.say('alice', '/points')).toContain('你发得太快了');
  });

  it('does not limit plain chat', async () => {
    // Fifteen messages in one instant are flooding for moderation (its own rule, moderation-actions.test.ts); here only the command limit is asked about.
    const t = (await app({ clock: new FixedClock(T0), config: { moderation: { spam: { flood: { messages: 0 } } } } }));
    await many(t, 'alice', 10);
    expect(await t.chat.say('alice', '/points')).toContain('你发得太快了');
    // Chat to the bot that is not a command still gets its answer (and earns no limit).
    for (let i = 0; i < 15; i++) expect(await t.chat.say('alice', `你好 ${i}`)).toContain('我没听懂');
  });

  it('follows the per-community override, in the community language', async () => {
    const t = (await app({
          clock: new FixedClock(T0),
          config: { community: { overrides: { 'playground:demo': { locale: 'en', rateLimit: { commands: { limit: 2, windowMs: 30_000 } } } } } },
        }));
    await many(t, 'alice', 2);
    expect(await t.chat.say('alice', '/points')).toBe("You're sending commands too fast. Please try again in 30 s.");
  });

  it('is off for a community whose override is null', async () => {
    const t = (await app({ clock: new FixedClock(T0), config: { community: { overrides: { 'playground:demo': { rateLimit: { commands: null } } } } } }));
    for (const reply of await many(t, 'alice', 15)) expect(reply).toContain('积分');
  });

  it('shares the window between processes on one database', async () => {
    const clock = new FixedClock(T0);
    const a = (await app({ clock }));
    const b = (await app({ clock, databasePath: join(a.dir, 'qunbot.sqlite') }));
    await many(a, 'alice', 5);
    await many(b, 'alice', 5);
    expect(await a.chat.say('alice', '/points')).toContain('你发得太快了');
    expect(await b.chat.send('alice', '/points')).toEqual([]);
  });
});
