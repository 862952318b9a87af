import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'qunbot-config-')), 'override.yaml');
  writeFileSync(path, text);
  return path;
}

function error(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('refuses a welcome text with an unknown placeholder, by key, globally and per community', () => {
    expect(error({ CONFIG_FILE: file('lifecycle:\n  welcome:\n    text: { zh-CN: "欢迎 {mention}{name}", en: "Hi {mention}" }\n') })).toMatch(/lifecycle\.welcome\.text\.zh-CN.*unknown placeholder \{name\}/);
    expect(error({ CONFIG_FILE: file('community:\n  overrides:\n    "playground:demo": { welcome: "{who} 来了" }\n') })).toMatch(/welcome.*unknown placeholder \{who\} \(expected \{mention\}, \{community\}, \{bonus\}\)/);
    const { config } = loadConfig({ CONFIG_FILE: file('community:\n  overrides:\n    "playground:demo": { welcome: "{mention} 来到{community}，{bonus} 分", rules: "1. 友善\\n2. 不刷屏" }\n') });
    expect(config.community.overrides['playground:demo']?.rules).toBe('1. 友善\n2. 不刷屏');
  });

  it('defaults load and validate', () => {
    const { config, secrets } = loadConfig({});
    expect(config.community.defaults.timezone).toBe('Asia/Shanghai');
    expect(config.http.port).toBe(3000);
    expect(secrets.discordApiUrl).toBe('https://discord.com/api');
  });

  it('environment variables override the files', () => {
    const { config } = loadConfig({ DATABASE_PATH: '/tmp/x.sqlite', HTTP_PORT: '4000', REDIS_URL: 'redis://127.0.0.1:6390', LOG_LEVEL: 'debug' });
    expect(config.database.path).toBe('/tmp/x.sqlite');
    expect(config.http.port).toBe(4000);
    expect(config.redis.url).toBe('redis://127.0.0.1:6390');
    expect(config.log.level).toBe('debug');
  });

  it('CONFIG_FILE merges over the defaults key by key', () => {
    const { config } = loadConfig({ CONFIG_FILE: file('checkin:\n  basePoints: 7\ncommunity:\n  defaults:\n    dayStartHour: 4\n') });
    expect(config.checkin.basePoints).toBe(7);
    expect(config.community.defaults.dayStartHour).toBe(4);
    expect(config.community.defaults.timezone).toBe('Asia/Shanghai');
  });

  it('a bad value names the key (and the variable) and what was expected', () => {
    expect(error({ HTTP_PORT: 'abc' })).toMatch(/HTTP_PORT \(http\.port\)/);
    expect(error({ CONFIG_FILE: file('community:\n  defaults:\n    timezone: Mars/Base\n') })).toMatch(/community\.defaults\.timezone: expected an IANA timezone/);
    expect(error({ CONFIG_FILE: file('points:\n  levels:\n    - { min: 10, name: { zh-CN: a, en: a } }\n') })).toMatch(/points\.levels: the first level must start at 0/);
    expect(error({ REDIS_URL: 'http://x' })).toMatch(/REDIS_URL \(redis\.url\)/);
    // Level perks: a badge is short and plain, a discount a whole percent.
    expect(error({ CONFIG_FILE: file('points:\n  levels:\n    - { min: 0, name: { zh-CN: a, en: a }, badge: "<@1>" }\n') })).toMatch(/points\.levels\.0\.badge: no line breaks, markup or mention characters/);
    expect(error({ CONFIG_FILE: file('points:\n  levels:\n    - { min: 0, name: { zh-CN: a, en: a }, badge: "123456789" }\n') })).toMatch(/points\.levels\.0\.badge: expected a short text or emoji, 1 to 8 characters/);
    expect(error({ CONFIG_FILE: file('points:\n  levels:\n    - { min: 0, name: { zh-CN: a, en: a }, shopDiscount: 120 }\n') })).toMatch(/points\.levels\.0\.shopDiscount: expected a whole percent from 0 to 100/);
    expect(error({ CONFIG_FILE: file('points:\n  levels:\n    - { min: 0, name: { zh-CN: a, en: a }, shopDiscount: 7.5 }\n') })).toMatch(/points\.levels\.0\.shopDiscount: expected a whole percent from 0 to 100/);
    expect(error({ CONFIG_FILE: file('points:\n  levelRoles: { removeWhenBelow: "yes" }\n') })).toMatch(/points\.levelRoles\.removeWhenBelow/);
    expect(error({ WECOM_BOT_TOKEN: 't' })).toMatch(/WECOM_BOT_TOKEN, WECOM_BOT_AES_KEY/);
    expect(error({ WECOM_BOT_TOKEN: 't', WECOM_BOT_AES_KEY: 'short' })).toMatch(/WECOM_BOT_AES_KEY: expected the 43-character/);
    expect(error({ CONFIG_FILE: '/nonexistent/qunbot.yaml' })).toMatch(/cannot read config file/);
    expect(error({ CONFIG_FILE: file('a: [') })).toMatch(/not valid YAML/);
    expect(error({ HTTP_PUBLIC_URL: 'bot.example.com' })).toMatch(/HTTP_PUBLIC_URL \(http\.publicUrl\): expected the http\(s\) origin/);
    expect(error({ HTTP_PUBLIC_URL: 'https://bot.example.com/qunbot' })).toMatch(/http\.publicUrl/);
    expect(loadConfig({ HTTP_PUBLIC_URL: 'https://bot.example.com' }).config.http.publicUrl).toBe('https://bot.example.com');
    expect(loadConfig({}).config.http.publicUrl).toBeNull();
  });

  it('runs one Discord shard unless told otherwise; DISCORD_SHARDS and DISCORD_SHARD_COUNT choose them', () => {
    expect(loadConfig({}).config.discord).toMatchObject({ shards: [0], shardCount: 1 });
    expect(loadConfig({ DISCORD_SHARDS: 'auto' }).config.discord).toMatchObject({ shards: 'auto', shardCount: null });
    expect(loadConfig({ DISCORD_SHARDS: '2, 3', DISCORD_SHARD_COUNT: '4' }).config.discord).toMatchObject({ shards: [2, 3], shardCount: 4 });
    expect(loadConfig({ CONFIG_FILE: file('discord:\n  shards: [1]\n  shardCount: 2\n') }).config.discord).toMatchObject({ shards: [1], shardCount: 2 });
    // The environment wins over the file, as for every other key.
    expect(loadConfig({ CONFIG_FILE: file('discord:\n  shards: [1]\n  shardCount: 2\n'), DISCORD_SHARDS: '0' }).config.discord).toMatchObject({ shards: [0], shardCount: 2 });
  });

  it('refuses a shard list that Discord would refuse, naming the variable', () => {
    expect(error({ DISCORD_SHARDS: '0,4', DISCORD_SHARD_COUNT: '4' })).toMatch(/DISCORD_SHARDS \(discord\.shards\): shard id 4 is out of range: ids run from 0 to shardCount - 1 \(3\)/);
    expect(error({ DISCORD_SHARDS: '1,1', DISCORD_SHARD_COUNT: '2' })).toMatch(/DISCORD_SHARDS \(discord\.shards\): shard id 1 is listed twice/);
    expect(error({ DISCORD_SHARDS: '0,x', DISCORD_SHARD_COUNT: '2' })).toMatch(/DISCORD_SHARDS \(discord\.shards\): expected auto or a list of shard ids/);
    expect(error({ DISCORD_SHARDS: '-1', DISCORD_SHARD_COUNT: '2' })).toMatch(/DISCORD_SHARDS \(discord\.shards\): expected auto or a list/);
    expect(error({ DISCORD_SHARDS: '0,1' })).toMatch(/discord\.shardCount: required with a list of shards.*DISCORD_SHARD_COUNT/);
    expect(error({ DISCORD_SHARD_COUNT: '4' })).toMatch(/discord\.shards: required with shardCount/);
    expect(error({ DISCORD_SHARDS: 'auto', DISCORD_SHARD_COUNT: '4' })).toMatch(/DISCORD_SHARD_COUNT \(discord\.shardCount\): leave unset with shards: auto/);
    expect(error({ DISCORD_SHARDS: '0', DISCORD_SHARD_COUNT: '0' })).toMatch(/DISCORD_SHARD_COUNT \(discord\.shardCount\): Too small/);
    expect(error({ CONFIG_FILE: file('discord:\n  shards: [0.5]\n  shardCount: 2\n') })).toMatch(/discord\.shards/);
    expect(error({ CONFIG_FILE: file('discord:\n  shards: []\n  shardCount: 2\n') })).toMatch(/discord\.shards: expected at least one shard id/);
  });
});
