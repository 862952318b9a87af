/**
 * Issue #15, moderation that acts on Discord: the app in-process with the
 * real discord.js client against the fake Discord. The ladder deletes the
 * message, times the member out and kicks, each with its audit-log reason;
 * a refusal (403 / 50013) is logged as not done; admins are exempt; a
 * replayed MESSAGE_CREATE acts once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { DiscordAdapter } from '../../src/platforms/discord/index.js';
import { Permission, type FakeDiscord, type RecordedRequest } from '../fakes/discord/fake-discord.js';
import { moderationGuild, startInProcessDiscordBot, type InProcessDiscordBot } from '../helpers/discord-bot.js';
import { sleep, waitFor } from '../helpers/wait.js';

const GUILD = moderationGuild();
const { guildId: GUILD_ID, generalId: GENERAL_ID, alice: ALICE, bob: BOB } = GUILD;

let bot: InProcessDiscordBot | undefined;
let adapter: DiscordAdapter | undefined;
const seen: ChatEvent[] = [];

async function start(options: { botPermissions?: bigint; ladder: string[] }): Promise<{ fake: FakeDiscord; app: App }> {
  bot = await startInProcessDiscordBot({
    ...(options.botPermissions !== undefined ? { botPermissions: options.botPermissions } : {}),
    guild: GUILD.guild,
    config: { moderation: { ladder: options.ladder, spam: { links: { newMemberHours: 0 } } } },
    // Every event the router sees, to prove a replayed message acts once.
    beforeStart: (a) => {
      const handle = a.router.handle.bind(a.router);
      a.router.handle = async (event) => {
        seen.push(event);
        return handle(event);
      };
    },
  });
  adapter = bot.adapter;
  return bot;
}

afterEach(async () => {
  await bot?.close();
  bot = undefined;
  adapter = undefined;
  seen.length = 0;
});

const isModeration = (r: RecordedRequest): boolean =>
  (r.method === 'DELETE' && r.path.startsWith(`/channels/${GENERAL_ID}/messages/`)) || (r.path.startsWith(`/guilds/${GUILD_ID}/members/`) && (r.method === 'PATCH' || r.method === 'DELETE') && !r.path.includes('/roles/'));
const moderationCalls = (f: FakeDiscord): string[] => f.requests.filter(isModeration).map((r) => `${r.method} ${r.path}`);
const auditReason = (r: RecordedRequest): string => decodeURIComponent(r.headers['x-audit-log-reason'] ?? '');

interface LogRow {
  action: string;
  outcome: string | null;
  wanted: string | null;
  error: string | null;
}
const actionRows = async (a: App): Promise<LogRow[]> =>
  a.store.sql.prepare<[], LogRow>("SELECT action, outcome, wanted, error FROM moderation_log WHERE action IN ('delete', 'timeout', 'kick') ORDER BY id").all();

describe('the moderation ladder on Discord', () => {
  it('deletes, times out and kicks through discord.js with the audit-log reason; admins are exempt; a replayed message acts once', async () => {
    const { fake: f, app: a } = await start({ ladder: ['timeout', 'kick'] });
    // An admin's message is never touched.
    const admin = f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: BOB, content: '你这个傻逼' });
    await waitFor(() => seen.find((e) => e.deliveryId === admin.id), 5000, 'the admin’s message');
    const first = f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '你这个傻逼' });
    const deleted = await f.waitForRequest((r) => r.method === 'DELETE' && r.path === `/channels/${GENERAL_ID}/messages/${first.id}`);
    expect(auditReason(deleted)).toMatch(/^qunbot: list:\d+, strike 1$/);
    const timedOut = await f.waitForRequest((r) => r.method === 'PATCH' && r.path === `/guilds/${GUILD_ID}/members/${ALICE.id}`);
    const until = Date.parse(String((timedOut.body as { communication_disabled_until: string }).communication_disabled_until));
    expect(until - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    expect(auditReason(timedOut)).toMatch(/^qunbot: list:\d+, strike 1$/);
    expect(f.member(GUILD_ID, ALICE.id)?.communication_disabled_until).toBe(new Date(until).toISOString());
    expect(f.getMessage(first.id)).toBeUndefined();
    await waitFor(async () => (await actionRows(a)).length === 2, 5000, 'the outcomes in the log');
    expect((await actionRows(a)).map((r) => [r.action, r.outcome])).toEqual([
      ['delete', 'done'],
      ['timeout', 'done'],
    ]);

    // The gateway replays the same MESSAGE_CREATE. discord.js drops a replay of a message it still has in
    // its cache, so forget it first (as after a restart, or in a second process): the router's dedupe stops it.
    const channel = adapter?.client.channels.cache.get(GENERAL_ID);
    if (channel && 'messages' in channel) channel.messages.cache.delete(first.id);
    f.redeliver('MESSAGE_CREATE', first.id);
    await waitFor(() => seen.filter((e) => e.deliveryId === first.id).length === 2, 5000, 'the replay');
    await sleep(300);
    expect(moderationCalls(f)).toEqual([`DELETE /channels/${GENERAL_ID}/messages/${first.id}`, `PATCH /guilds/${GUILD_ID}/members/${ALICE.id}`]);

    // The second strike kicks.
    const second = f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '草泥马' });
    const kicked = await f.waitForRequest((r) => r.method === 'DELETE' && r.path === `/guilds/${GUILD_ID}/members/${ALICE.id}`);
    expect(auditReason(kicked)).toMatch(/^qunbot: list:\d+, strike 2$/);
    expect(f.member(GUILD_ID, ALICE.id)).toBeUndefined();
    await waitFor(async () => (await actionRows(a)).length === 4, 5000, 'the kick in the log');
    expect(moderationCalls(f)).toEqual([
      `DELETE /channels/${GENERAL_ID}/messages/${first.id}`,
      `PATCH /guilds/${GUILD_ID}/members/${ALICE.id}`,
      `DELETE /channels/${GENERAL_ID}/messages/${second.id}`,
      `DELETE /guilds/${GUILD_ID}/members/${ALICE.id}`,
    ]);
    expect(f.getMessage(admin.id)).toBeDefined();
  });

  it('a refusal (403 / 50013: no Moderate Members) is logged as not done with Discord’s reason', async () => {
    const withoutModerate = Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.ReadMessageHistory | Permission.ManageMessages;
    const { fake: f, app: a } = await start({ botPermissions: withoutModerate, ladder: ['timeout'] });
    const sent = f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '傻逼' });
    const refused = await f.waitForRequest((r) => r.method === 'PATCH' && r.path === `/guilds/${GUILD_ID}/members/${ALICE.id}`);
    expect(refused).toBeDefined();
    await waitFor(async () => (await actionRows(a)).length === 2, 5000, 'the outcomes in the log');
    const rows = await actionRows(a);
    expect(rows[0]).toMatchObject({ action: 'delete', outcome: 'done' });
    expect(rows[1]).toMatchObject({ action: 'timeout', outcome: 'failed', wanted: 'timeout' });
    expect(rows[1]?.error).toContain('discord 403 (code 50013)');
    expect(f.getMessage(sent.id)).toBeUndefined();
    expect(f.member(GUILD_ID, ALICE.id)?.communication_disabled_until).toBeNull();
  });
});
