/**
 * The Discord adapter end to end: the app in-process with the real discord.js client pointed at the fake
 * Discord (test/fakes/discord). Slash commands, interactions, buttons, member events, outbox posts, resume.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { DiscordAdapter } from '../../src/platforms/discord/index.js';
import { discordAdapter } from '../../src/platforms/discord/index.js';
import { customIdSigner } from '../../src/platforms/discord/custom-id.js';
import { deliveryNonce, deploymentTag } from '../../src/platforms/discord/nonce.js';
import type { AdapterDeps } from '../../src/platforms/adapter.js';
import { FakeDiscord, matchRoute, Permission, snowflake, type FakeUserInput, type RecordedRequest } from '../fakes/discord/fake-discord.js';
import { testConfig } from '../helpers/app.js';
import { sleep, waitFor } from '../helpers/wait.js';

const TOKEN = 'test-bot-token';
const GUILD_ID = snowflake();
const GENERAL_ID = snowflake();
const ANNOUNCE_ID = snowflake();
const MOD_ROLE_ID = snowflake();
const OWNER: FakeUserInput = { id: snowflake(), username: 'owner' };
const ALICE: FakeUserInput = { id: snowflake(), username: 'alice', globalName: 'Alice' };
const BOB: FakeUserInput = { id: snowflake(), username: 'bob', globalName: 'Bob' };
const CAROL: FakeUserInput = { id: snowflake(), username: 'carol' };

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

let fake: FakeDiscord;
let app: App | undefined;
let adapter: DiscordAdapter;
/** What the app gave the adapter (a second adapter can be built from it). */
let adapterDeps: AdapterDeps;
let dir: string;
let logs: LogLine[];
let seen: ChatEvent[];
/** Test hook: how the router wrapper behaves (slow, failing). */
let routerDelayMs = 0;
let routerFails = 0;

async function startFake(extra: Partial<Parameters<typeof FakeDiscord.start>[0]> = {}): Promise<FakeDiscord> {
  return FakeDiscord.start({
    token: TOKEN,
    guilds: [
      {
        id: GUILD_ID,
        name: 'Qun Test Server',
        ownerId: OWNER.id,
        channels: [
          { id: GENERAL_ID, name: 'general' },
          { id: ANNOUNCE_ID, name: 'announcements' },
        ],
        roles: [{ id: MOD_ROLE_ID, name: 'Mods', permissions: Permission.ManageGuild, position: 2 }],
        members: [{ user: ALICE }, { user: BOB, roles: [MOD_ROLE_ID] }],
      },
    ],
    ...extra,
  });
}

async function startApp(config: Record<string, unknown> = {}): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'qunbot-discord-'));
  const appConfig = testConfig(
    { discord: { textCommands: false, channels: { [GUILD_ID]: ANNOUNCE_ID }, adminRoles: [] }, jobs: { outbox: { attempts: 4, backoffMs: 50 } }, ...config },
    { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, DISCORD_GUILD_IDS: GUILD_ID },
    join(dir, 'qunbot.sqlite'),
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  app = (await createApp({
      appConfig,
      logger: pino({ level: 'info' }, sink),
      adapters: (a) => {
        adapterDeps = a;
        adapter = discordAdapter(a, { rest: { retries: 1, timeout: 3000 }, deferAfterMs: 300 });
        return [adapter];
      },
    }));
  // Observe the events the adapter produces.
  const handle = app.router.handle.bind(app.router);
  app.router.handle = async (event) => {
    seen.push(event);
    if (routerDelayMs > 0) await sleep(routerDelayMs);
    if (routerFails > 0) {
      routerFails--;
      throw new Error('boom');
    }
    return handle(event);
  };
  await app.start();
  await adapter.commandsRegistered;
}

/** A slash command as `user`; resolves with the interaction callback the bot sent. */
async function slash(user: FakeUserInput, name: string, opts: { options?: Record<string, string | number | { user: FakeUserInput }>; subcommand?: string } = {}): Promise<RecordedRequest & { body: { type: number; data: Record<string, unknown> } }> {
  const handle = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user, name, ...opts });
  return (await handle.waitForCallback()) as RecordedRequest & { body: { type: number; data: Record<string, unknown> } };
}

function callbackText(data: Record<string, unknown>): string {
  const embeds = (data.embeds as { title?: string; description?: string }[] | undefined) ?? [];
  return [data.content, ...embeds.flatMap((e) => [e.title, e.description])].filter(Boolean).join('\n');
}

function discordCommunity() {
  if (!app) throw new Error('no app');
  return app.identity.community({ platform: 'discord', externalId: GUILD_ID }, new Date());
}

async function memberOf(user: FakeUserInput) {
  return app?.identity.findMember((await discordCommunity()), `<@${user.id}>`);
}

async function balanceOf(user: FakeUserInput): Promise<number | undefined> {
  const member = (await memberOf(user));
  return member && app ? (await app.points.profile(member.communityId, member.id)).balance : undefined;
}

beforeEach(async () => {
  routerDelayMs = 0;
  routerFails = 0;
  logs = [];
  seen = [];
  fake = await startFake();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Discord adapter against the fake Discord', () => {
  it('connects with the intents it needs and registers slash commands generated from the registry, once', async () => {
    await startApp();
    const identify = await fake.waitForReady();
    expect(identify.intents).toBe(1 | (1 << 1) | (1 << 9) | (1 << 12) | (1 << 21) | (1 << 24)); // no MessageContent by default; AutoModerationExecution (1 << 21, moderation.discordAutomod); GuildMessagePolls (1 << 24) for native poll votes
    await waitFor(() => app?.http && adapter.health() === 'up', 5000, 'discord up');

    const commands = fake.commands(GUILD_ID);
    const names = commands.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['checkin', 'points', 'leaderboard', 'grant', 'deduct', 'announce', 'schedule', 'help']));
    const checkin = commands.find((c) => c.name === 'checkin');
    expect(checkin?.description).toBe(app?.i18n.t('en', 'checkin.describe'));
    expect(checkin?.description_localizations).toEqual({ 'zh-CN': app?.i18n.t('zh-CN', 'checkin.describe') });
    expect(checkin?.default_member_permissions).toBeNull();
    const grant = commands.find((c) => c.name === 'grant');
    expect(grant?.default_member_permissions).toBe(String(Permission.ManageGuild));
    expect(grant?.options).toEqual([
      expect.objectContaining({ name: 'member', type: 6, required: true }),
      expect.objectContaining({ name: 'points', type: 4, required: true, min_value: 1 }),
      expect.objectContaining({ name: 'reason', type: 3, required: true }),
    ]);
    const leaderboard = commands.find((c) => c.name === 'leaderboard');
    expect(leaderboard?.options).toEqual([
      expect.objectContaining({ name: 'period', type: 3, required: false, choices: ['week', 'month', 'all'].map((v) => ({ name: v, value: v })) }),
    ]);
    const schedule = commands.find((c) => c.name === 'schedule') as { options: { type: number; name: string }[] } | undefined;
    expect(schedule?.options.every((o) => o.type === 1)).toBe(true);
    expect(schedule?.options.map((o) => o.name)).toContain('once');

    // A restart with the same registry compares and does not PUT again.
    const puts = fake.requests.filter((r) => r.method === 'PUT').length;
    expect(puts).toBe(1);
    await app?.stop();
    app = undefined;
    await startApp();
    expect(fake.requests.filter((r) => r.method === 'PUT').length).toBe(1);
    expect(logs.some((l) => l.msg === 'slash commands up to date')).toBe(true);
  });

  it('answers /checkin through the interaction callback and awards points once, even when the dispatch is replayed', async () => {
    await startApp();
    const handle = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: ALICE, name: 'checkin' });
    const callback = (await handle.waitForCallback()) as RecordedRequest & { body: { type: number; data: Record<string, unknown> } };
    expect(callback.body.type).toBe(4);
    expect(callbackText(callback.body.data)).toContain('✅ Alice checked in! +10 points');
    expect(callback.body.data.flags).toBeUndefined();

    const bob = await slash(BOB, 'checkin');
    expect(callbackText(bob.body.data)).toContain('Bob checked in!');
    expect(callbackText(bob.body.data)).toContain('#2 to check in today');

    // The same INTERACTION_CREATE again (a replay after resume): nothing twice, no second callback.
    const before = fake.requests.length;
    fake.dispatch('INTERACTION_CREATE', handle.payload);
    await waitFor(() => seen.filter((e) => e.deliveryId === handle.id).length === 2, 5000, 'replayed event');
    await sleep(200);
    expect(fake.requests.slice(before).filter((r) => r.path.includes('/callback'))).toHaveLength(0);
    expect((await balanceOf(ALICE))).toBe(10);
  });

  it('answers /points ephemerally (flag 64) and refuses an admin-only command from a member without Manage Server', async () => {
    await startApp();
    await slash(ALICE, 'checkin');
    const points = await slash(ALICE, 'points');
    expect(points.body.data.flags).toBe(64);
    expect(callbackText(points.body.data)).toContain("Alice's points");

    const refused = await slash(ALICE, 'grant', { options: { member: { user: BOB }, points: 5, reason: 'nice' } });
    expect(refused.body.data.flags).toBe(64);
    expect(callbackText(refused.body.data)).toContain('Only admins can use /grant');

    // Bob holds a role with Manage Server.
    await slash(ALICE, 'points'); // Alice exists as a member already; Bob grants her points
    const granted = await slash(BOB, 'grant', { options: { member: { user: ALICE }, points: 5, reason: 'nice' } });
    expect(callbackText(granted.body.data)).toContain('Alice');
    expect(granted.body.data.flags).toBeUndefined();
    expect((await balanceOf(ALICE))).toBe(15);
  });

  it('defers a slow answer and edits it; a slow ephemeral answer becomes an ephemeral follow-up; a failure gets an apology', async () => {
    await startApp();
    routerDelayMs = 500;
    const slow = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: ALICE, name: 'checkin' });
    expect((await slow.waitForCallback()).body).toMatchObject({ type: 5 });
    const edit = await fake.waitForRequest((r) => r.method === 'PATCH' && r.path === `/webhooks/${fake.applicationId}/${slow.token}/messages/@original`);
    expect(callbackText(edit.body as Record<string, unknown>)).toContain('Alice checked in');

    const slowPrivate = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: ALICE, name: 'points' });
    expect((await slowPrivate.waitForCallback()).body).toMatchObject({ type: 5 });
    const follow = await fake.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${fake.applicationId}/${slowPrivate.token}`);
    expect((follow.body as { flags?: number }).flags).toBe(64);
    expect(fake.requests.some((r) => r.method === 'DELETE' && r.path === `/webhooks/${fake.applicationId}/${slowPrivate.token}/messages/@original`)).toBe(true);

    routerDelayMs = 0;
    routerFails = 1;
    const failing = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: BOB, name: 'checkin' });
    const apology = (await failing.waitForCallback()).body as { type: number; data: Record<string, unknown> };
    expect(apology).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(callbackText(apology.data)).toContain('Sorry');
    expect(logs.find((l) => l.msg === 'interaction failed')).toMatchObject({ interactionId: failing.id });
  });

  it('answers a text command in a message that mentions the bot, as a reply in the channel', async () => {
    await startApp();
    const sent = fake.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: `<@${fake.botUserId}> 签到` });
    const reply = await fake.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${GENERAL_ID}/messages`);
    expect(reply.body).toMatchObject({ message_reference: { message_id: sent.id } });
    expect(callbackText(reply.body as Record<string, unknown>)).toContain('Alice checked in');
    expect(seen.find((e) => e.deliveryId === sent.id)).toMatchObject({ type: 'message', addressed: true, text: '签到' });
    // The bot's own echoed message is not an event.
    await sleep(200);
    expect(seen.filter((e) => e.type === 'message')).toHaveLength(1);
  });

  it('asks for MessageContent only when text commands are on, and then reads plain /checkin', async () => {
    await startApp({ discord: { textCommands: true, channels: {}, adminRoles: [MOD_ROLE_ID] } });
    expect((await fake.waitForReady()).intents).toBe(1 | (1 << 1) | (1 << 9) | (1 << 12) | (1 << 15) | (1 << 21) | (1 << 24));
    fake.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: BOB, content: '/checkin' });
    const reply = await fake.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${GENERAL_ID}/messages`);
    expect(callbackText(reply.body as Record<string, unknown>)).toContain('Bob checked in');
    expect(seen[0]).toMatchObject({ actor: { isAdmin: true }, addressed: false });
  });

  it('turns GUILD_MEMBER_ADD into a memberJoined event and creates the member', async () => {
    await startApp();
    expect(fake.memberJoin({ guildId: GUILD_ID, user: CAROL }).delivered).toBe(true);
    const joined = await waitFor(() => seen.find((e) => e.type === 'memberJoined'), 5000, 'memberJoined');
    expect(joined).toMatchObject({ community: { platform: 'discord', externalId: GUILD_ID, name: 'Qun Test Server' }, actor: { platformUserId: CAROL.id, displayName: 'carol' } });
    expect(joined.deliveryId).toMatch(new RegExp(`^join-${GUILD_ID}-${CAROL.id}-\\d+$`));
    expect(await waitFor(() => memberOf(CAROL), 5000, 'member row')).toMatchObject({ displayName: 'carol' });
    fake.memberLeave({ guildId: GUILD_ID, user: CAROL });
    await waitFor(() => seen.find((e) => e.type === 'memberLeft'), 5000, 'memberLeft');
  });

  it('posts an announcement to the configured channel through the outbox, through a 429', async () => {
    await startApp();
    fake.rateLimitNext(matchRoute('POST', '/channels/:id/messages'), { retryAfterSeconds: 0.3 });
    const queued = await slash(BOB, 'announce', { options: { text: 'Community call tonight at **20:00**' } });
    expect(callbackText(queued.body.data)).toContain('Announcement queued');
    await waitFor(() => fake.messagesIn(ANNOUNCE_ID).length > 0, 10_000, 'announcement posted');
    expect(fake.messagesIn(ANNOUNCE_ID).map((m) => m.content)).toEqual(['Community call tonight at **20:00**']);
    const attempts = fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${ANNOUNCE_ID}/messages`);
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    const row = await waitFor(() => app?.store.sql.prepare("SELECT status FROM deliveries WHERE status = 'sent'").get(), 5000, 'outbox sent');
    expect(row).toBeTruthy();
  });

  it('sends a direct message privately, and posts the fallback in the channel when the member has DMs closed (50007)', async () => {
    await startApp();
    const a = app as App;
    fake.blockDirectMessages(CAROL.id);
    const community = (await a.identity.community({ platform: 'discord', externalId: GUILD_ID }, new Date()));
    for (const user of [ALICE, CAROL]) {
      await a.store.unit(() =>
        a.outbox.post(community.id, { text: `Welcome tip for <@${user.id}>` }, { key: `dm-${user.id}`, source: 'test', at: new Date(), afterCommit: (fn) => void fn(), direct: { recipient: user.id, fallback: { text: `<@${user.id}> here is a tip` } } }),
      );
    }
    await waitFor(async () => ((await a.store.sql.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'sent'").get()) as { n: number }).n === 2, 10_000, 'both delivered');
    const dmChannel = fake.dmChannelIdFor(ALICE.id);
    expect(dmChannel && fake.messagesIn(dmChannel).map((m) => m.content)).toEqual([`Welcome tip for <@${ALICE.id}>`]);
    expect(fake.messagesIn(ANNOUNCE_ID).map((m) => m.content)).toEqual([`<@${CAROL.id}> here is a tip`]);
  });

  it('posts an outbox delivery sent twice (a crash between the send and its sent mark) once: the nonce returns the first message', async () => {
    await startApp();
    const a = app as App;
    const community = await discordCommunity();
    const instanceId = ((await a.store.sql.prepare("SELECT value_json FROM settings WHERE key = 'deployment.instanceId'").get()) as { value_json: string }).value_json;
    const nonce = deliveryNonce(deploymentTag(JSON.parse(instanceId) as string), 'channel', 7);
    await adapter.sender.send(community, { text: 'Quiz tonight' }, { id: 7 });
    await adapter.sender.send(community, { text: 'Quiz tonight' }, { id: 7 });
    expect(fake.messagesIn(ANNOUNCE_ID).map((m) => m.content)).toEqual(['Quiz tonight']);
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${ANNOUNCE_ID}/messages`);
    expect(creates.map((r) => [r.status, (r.body as { nonce?: string }).nonce, (r.body as { enforce_nonce?: boolean }).enforce_nonce])).toEqual([
      [200, nonce, true],
      [200, nonce, true],
    ]);
    expect(nonce.length).toBeLessThanOrEqual(25);
    expect(deliveryNonce(deploymentTag('any'), 'direct', Number.MAX_SAFE_INTEGER).length).toBeLessThanOrEqual(25);

    // Another delivery is another post; so is the same delivery id of another deployment on the same bot.
    await adapter.sender.send(community, { text: 'Quiz tonight' }, { id: 8 });
    const other = discordAdapter({ ...adapterDeps, instanceId: 'another-deployment' }, { rest: { retries: 0, timeout: 3000 } });
    await other.sender.send(community, { text: 'Quiz tonight' }, { id: 7 });
    await other.client.destroy();
    expect(fake.messagesIn(ANNOUNCE_ID)).toHaveLength(3);

    // Direct messages go through Create Message too, with their own nonce (the channel fallback of one delivery is another post).
    const sendDirect = adapter.sender.sendDirect?.bind(adapter.sender);
    if (!sendDirect) throw new Error('no sendDirect');
    await sendDirect(community, ALICE.id, { text: 'Your tip' }, { id: 9 });
    await sendDirect(community, ALICE.id, { text: 'Your tip' }, { id: 9 });
    await adapter.sender.send(community, { text: 'Fallback tip' }, { id: 9 });
    const dm = fake.dmChannelIdFor(ALICE.id);
    expect(dm && fake.messagesIn(dm).map((m) => m.content)).toEqual(['Your tip']);
    expect(fake.messagesIn(ANNOUNCE_ID).map((m) => m.content)).toContain('Fallback tip');

    // Resent after the first post was deleted (by a moderator): Discord answers 10008 and posts nothing; it counts as delivered.
    await adapter.sender.send(community, { text: 'Deleted later' }, { id: 10 });
    const deleted = fake.messagesIn(ANNOUNCE_ID).find((m) => m.content === 'Deleted later');
    expect((await fetch(`${fake.apiUrl}/v10/channels/${ANNOUNCE_ID}/messages/${String(deleted?.id)}`, { method: 'DELETE', headers: { authorization: `Bot ${TOKEN}` } })).status).toBe(204);
    await adapter.sender.send(community, { text: 'Deleted later' }, { id: 10 });
    expect(fake.messagesIn(ANNOUNCE_ID).filter((m) => m.content === 'Deleted later')).toHaveLength(0);
    expect(logs.some((l) => l.msg === 'a resent post had been delivered and deleted since: not posted again')).toBe(true);
  });

  it('takes over when another copy of an interaction acknowledged it first (40060): edits that deferral, no error, no second effect', async () => {
    await startApp();
    const callbacks = (id: string) => fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith(`/interactions/${id}/`) && r.path.endsWith('/callback'));
    /** Another process on the shard deferring the interaction first. */
    const deferElsewhere = async (h: { id: string; token: string }) =>
      (await fetch(`${fake.apiUrl}/v10/interactions/${h.id}/${h.token}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 5 }) })).status;
    const answerOf = (id: string): string => {
      const answer = fake.interactionAnswer(id);
      return [answer?.original, ...(answer?.followUps ?? [])].filter((m) => m !== undefined).map((m) => callbackText(m as Record<string, unknown>)).join('\n');
    };
    const loading = (id: string): boolean => ((Number(fake.interactionAnswer(id)?.original?.flags ?? 0) & 128) !== 0);

    // Deferred elsewhere before the bot's reply (handling takes 100 ms, under the 300 ms deferral): the reply gets 40060, the bot edits.
    routerDelayMs = 100;
    const fast = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: ALICE, name: 'checkin' });
    expect(await deferElsewhere(fast)).toBe(204);
    await waitFor(() => fake.requests.find((r) => r.method === 'PATCH' && r.path === `/webhooks/${fake.applicationId}/${fast.token}/messages/@original`), 5000, 'edit of the foreign deferral');
    expect(callbacks(fast.id).map((r) => [r.status, (r.response as { code?: number } | undefined)?.code])).toEqual([[204, undefined], [400, 40060]]);
    expect(answerOf(fast.id)).toContain('Alice checked in');
    expect(loading(fast.id)).toBe(false);

    // Slow handling: the bot's own deferral gets 40060; it edits the other one.
    routerDelayMs = 500;
    const slow = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: BOB, name: 'checkin' });
    expect(await deferElsewhere(slow)).toBe(204);
    await waitFor(() => answerOf(slow.id).includes('Bob checked in'), 5000, 'slow answer');
    expect(callbacks(slow.id).map((r) => r.status)).toEqual([204, 400]);
    expect(loading(slow.id)).toBe(false);

    // An ephemeral answer cannot replace a public deferral: it is deleted and the answer follows up privately.
    routerDelayMs = 100;
    const points = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: ALICE, name: 'points' });
    expect(await deferElsewhere(points)).toBe(204);
    await waitFor(() => fake.interactionAnswer(points.id)?.followUps.length === 1, 5000, 'ephemeral follow-up');
    expect(fake.interactionAnswer(points.id)?.original).toBeUndefined();
    expect(fake.interactionAnswer(points.id)?.followUps[0]?.flags).toBe(64);
    expect(answerOf(points.id)).toContain("Alice's points");

    // Two copies of one dispatch in this process, both slow: both defer, the second gets 40060; the copy the router
    // claimed answers, the duplicate stays quiet.
    routerDelayMs = 500;
    const carol = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: CAROL, name: 'checkin' });
    fake.dispatch('INTERACTION_CREATE', carol.payload);
    await waitFor(() => answerOf(carol.id).includes('carol checked in'), 5000, 'answer to the replayed interaction');
    await sleep(300);
    expect(callbacks(carol.id).map((r) => r.status).sort()).toEqual([204, 400]);
    expect(fake.requests.filter((r) => r.method === 'PATCH' && r.path === `/webhooks/${fake.applicationId}/${carol.token}/messages/@original`)).toHaveLength(1);
    expect(seen.filter((e) => e.deliveryId === carol.id)).toHaveLength(2);

    expect(await balanceOf(ALICE)).toBe(10);
    expect(await balanceOf(BOB)).toBe(10);
    expect(await balanceOf(CAROL)).toBe(10);
    expect(logs.filter((l) => l.msg === 'interaction already acknowledged by another copy of its dispatch').length).toBeGreaterThanOrEqual(4);
    expect(logs.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
  });

  it('grants the configured role when a member accepts the rules', async () => {
    await startApp({ lifecycle: { rules: { acceptance: true, reminderSeconds: 3600 } }, discord: { textCommands: false, channels: { [GUILD_ID]: ANNOUNCE_ID }, adminRoles: [], rulesRoles: { [GUILD_ID]: MOD_ROLE_ID } } });
    const from = fake.requests.length;
    const reply = await slash(ALICE, 'accept');
    expect(callbackText(reply.body.data)).toContain('acceptance of the rules is recorded');
    const put = await fake.waitForRequest((r) => r.method === 'PUT' && r.path === `/guilds/${GUILD_ID}/members/${ALICE.id}/roles/${MOD_ROLE_ID}`, 5000, from);
    expect(put.status).toBe(204);
  });

  it('falls back to the system channel, then the first text channel, for posts without a configured channel', async () => {
    await startApp({ discord: { textCommands: false, channels: {}, adminRoles: [] } });
    expect(await adapter.targetChannel(GUILD_ID)).toBe(GENERAL_ID);
    const community = (await app?.identity.community({ platform: 'discord', externalId: GUILD_ID }, new Date()));
    if (!community) throw new Error('no community');
    await adapter.sender.send(community, { text: 'hello', mentionEveryone: true });
    const post = await fake.waitForRequest(matchRoute('POST', '/channels/:id/messages'));
    expect(post.path).toBe(`/channels/${GENERAL_ID}/messages`);
    expect(post.body).toMatchObject({ content: '@everyone hello', allowed_mentions: { parse: ['users', 'everyone'] } });

    // A permanent refusal (403) is a permanent SendError; a 5xx is transient.
    fake.failNext(matchRoute('POST', '/channels/:id/messages'), { status: 403, code: 50013, message: 'Missing Permissions' });
    await expect(adapter.sender.send(community, { text: 'x' })).rejects.toMatchObject({ name: 'SendError', transient: false });
    fake.respondNext(matchRoute('POST', '/channels/:id/messages'), { status: 502, body: { message: 'bad gateway' }, times: 2 });
    await expect(adapter.sender.send(community, { text: 'y' })).rejects.toMatchObject({ name: 'SendError', transient: true });
  });

  it('resumes after the connection drops and keeps answering', async () => {
    await startApp();
    const identifies = fake.identifies.length;
    const from = fake.gatewayFrames.length;
    fake.dropConnection();
    await fake.waitForGatewayOp(6, 8000, from);
    await waitFor(() => adapter.health() === 'up', 8000, 'discord up again');
    expect(fake.identifies.length).toBe(identifies);
    const answer = await slash(ALICE, 'checkin');
    expect(callbackText(answer.body.data)).toContain('Alice checked in');
  });

  it('logs a malformed dispatch and keeps running', async () => {
    await startApp();
    fake.dispatch('INTERACTION_CREATE', { id: snowflake(), type: 2, application_id: fake.applicationId }); // no token, data, user, …
    fake.dispatch('GUILD_MEMBER_ADD', { guild_id: GUILD_ID }); // no user
    await waitFor(() => logs.some((l) => l.msg === 'malformed Discord dispatch ignored'), 5000, 'malformed log');
    const answer = await slash(BOB, 'checkin');
    expect(callbackText(answer.body.data)).toContain('Bob checked in');
  });

  it('refuses a forged button, and runs the command of a signed one', async () => {
    await startApp();
    const forged = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: ALICE, customId: 'q1.AAAAAAAAAAAAAAAA.grant <@1> 1000 free' });
    const refusal = (await forged.waitForCallback()).body as { type: number; data: Record<string, unknown> };
    expect(refusal).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(callbackText(refusal.data)).toContain('not valid');
    expect(logs.some((l) => l.msg === 'refused a button with an invalid custom_id')).toBe(true);
    expect(seen).toHaveLength(0);

    // Another token's signature is refused too.
    const stale = customIdSigner('old-token').sign('checkin') as string;
    const staleRefusal = await fake.interaction({ guildId: GUILD_ID, user: ALICE, customId: stale }).waitForCallback();
    expect(staleRefusal.body).toMatchObject({ data: { flags: 64 } });

    const valid = customIdSigner(TOKEN).sign('checkin') as string;
    const pressed = await fake.interaction({ guildId: GUILD_ID, user: ALICE, customId: valid }).waitForCallback();
    expect(callbackText((pressed.body as { data: Record<string, unknown> }).data)).toContain('Alice checked in');
    expect(seen.find((e) => e.type === 'action')).toMatchObject({ command: 'checkin' });
  });

  it('renders a long reply within Discord limits (split, truncated with a marker), never a 400', async () => {
    await startApp();
    const community = (await app?.identity.community({ platform: 'discord', externalId: GUILD_ID }, new Date()));
    if (!community) throw new Error('no community');
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'word '.repeat(8)}`).join('\n');
    const fields = Array.from({ length: 40 }, (_, i) => ({ name: `field ${i}`, value: 'v'.repeat(300) }));
    await adapter.sender.send(community, { title: 'T'.repeat(300), text, fields });
    const post = fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${ANNOUNCE_ID}/messages`).at(-1);
    expect(post?.status).toBe(200);
    const body = post?.body as { embeds: { title?: string; description?: string; fields?: { name: string; value: string }[] }[] };
    const total = body.embeds.reduce((n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0), 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(body.embeds[0]?.title?.endsWith('…')).toBe(true);
    expect(body.embeds.at(-1)?.description?.endsWith('…') ?? body.embeds[0]?.fields?.at(-1)?.name === '…').toBe(true);

    // A long announce through slash: the text goes out as embeds, accepted.
    const long = 'x'.repeat(3000);
    await slash(BOB, 'announce', { options: { text: long } });
    await waitFor(() => fake.messagesIn(ANNOUNCE_ID).some((m) => (m.embeds as { description?: string }[] | undefined)?.[0]?.description === long), 10_000, 'long post');
    expect(fake.requests.filter((r) => r.status === 400)).toHaveLength(0);
  });

  it('keeps the rest running when Discord refuses the privileged intent (close 4014), with one clear log line', async () => {
    await fake.close();
    fake = await startFake({ privilegedIntents: 0 });
    dir = mkdtempSync(join(tmpdir(), 'qunbot-discord-'));
    const appConfig = testConfig({}, { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl }, join(dir, 'qunbot.sqlite'));
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    app = (await createApp({ appConfig, logger: pino({ level: 'info' }, sink), adapters: (a) => [(adapter = discordAdapter(a, { rest: { retries: 0, timeout: 2000 } }))] }));
    const { url } = await app.start();
    expect(adapter.health()).toBe('down');
    const line = logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('Discord refused a privileged intent'));
    expect(line?.msg).toContain('Server Members Intent');
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toContain('discord');
  });
});
