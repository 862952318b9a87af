/**
 * The bot in this process with the real discord.js client against the fake
 * Discord (test/fakes/discord): one guild, text commands on, the guild's
 * first channel as the bot's channel. Resolves once the slash commands are
 * registered. `close()` stops the app and the fake and removes the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import type { Clock } from '../../src/core/clock.js';
import { discordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import { FakeDiscord, Permission, snowflake, type FakeDiscordOptions, type FakeUserInput } from '../fakes/discord/fake-discord.js';
import { testConfig } from './app.js';

export type FakeGuildInput = FakeDiscordOptions['guilds'][number];

export interface InProcessDiscordBot {
  fake: FakeDiscord;
  app: App;
  adapter: DiscordAdapter;
  /** Stops the app and starts a new one on the same database, clock and fake Discord (`app` and `adapter` are the new ones). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startInProcessDiscordBot(options: {
  /** The bot posts in the guild's first channel. */
  guild: FakeGuildInput;
  botPermissions?: bigint;
  /** Config merged over the Discord settings (e.g. `moderation`). */
  config?: Record<string, unknown>;
  /** Runs on the app before it starts (e.g. to watch router.handle). */
  beforeStart?: (app: App) => void;
  /** The app's clock (the fake keeps real time). */
  clock?: Clock;
}): Promise<InProcessDiscordBot> {
  const token = 'test-bot-token';
  const { guild } = options;
  const channelId = guild.channels[0]?.id;
  if (channelId === undefined) throw new Error('the guild needs a channel for the bot');
  const fake = await FakeDiscord.start({ token, guilds: [guild], ...(options.botPermissions !== undefined ? { botPermissions: options.botPermissions } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-discord-'));
  try {
    const appConfig = testConfig(
      { discord: { textCommands: true, channels: { [guild.id]: channelId }, adminRoles: [] }, ...options.config },
      { DISCORD_TOKEN: token, DISCORD_API_URL: fake.apiUrl, DISCORD_GUILD_IDS: guild.id },
      join(dir, 'qunbot.sqlite'),
    );
    const build = async (): Promise<{ app: App; adapter: DiscordAdapter }> => {
      let adapter: DiscordAdapter | undefined;
      const app = await createApp({
        appConfig,
        logger: pino({ level: 'silent' }),
        ...(options.clock ? { clock: options.clock } : {}),
        adapters: (deps) => {
          adapter = discordAdapter(deps, { rest: { retries: 1, timeout: 3000 } });
          return [adapter];
        },
      });
      if (!adapter) throw new Error('the app built no Discord adapter');
      const built: DiscordAdapter = adapter;
      options.beforeStart?.(app);
      await app.start();
      await built.commandsRegistered;
      return { app, adapter: built };
    };
    const first = await build();
    const bot: InProcessDiscordBot = {
      fake,
      ...first,
      async restart() {
        await bot.app.stop();
        Object.assign(bot, await build());
      },
      async close() {
        try {
          await bot.app.stop();
        } finally {
          await fake.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
    return bot;
  } catch (err) {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The guild the moderation tests run in: a general channel, Alice (a member)
 * and Bob (in a Mods role with Manage Server, so an admin to the bot), owned
 * by someone else. Fresh ids on each call.
 */
export function moderationGuild(): { guild: FakeGuildInput; guildId: string; generalId: string; modRoleId: string; owner: FakeUserInput; alice: FakeUserInput; bob: FakeUserInput } {
  const guildId = snowflake();
  const generalId = snowflake();
  const modRoleId = snowflake();
  const owner: FakeUserInput = { id: snowflake(), username: 'owner' };
  const alice: FakeUserInput = { id: snowflake(), username: 'alice', globalName: 'Alice' };
  const bob: FakeUserInput = { id: snowflake(), username: 'bob', globalName: 'Bob' };
  return {
    guildId,
    generalId,
    modRoleId,
    owner,
    alice,
    bob,
    guild: {
      id: guildId,
      name: 'Qun Test Server',
      ownerId: owner.id,
      channels: [{ id: generalId, name: 'general' }],
      roles: [{ id: modRoleId, name: 'Mods', permissions: Permission.ManageGuild, position: 2 }],
      members: [{ user: alice }, { user: bob, roles: [modRoleId] }],
    },
  };
}
