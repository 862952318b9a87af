/**
 * Discord sharding end to end: bot apps in-process with the real discord.js client, each running some of
 * the shards (DISCORD_SHARDS / DISCORD_SHARD_COUNT) against one fake Discord that routes each guild's
 * dispatches to shard (guild_id >> 22) % count, as Discord does. Each app has its own SQLite file and Redis
 * prefix: these tests prove routing, not a shared database (that needs PostgreSQL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { discordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import { FakeDiscord, snowflake, snowflakeOnShard, type FakeUserInput, type RecordedRequest } from '../fakes/discord/fake-discord.js';
import { testConfig } from '../helpers/app.js';
import { sleep, waitFor } from '../helpers/wait.js';

const TOKEN = 'test-bot-token';
const OWNER: FakeUserInput = { id: snowflake(), username: 'owner' };
const ALICE: FakeUserInput = { id: snowflake(), username: 'alice', globalName: 'Alice' };
const BOB: FakeUserInput = { id: snowflake(), username: 'bob', globalName: 'Bob' };

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** One bot process: its app, adapter, the events its router saw, and its log. */
interface Bot {
  app: App;
  adapter: DiscordAdapter;
  seen: ChatEvent[];
  logs: LogLine[];
}

let fake: FakeDiscord | undefined;
const bots: Bot[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(bots.splice(0).map((bot) => bot.app.stop()));
  await fake?.close();
  fake = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fake with one guild on each shard of `count`, identifying all shards at once (max_concurrency 16). */
async function startFake(count: number, extra: Partial<Parameters<typeof FakeDiscord.start>[0]> = {}): Promise<{ fake: FakeDiscord; guilds: { id: string; channel: string }[] }> {
  const guilds = Array.from({ length: count }, (_, shard) => ({ id: snowflakeOnShard(shard, count), channel: snowflake() }));
  fake = await FakeDiscord.start({
    token: TOKEN,
    maxConcurrency: 16,
    guilds: guilds.map((g, shard) => ({ id: g.id, name: `Guild on shard ${shard}`, ownerId: OWNER.id, channels: [{ id: g.channel, name: 'general' }], members: [{ user: ALICE }, { user: BOB }] })),
    ...extra,
  });
  return { fake, guilds };
}

/** A bot app running `env`'s shards, with its own database and Redis prefix; resolves once Discord is ready. */
async function startBot(env: Record<string, string>, opts: { waitReady?: boolean } = {}): Promise<Bot> {
  if (!fake) throw new Error('start the fake first');
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-shards-'));
  dirs.push(dir);
  const appConfig = testConfig({}, { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, ...env }, join(dir, 'qunbot.sqlite'));
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  let adapter: DiscordAdapter | undefined;
  const app = await createApp({ appConfig, logger: pino({ level: 'info' }, sink), adapters: (a) => [(adapter = discordAdapter(a, { rest: { retries: 1, timeout: 3000 } }))] });
  if (!adapter) throw new Error('no Discord adapter');
  const seen: ChatEvent[] = [];
  const handle = app.router.handle.bind(app.router);
  app.router.handle = (event) => {
    seen.push(event);
    return handle(event);
  };
  const bot: Bot = { app, adapter, seen, logs };
  bots.push(bot);
  await app.start();
  if (opts.waitReady !== false) await adapter.commandsRegistered;
  return bot;
}

type Callback = RecordedRequest & { body: { type: number; data: { content?: string; embeds?: { title?: string; description?: string }[] } } };

function callbackText(callback: Callback): string {
  const { content, embeds = [] } = callback.body.data;
  return [content, ...embeds.flatMap((e) => [e.title, e.description])].filter(Boolean).join('\n');
}

describe('Discord shards split across bot processes', () => {
  it('a slash command in a guild on shard 1 is answered by the process running shard 1; the other never sees it', async () => {
    const { fake, guilds } = await startFake(2);
    const [g0, g1] = guilds as [{ id: string; channel: string }, { id: string; channel: string }];
    const even = await startBot({ DISCORD_SHARDS: '0', DISCORD_SHARD_COUNT: '2', DISCORD_GUILD_IDS: `${g0.id},${g1.id}` });
    const odd = await startBot({ DISCORD_SHARDS: '1', DISCORD_SHARD_COUNT: '2', DISCORD_GUILD_IDS: `${g0.id},${g1.id}` });
    expect(fake.identifies.map((i) => i.shard)).toEqual([[0, 2], [1, 2]]);
    expect(fake.shards().map((s) => [s.shard, s.shardCount, s.ready])).toEqual([[0, 2, true], [1, 2, true]]);
    expect(even.adapter.health()).toBe('up');
    expect(odd.adapter.health()).toBe('up');
    // Each process caches only its own shard's guild.
    expect([...even.adapter.client.guilds.cache.keys()]).toEqual([g0.id]);
    expect([...odd.adapter.client.guilds.cache.keys()]).toEqual([g1.id]);
    expect(even.logs.find((l) => l.msg === 'Discord connected')).toMatchObject({ shards: [0], shardCount: 2 });

    const inG1 = fake.interaction({ guildId: g1.id, channelId: g1.channel, user: BOB, name: 'checkin' });
    expect(inG1).toMatchObject({ delivered: true, shard: 1 });
    const answer = (await inG1.waitForCallback()) as Callback;
    expect(callbackText(answer)).toContain('Bob checked in');
    expect(odd.seen.map((e) => [e.deliveryId, e.community.externalId])).toEqual([[inG1.id, g1.id]]);

    const inG0 = fake.interaction({ guildId: g0.id, channelId: g0.channel, user: ALICE, name: 'checkin' });
    expect(inG0.shard).toBe(0);
    expect(callbackText((await inG0.waitForCallback()) as Callback)).toContain('Alice checked in');
    expect(even.seen.map((e) => [e.deliveryId, e.community.externalId])).toEqual([[inG0.id, g0.id]]);

    // Member events follow their guild's shard too.
    fake.memberJoin({ guildId: g1.id, user: { id: snowflake(), username: 'carol' } });
    await waitFor(() => odd.seen.find((e) => e.type === 'memberJoined'), 5000, 'join on shard 1');
    await sleep(200);
    expect(even.seen.map((e) => e.deliveryId)).toEqual([inG0.id]);
    expect(odd.seen.map((e) => e.type)).toEqual(['command', 'memberJoined']);
  });

  it('a direct message reaches the process running shard 0, which does not take its one cached guild for the bot\'s only one', async () => {
    const { fake } = await startFake(2);
    const even = await startBot({ DISCORD_SHARDS: '0', DISCORD_SHARD_COUNT: '2' });
    const odd = await startBot({ DISCORD_SHARDS: '1', DISCORD_SHARD_COUNT: '2' });
    const dm = fake.sendMessage({ author: ALICE, content: '/checkin' });
    expect(dm).toMatchObject({ delivered: true, shard: 0 });
    const event = await waitFor(() => even.seen.find((e) => e.deliveryId === dm.id), 5000, 'DM on shard 0');
    expect(event.community).toEqual({ platform: 'discord', externalId: `dm-${ALICE.id}` });
    await sleep(200);
    expect(odd.seen).toEqual([]);
  });

  it("DISCORD_SHARDS=auto runs the count Discord recommends (GET /gateway/bot), every shard in this process", async () => {
    const { fake, guilds } = await startFake(4, { recommendedShards: 4 });
    const bot = await startBot({ DISCORD_SHARDS: 'auto', DISCORD_GUILD_IDS: guilds.map((g) => g.id).join(',') });
    expect(fake.identifies.map((i) => i.shard).sort()).toEqual([[0, 4], [1, 4], [2, 4], [3, 4]]);
    expect(bot.adapter.client.ws.shards.size).toBe(4);
    expect(bot.adapter.client.guilds.cache.size).toBe(4);
    expect(bot.logs.find((l) => l.msg === 'Discord connected')).toMatchObject({ shards: [0, 1, 2, 3], shardCount: 4 });
    const last = guilds[3] as { id: string; channel: string };
    const handle = fake.interaction({ guildId: last.id, channelId: last.channel, user: ALICE, name: 'checkin' });
    expect(handle.shard).toBe(3);
    expect(callbackText((await handle.waitForCallback()) as Callback)).toContain('Alice checked in');
  });

  it('reports Discord down while any of its shards is: one shard resuming does not bring it up while another is gone', async () => {
    const { fake } = await startFake(2, { recommendedShards: 2 });
    const bot = await startBot({ DISCORD_SHARDS: 'auto' });
    expect(bot.adapter.health()).toBe('up');
    fake.closeWithCode(4014, 'FakeDiscord: closed', 1); // unrecoverable: shard 1 stays down
    await waitFor(() => bot.adapter.health() === 'down', 5000, 'discord down');
    const from = fake.gatewayFrames.length;
    fake.dropConnection(4000, 0);
    await fake.waitForGatewayOp(6, 8000, from);
    await waitFor(() => fake.shards().find((s) => s.shard === 0)?.connected, 5000, 'shard 0 resumed');
    await sleep(300);
    expect(bot.adapter.client.ws.shards.get(0)?.status).toBe(0); // Status.Ready
    expect(bot.adapter.health()).toBe('down');
  });

  it('names the fix when Discord requires more shards than configured (close 4011), and keeps the rest running', async () => {
    await startFake(1, { minShards: 2 });
    const bot = await startBot({}, { waitReady: false });
    expect(bot.adapter.health()).toBe('down');
    const line = bot.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('Discord requires more shards'));
    expect(line).toMatchObject({ shards: [0], shardCount: 1 });
    expect(line?.msg).toContain('DISCORD_SHARDS=auto');
  });
});
