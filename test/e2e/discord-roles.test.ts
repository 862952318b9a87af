/**
 * Issue #14, shop role items on Discord: the app in-process with the real
 * discord.js client against the fake Discord. Redeeming grants the role over
 * REST (PUT …/roles/:rid with the audit-log reason) after the commit, the
 * expiry timer removes it (DELETE); a refusal (403 / 50013: no Manage Roles)
 * leaves the order pending with Discord's reason for an admin, as documented
 * in src/features/shop/service.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type FakeDiscord, Permission, snowflake, type FakeUserInput, type RecordedRequest } from '../fakes/discord/fake-discord.js';
import { startInProcessDiscordBot, type InProcessDiscordBot } from '../helpers/discord-bot.js';
import { waitFor } from '../helpers/wait.js';

const GUILD_ID = snowflake();
const GENERAL_ID = snowflake();
const MOD_ROLE_ID = snowflake();
const VIP_ROLE_ID = snowflake();
const OWNER: FakeUserInput = { id: snowflake(), username: 'owner' };
const ALICE: FakeUserInput = { id: snowflake(), username: 'alice', globalName: 'Alice' };
const BOB: FakeUserInput = { id: snowflake(), username: 'bob', globalName: 'Bob' };

let bot: InProcessDiscordBot | undefined;

async function start(options: { botPermissions?: bigint; config?: Record<string, unknown> } = {}): Promise<{ fake: FakeDiscord; app: App }> {
  bot = await startInProcessDiscordBot({
    ...(options.botPermissions !== undefined ? { botPermissions: options.botPermissions } : {}),
    ...(options.config !== undefined ? { config: options.config } : {}),
    guild: {
      id: GUILD_ID,
      name: 'Qun Test Server',
      ownerId: OWNER.id,
      channels: [{ id: GENERAL_ID, name: 'general' }],
      roles: [
        { id: MOD_ROLE_ID, name: 'Mods', permissions: Permission.ManageGuild, position: 2 },
        { id: VIP_ROLE_ID, name: 'VIP', permissions: 0n, position: 1 },
      ],
      members: [{ user: ALICE }, { user: BOB, roles: [MOD_ROLE_ID] }],
    },
  });
  return bot;
}

afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

const rolePath = `/guilds/${GUILD_ID}/members/${ALICE.id}/roles/${VIP_ROLE_ID}`;
const auditReason = (r: RecordedRequest): string => decodeURIComponent(r.headers['x-audit-log-reason'] ?? '');
const order = async (a: App) => a.store.sql.prepare<[], { status: string; note: string | null; expires_at: number | null }>('SELECT status, note, expires_at FROM shop_orders WHERE id = 1').get();

async function addAndRedeem(f: FakeDiscord, a: App): Promise<void> {
  f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: BOB, content: `/shop add VIP price=0 kind=role role=<@&${VIP_ROLE_ID}> days=3` });
  await waitFor(async () => (await a.store.sql.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM shop_items').get())?.n === 1, 5000, 'the role item');
  f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '/redeem VIP' });
}

describe('shop role items on Discord', () => {
  it('grants the role through discord.js after the redemption, and the expiry timer removes it', async () => {
    const { fake: f, app: a } = await start();
    await addAndRedeem(f, a);
    const granted = await f.waitForRequest((r) => r.method === 'PUT' && r.path === rolePath);
    expect(auditReason(granted)).toBe('qunbot: shop order 1');
    await waitFor(async () => (await order(a))?.status === 'fulfilled', 5000, 'the order fulfilled');
    expect(f.member(GUILD_ID, ALICE.id)?.roles).toContain(VIP_ROLE_ID);
    expect((await order(a))?.expires_at).toBeGreaterThan(Date.now() + 2 * 86_400_000);

    await a.jobs.run('shop-role-expiry', 1);
    const removed = await f.waitForRequest((r) => r.method === 'DELETE' && r.path === rolePath);
    expect(auditReason(removed)).toBe('qunbot: shop order 1 expired');
    expect(f.member(GUILD_ID, ALICE.id)?.roles).not.toContain(VIP_ROLE_ID);
    expect((await order(a))?.status).toBe('expired');
  });

  it('a refusal (403 / 50013: no Manage Roles) leaves the order pending with Discord’s reason for an admin', async () => {
    const withoutRoles = Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.ReadMessageHistory | Permission.ManageMessages;
    const { fake: f, app: a } = await start({ botPermissions: withoutRoles });
    await addAndRedeem(f, a);
    await f.waitForRequest((r) => r.method === 'PUT' && r.path === rolePath);
    await waitFor(async () => (await order(a))?.note != null, 5000, 'the refusal on the order');
    const row = await order(a);
    expect(row?.status).toBe('pending');
    expect(row?.note).toContain('discord 403 (code 50013)');
    expect(row?.expires_at).toBeNull();
    expect(f.member(GUILD_ID, ALICE.id)?.roles).not.toContain(VIP_ROLE_ID);
  });
});

describe('level role perks on Discord (points.levels[].role, points.levelRoles.removeWhenBelow)', () => {
  it('grants the level’s role when a member reaches it and removes it when an admin’s /deduct takes them below', async () => {
    const levels = [
      { min: 0, name: { 'zh-CN': '新手', en: 'Newcomer' } },
      { min: 100, name: { 'zh-CN': '进阶', en: 'Regular' }, role: VIP_ROLE_ID, badge: '🌱' },
    ];
    const { fake: f, app: a } = await start({ config: { points: { levels, levelRoles: { removeWhenBelow: true } } } });
    f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '/points' });
    await waitFor(async () => (await a.store.sql.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM members WHERE display_name = 'Alice'").get())?.n === 1, 5000, 'alice seen');
    f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: BOB, content: `/grant <@${ALICE.id}> 150 helped out` });
    const granted = await f.waitForRequest((r) => r.method === 'PUT' && r.path === rolePath);
    expect(auditReason(granted)).toBe('qunbot: level reached');
    expect(f.member(GUILD_ID, ALICE.id)?.roles).toContain(VIP_ROLE_ID);

    f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: BOB, content: `/deduct <@${ALICE.id}> 100 mistake` });
    const removed = await f.waitForRequest((r) => r.method === 'DELETE' && r.path === rolePath);
    expect(auditReason(removed)).toBe('qunbot: below the level');
    expect(f.member(GUILD_ID, ALICE.id)?.roles).not.toContain(VIP_ROLE_ID);
    const balance = await a.store.sql.prepare<[], { balance: number }>("SELECT p.balance FROM member_points p JOIN members m ON m.id = p.member_id WHERE m.display_name = 'Alice'").get();
    expect(balance?.balance).toBe(50);
  });
});
