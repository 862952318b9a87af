/**
 * Issue #15, moderation that acts: the ladder's delete / timeout / kick run
 * through the community's sender after the commit and their outcome is
 * logged (done, or failed with the platform's reason and marked not done);
 * the spam rules (flood, repeats, mass mentions, links from new members);
 * admins exempt; a duplicate delivery acts once; WeCom, which cannot act,
 * alerts the admins through the analytics alert path.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { ChatEvent, Platform } from '../../src/core/chat-event.js';
import { SendError, type Sender } from '../../src/core/sender.js';
import { createModerationRepo } from '../../src/features/moderation/repo.js';
import { testApps, type TestApp } from '../helpers/app.js';

const START = '2026-11-23T02:00:00Z';
const app = testApps();
const HOUR = 3_600_000;

interface Call {
  what: 'delete' | 'timeout' | 'kick';
  args: unknown[];
}

/** A Discord sender that can act and records what it was asked; `refuse` makes an action fail as Discord does without permission. */
function actingSender(refuse: ReadonlySet<Call['what']> = new Set()): Sender & { calls: Call[] } {
  const calls: Call[] = [];
  const record = async (what: Call['what'], ...args: unknown[]): Promise<void> => {
    calls.push({ what, args });
    if (refuse.has(what)) throw new SendError('discord 403 (code 50013): Missing Permissions', false);
  };
  return {
    platform: 'discord',
    calls,
    send: async () => undefined,
    sendDirect: async () => undefined,
    deleteMessage: (_c, channelId, messageId, reason) => record('delete', channelId, messageId, reason),
    timeout: (_c, userId, until, reason) => record('timeout', userId, until.toISOString(), reason),
    kick: (_c, userId, reason) => record('kick', userId, reason),
  };
}

let n = 0;
function message(platform: Platform, userId: string, text: string, opts: { admin?: boolean; id?: string; joinedAt?: number; addressed?: boolean } = {}): ChatEvent {
  const id = opts.id ?? `act-${process.pid}-${++n}`;
  return {
    type: 'message',
    deliveryId: id,
    community: { platform, externalId: `${platform}-group` },
    actor: { platformUserId: userId, displayName: userId, isAdmin: opts.admin ?? false, ...(opts.joinedAt !== undefined ? { joinedAt: opts.joinedAt } : {}) },
    channelId: platform === 'discord' ? 'chan-1' : undefined,
    messageId: platform === 'discord' ? id : undefined,
    text,
    addressed: opts.addressed ?? false,
  };
}

async function modLog(t: TestApp, platform: Platform): Promise<string> {
  const { replies } = await t.app.router.handle(message(platform, 'boss', '/mod log', { admin: true, addressed: true }));
  return replies.map((r) => [r.title, r.text].join('\n')).join('\n');
}

interface LogRow {
  action: string;
  outcome: string | null;
  wanted: string | null;
  error: string | null;
  rule: string | null;
}
const logRows = async (t: TestApp): Promise<LogRow[]> => t.app.store.sql.prepare<[], LogRow>('SELECT action, outcome, wanted, error, rule FROM moderation_log ORDER BY id').all();
const strikeRules = async (t: TestApp): Promise<string[]> => (await t.app.store.sql.prepare<[], { rule: string }>('SELECT rule FROM moderation_strikes ORDER BY id').all()).map((r) => r.rule);

describe('the ladder acts where the platform lets the bot', () => {
  it('deletes the message and times the member out after the commit, with the rule (not the text) as the audit reason, and logs both as done', async () => {
    const sender = actingSender();
    const t = await app({ clock: new FixedClock(START), senders: [sender], config: { moderation: { ladder: ['timeout', 'kick'], timeoutMinutes: 15 } } });
    const first = message('discord', 'u1', '你这个傻逼');
    await t.app.router.handle(first);
    expect(sender.calls.map((c) => c.what)).toEqual(['delete', 'timeout']);
    expect(sender.calls[0]?.args.slice(0, 2)).toEqual(['chan-1', first.deliveryId]);
    expect(sender.calls[1]?.args.slice(0, 2)).toEqual(['u1', '2026-11-23T02:15:00.000Z']);
    for (const call of sender.calls) {
      expect(String(call.args.at(-1))).toMatch(/^qunbot: list:\d+, strike 1$/);
      expect(String(call.args.at(-1))).not.toContain('傻');
    }
    expect((await logRows(t)).map((r) => [r.action, r.outcome, r.wanted])).toEqual([
      ['warn', null, null],
      ['delete', 'done', null],
      ['timeout', 'done', null],
    ]);
    // The second strike kicks.
    await t.app.router.handle(message('discord', 'u1', '草泥马'));
    expect(sender.calls.map((c) => c.what)).toEqual(['delete', 'timeout', 'delete', 'kick']);
    const log = await modLog(t, 'discord');
    expect(log).toContain('kick u1, by the bot');
    expect(log).toContain('(done)');
    expect(log).not.toContain('not done');
  });

  it('a refusal (403 / 50013) is logged as not done with the platform’s reason', async () => {
    const sender = actingSender(new Set(['timeout']));
    const t = await app({ clock: new FixedClock(START), senders: [sender], config: { moderation: { ladder: ['timeout'] } } });
    await t.app.router.handle(message('discord', 'u1', '傻逼'));
    expect(sender.calls.map((c) => c.what)).toEqual(['delete', 'timeout']);
    const rows = await logRows(t);
    expect(rows.find((r) => r.action === 'delete')?.outcome).toBe('done');
    const timeout = rows.find((r) => r.action === 'timeout');
    expect(timeout).toMatchObject({ outcome: 'failed', wanted: 'timeout' });
    expect(timeout?.error).toContain('50013');
    const log = await modLog(t, 'discord');
    expect(log).toContain('(not done: time out for 10 minutes), refused by the platform: discord 403 (code 50013): Missing Permissions');
    // The admins hear of it once (the rule, never the text).
    const alerts = await t.app.store.sql.prepare<[], { reply_json: string }>("SELECT reply_json FROM deliveries WHERE source = 'moderation-alert'").all();
    expect(alerts).toHaveLength(1);
    const alert = (JSON.parse(alerts[0]?.reply_json ?? '{}') as { text: string }).text;
    expect(alert).toMatch(/The bot could not time out for 10 minutes \(u1, rule list:\d+\): the platform refused: discord 403 \(code 50013\)/);
    expect(alert).not.toContain('傻');
  });

  it('never touches an admin, and a delivery that arrives twice acts once', async () => {
    const sender = actingSender();
    const t = await app({ clock: new FixedClock(START), senders: [sender], config: { moderation: { ladder: ['timeout'] } } });
    await t.app.router.handle(message('discord', 'boss', '傻逼 <@1> <@2> <@3> <@4> <@5> <@6> https://spam.example', { admin: true }));
    expect(sender.calls).toEqual([]);
    const again = message('discord', 'u1', '傻逼', { id: 'dup-1' });
    await t.app.router.handle(again);
    const second = await t.app.router.handle(again);
    expect(second.duplicate).toBe(true);
    expect(sender.calls.map((c) => c.what)).toEqual(['delete', 'timeout']);
    expect(await strikeRules(t)).toHaveLength(1);
  });

  it('a manual /warn runs the ladder’s step and tells the admin', async () => {
    const sender = actingSender();
    const t = await app({ clock: new FixedClock(START), senders: [sender], config: { moderation: { ladder: ['kick'] } } });
    await t.app.router.handle(message('discord', 'u1', 'hello'));
    const { replies } = await t.app.router.handle(message('discord', 'boss', '/warn u1 spamming', { admin: true, addressed: true }));
    expect(replies.map((r) => r.text).join()).toContain('The bot will kick; the outcome goes to the log.');
    expect(sender.calls.map((c) => c.what)).toEqual(['kick']);
  });
});

describe('spam rules', () => {
  it('flood: the message over the line is a strike and deleted, the rest of that window only deleted, a new window starts clean', async () => {
    const clock = new FixedClock(START);
    const sender = actingSender();
    const t = await app({ clock, senders: [sender], config: { moderation: { ladder: ['warn'], spam: { flood: { messages: 3, seconds: 10 }, repeats: { count: 0 } } } } });
    for (let i = 0; i < 3; i++) {
      await t.app.router.handle(message('discord', 'u1', `message ${i}`));
      clock.advance(1000);
    }
    expect(sender.calls).toEqual([]);
    await t.app.router.handle(message('discord', 'u1', 'message 3'));
    expect(await strikeRules(t)).toEqual(['spam:flood']);
    await t.app.router.handle(message('discord', 'u1', 'message 4'));
    expect(await strikeRules(t)).toEqual(['spam:flood']);
    expect(sender.calls.map((c) => c.what)).toEqual(['delete', 'delete']);
    // Another member is counted apart.
    await t.app.router.handle(message('discord', 'u2', 'hi'));
    // The window (10 s from the first message) ends: counting starts again.
    clock.advance(7000);
    for (let i = 0; i < 3; i++) await t.app.router.handle(message('discord', 'u1', `later ${i}`));
    expect(await strikeRules(t)).toEqual(['spam:flood']);
    expect(sender.calls).toHaveLength(2);
    const log = await modLog(t, 'discord');
    expect(log).toContain('rule spam:flood, strike 1');
    expect(log).not.toContain('message 3');
  });

  it('keeps one window row per member, never the text, and housekeeping prunes rows quiet for a day', async () => {
    const clock = new FixedClock(START);
    const t = await app({ clock });
    await t.app.router.handle(message('discord', 'u1', 'secret words here'));
    clock.advance(HOUR);
    await t.app.router.handle(message('discord', 'u2', 'hello'));
    await t.app.router.handle(message('discord', 'u2', 'hello again'));
    const rows = await t.app.store.sql.prepare<[], Record<string, unknown>>('SELECT * FROM moderation_rates ORDER BY updated_at').all();
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain('secret');
    const repo = createModerationRepo(t.app.store.sql);
    const cutoff = clock.now().getTime() - 30 * 60_000;
    expect((await t.app.store.unit(() => repo.pruneRatesBefore(cutoff))).value).toBe(1);
    expect(await t.app.store.sql.prepare('SELECT member_id FROM moderation_rates').all()).toHaveLength(1);
  });

  it('repeats: the same message (as the filter reads it) three times in a row', async () => {
    const clock = new FixedClock(START);
    const t = await app({ clock, config: { moderation: { spam: { flood: { messages: 0 }, repeats: { count: 3, seconds: 60 } } } } });
    await t.app.router.handle(message('discord', 'u1', 'buy now'));
    await t.app.router.handle(message('discord', 'u1', 'BUY  now!'));
    await t.app.router.handle(message('discord', 'u1', 'something else'));
    await t.app.router.handle(message('discord', 'u1', 'buy now'));
    await t.app.router.handle(message('discord', 'u1', 'buy now'));
    expect(await strikeRules(t)).toEqual([]);
    clock.advance(30_000);
    await t.app.router.handle(message('discord', 'u1', 'Buy now'));
    expect(await strikeRules(t)).toEqual(['spam:repeat']);
  });

  it('mass mentions: more than the limit of distinct members in one message', async () => {
    const t = await app({ clock: new FixedClock(START), config: { moderation: { spam: { mentions: 3 } } } });
    await t.app.router.handle(message('discord', 'u1', 'hey <@1> <@2> <@3> <@1>'));
    expect(await strikeRules(t)).toEqual([]);
    await t.app.router.handle(message('discord', 'u1', 'hey <@1> <@2> <@3> <@!4>'));
    expect(await strikeRules(t)).toEqual(['spam:mentions']);
  });

  it('links: from members younger than the age, unless the domain is allowed; older members post freely', async () => {
    const clock = new FixedClock(START);
    const now = clock.now().getTime();
    const t = await app({ clock, config: { moderation: { spam: { links: { newMemberHours: 24, allow: ['example.org'] } } } } });
    await t.app.router.handle(message('discord', 'old', 'join discord.gg/abc', { joinedAt: now - 48 * HOUR }));
    await t.app.router.handle(message('discord', 'new', 'docs at https://wiki.example.org/page', { joinedAt: now - HOUR }));
    expect(await strikeRules(t)).toEqual([]);
    await t.app.router.handle(message('discord', 'new', 'come to discord.gg/abc', { joinedAt: now - HOUR }));
    await t.app.router.handle(message('discord', 'new2', 'see www.spam.example now', { joinedAt: now - HOUR }));
    expect(await strikeRules(t)).toEqual(['spam:link', 'spam:link']);
    const strike = await t.app.store.sql.prepare<[], { matched: string }>("SELECT matched FROM moderation_strikes WHERE rule = 'spam:link' ORDER BY id").all();
    expect(strike.map((s) => s.matched)).toEqual(['discord.gg', 'www.spam.example']);
  });
});

describe('WeCom: warns, records and alerts the admins', () => {
  it('cannot act, so the strike is logged as not done and the admins get an alert naming the rule, never the text', async () => {
    const t = await app({ clock: new FixedClock(START), config: { moderation: { ladder: ['timeout'] }, analytics: { alerts: { recipients: { 'wecom:wecom-group': ['boss'] } } } } });
    await t.app.router.handle(message('wecom', 'w1', '加微信领红包', { addressed: true }));
    const alerts = await t.app.store.sql.prepare<[], { recipient: string | null; reply_json: string }>("SELECT recipient, reply_json FROM deliveries WHERE source = 'moderation-alert'").all();
    expect(alerts).toHaveLength(1);
    const text = (JSON.parse(alerts[0]?.reply_json ?? '{}') as { text: string }).text;
    expect(text).toContain('管理员提醒 <@boss>');
    expect(text).toMatch(/w1 触发规则 list:\d+：30 天内第 1 次违规。按规则还要撤回消息、禁言 10 分钟/);
    expect(text).not.toContain('红包');
    expect((await logRows(t))[0]).toMatchObject({ action: 'warn', wanted: 'delete,timeout' });
    // A repeat of the delivery alerts once.
    await t.app.router.handle(message('wecom', 'w1', '加微信领红包', { addressed: true, id: 'w-dup' }));
    await t.app.router.handle(message('wecom', 'w1', '加微信领红包', { addressed: true, id: 'w-dup' }));
    expect(await t.app.store.sql.prepare("SELECT id FROM deliveries WHERE source = 'moderation-alert'").all()).toHaveLength(2);
  });
});

describe('/help says what moderation does where', () => {
  it('on the /mod line itself, so the list stays one line per command', async () => {
    const t = await app({ clock: new FixedClock(START) });
    const help = async (platform: Platform, text: string): Promise<string> =>
      (await t.app.router.handle(message(platform, 'boss', text, { admin: true, addressed: true }))).replies.map((r) => r.text).join('\n');
    const wecom = (await help('wecom', '/help')).split('\n').filter((l) => l.includes('/mod'));
    expect(wecom).toHaveLength(1);
    expect(wecom[0]).toContain('企业微信：只检查@机器人的消息；不能撤回、禁言或移出，只提醒、记录违规并通知管理员');
    expect(await help('discord', '/help')).toContain('(Discord: deletes messages, times out and kicks, and syncs the list to Discord AutoMod; the bot needs Manage Messages, Moderate Members, Kick Members and Manage Server)');
    expect(await help('discord', '/help mod')).toContain('Moderate Members');
    expect(await help('wecom', '/help')).not.toContain('Moderate Members');
  });
});
