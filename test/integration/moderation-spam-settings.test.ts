/**
 * Issue #15, per-community spam settings: `/mod spam` shows the rules a community runs, `/mod spam
 * flood=… repeat=… mentions=… links=… newMemberHours=…` overrides `moderation.spam` for that community
 * only, refuses a bad value with a clear reason (and changes nothing), and the filter uses the result.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { effectiveSpam, NO_OVERRIDES, parseSpamSettings, type SpamRules } from '../../src/features/moderation/spam.js';
import { testApps, type TestApp } from '../helpers/app.js';

const START = '2026-11-23T02:00:00Z';
const app = testApps();
const HOUR = 3_600_000;

let n = 0;
function message(group: string, userId: string, text: string, opts: { admin?: boolean; joinedAt?: number; addressed?: boolean } = {}): ChatEvent {
  return {
    type: 'message',
    deliveryId: `spam-${process.pid}-${++n}`,
    community: { platform: 'discord', externalId: group },
    actor: { platformUserId: userId, displayName: userId, isAdmin: opts.admin ?? false, ...(opts.joinedAt !== undefined ? { joinedAt: opts.joinedAt } : {}) },
    channelId: 'chan-1',
    messageId: `m-${n}`,
    text,
    addressed: opts.addressed ?? opts.admin ?? false,
  };
}

async function admin(t: TestApp, group: string, text: string): Promise<string> {
  const { replies } = await t.app.router.handle(message(group, 'boss', text, { admin: true }));
  return replies.map((r) => [r.title, r.text].filter(Boolean).join('\n')).join('\n');
}
const strikeRules = async (t: TestApp): Promise<string[]> => (await t.app.store.sql.prepare<[], { rule: string }>('SELECT rule FROM moderation_strikes ORDER BY id').all()).map((r) => r.rule);

const config: SpamRules = { flood: { messages: 8, seconds: 10 }, repeats: { count: 3, seconds: 120 }, mentions: 5, links: { newMemberHours: 24, allow: [] } };

describe('parseSpamSettings', () => {
  it('reads the names the config uses, keeps what is not given, and `off`', () => {
    const parsed = parseSpamSettings('flood=4/20 repeat=2 mentions=off links=off', NO_OVERRIDES, config);
    expect(parsed).toEqual({ ok: true, value: { flood_messages: 4, flood_seconds: 20, repeat_count: 2, repeat_seconds: 120, mentions: 0, new_member_hours: 0 } });
    if (!parsed.ok) return;
    expect(effectiveSpam(config, parsed.value)).toEqual({ flood: { messages: 4, seconds: 20 }, repeats: { count: 2, seconds: 120 }, mentions: 0, links: { newMemberHours: 0, allow: [] } });
    const again = parseSpamSettings('newMemberHours=6 repeats=5/30', parsed.value, config);
    expect(again.ok && again.value).toMatchObject({ flood_messages: 4, repeat_count: 5, repeat_seconds: 30, new_member_hours: 6 });
    expect(parseSpamSettings('links=on', { ...NO_OVERRIDES, new_member_hours: 0 }, config)).toEqual({ ok: true, value: NO_OVERRIDES });
  });

  it.each([
    ['flood=8', true],
    ['flood=8/0', false],
    ['flood=abc', false],
    ['repeat=1', false],
    ['mentions=-1', false],
    ['mentions=5000', false],
    ['links=maybe', false],
    ['newMemberHours=9000', false],
    ['speed=3', false],
    ['flood', false],
  ])('%s → accepted: %s', (raw, ok) => {
    expect(parseSpamSettings(raw, NO_OVERRIDES, config).ok).toBe(ok);
  });
});

describe('/mod spam', () => {
  it('shows the rules, stores a community’s own values (another community keeps the config’s), and the filter uses them', async () => {
    const clock = new FixedClock(START);
    const t = await app({ clock, config: { moderation: { ladder: ['warn'], spam: { flood: { messages: 8, seconds: 10 }, repeats: { count: 0 }, mentions: 5, links: { newMemberHours: 0 } } } } });
    expect(await admin(t, 'g1', '/mod spam')).toContain('Mentions per message: at most 5');
    const saved = await admin(t, 'g1', '/mod spam flood=2/10 mentions=2');
    expect(saved).toContain('Saved');
    expect(saved).toContain('Flood: 2/10');
    // g1 runs flood 2/10: the third message is a strike; g2 keeps 8/10.
    for (const group of ['g1', 'g2']) for (let i = 0; i < 3; i++) await t.app.router.handle(message(group, 'u1', `hello ${i}`));
    expect(await strikeRules(t)).toEqual(['spam:flood']);
    clock.advance(HOUR);
    await t.app.router.handle(message('g1', 'u2', 'hey <@1> <@2> <@3>'));
    await t.app.router.handle(message('g2', 'u2', 'hey <@1> <@2> <@3>'));
    expect(await strikeRules(t)).toEqual(['spam:flood', 'spam:mentions']);
  });

  it('refuses a bad value, names it and what is expected, and stores nothing', async () => {
    const t = await app({ clock: new FixedClock(START) });
    const refused = await admin(t, 'g1', '/mod spam flood=2/0 mentions=3');
    expect(refused).toContain('flood=2/0');
    expect(refused).toContain('0–1000/1–3600');
    expect(await admin(t, 'g1', '/mod spam speed=3')).toContain('Unknown setting "speed"');
    expect(await t.app.store.sql.prepare('SELECT * FROM moderation_spam').all()).toEqual([]);
    // Members cannot change them.
    const { replies } = await t.app.router.handle(message('g1', 'u1', '/mod spam flood=1/10', { addressed: true }));
    expect(replies.map((r) => r.text).join()).not.toContain('Saved');
    expect(await t.app.store.sql.prepare('SELECT * FROM moderation_spam').all()).toEqual([]);
  });
});

describe('/mod spam in Chinese', () => {
  it('reads the Chinese names of the settings and 关闭/开启', () => {
    expect(parseSpamSettings('刷屏=4/20 重复=关闭 提及=3 链接=关闭 新成员小时=6', NO_OVERRIDES, config)).toEqual({
      ok: true,
      value: { flood_messages: 4, flood_seconds: 20, repeat_count: 0, repeat_seconds: null, mentions: 3, new_member_hours: 6 },
    });
    expect(parseSpamSettings('链接=开启', { ...NO_OVERRIDES, new_member_hours: 0 }, config)).toEqual({ ok: true, value: NO_OVERRIDES });
  });
});
