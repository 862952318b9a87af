import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { configSchema, type AppConfig, type Config, type Secrets } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Environment variables that map onto config keys (DESIGN.md §3). */
type EnvType = 'string' | 'int' | 'bool' | 'list' | 'shards';

const ENV_KEYS: Array<{ env: string; path: string[]; type: EnvType }> = [
  { env: 'DATABASE_PATH', path: ['database', 'path'], type: 'string' },
  { env: 'REDIS_URL', path: ['redis', 'url'], type: 'string' },
  { env: 'REDIS_PREFIX', path: ['redis', 'prefix'], type: 'string' },
  { env: 'HTTP_HOST', path: ['http', 'host'], type: 'string' },
  { env: 'HTTP_PORT', path: ['http', 'port'], type: 'int' },
  { env: 'HTTP_PUBLIC_URL', path: ['http', 'publicUrl'], type: 'string' },
  { env: 'LOG_LEVEL', path: ['log', 'level'], type: 'string' },
  { env: 'SHUTDOWN_TIMEOUT_MS', path: ['shutdown', 'timeoutMs'], type: 'int' },
  { env: 'DISCORD_SHARDS', path: ['discord', 'shards'], type: 'shards' },
  { env: 'DISCORD_SHARD_COUNT', path: ['discord', 'shardCount'], type: 'int' },
];

/** The environment variables above: docker-compose files pass the per-process ones through (a test checks). */
export const CONFIG_ENV = ENV_KEYS.map((k) => k.env);


function findRoot(): URL {
  // src/config/load.ts and dist/src/config/load.js both sit two or three levels below the root.
  const here = new URL('.', import.meta.url);
  return here.pathname.includes('/dist/src/') ? new URL('../../../', here) : new URL('../../', here);
}

export function loadConfig(env: Env = process.env, defaultPath = rootPath('config/default.yaml')): AppConfig {
  const base = readYaml(defaultPath);
  const override = env.CONFIG_FILE ? readYaml(env.CONFIG_FILE) : {};
  const merged = deepMerge(base, override);
  const origin = new Map<string, string>();
  for (const { env: name, path, type } of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(merged, path, coerce(raw, type));
    origin.set(path.join('.'), name);
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const from = origin.get(key);
      return `  ${from ? `${from} (${key})` : key}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return { config: parsed.data, secrets: readSecrets(env, parsed.data) };
}

export function rootPath(relative: string): string {
  return fileURLToPath(new URL(relative, findRoot()));
}

/**
 * Environment variables read as secrets or platform settings (never from YAML).
 * docker-compose.yml passes each through and .env.example lists each (a test
 * keeps them in step); `WECOM_BOT_WS_URL` is for tests and left out of both.
 */
export const SECRET_ENV = [
  'DISCORD_TOKEN', 'DISCORD_API_URL', 'DISCORD_GUILD_IDS',
  'WECOM_BOT_TOKEN', 'WECOM_BOT_AES_KEY', 'WECOM_CORP_ID', 'WECOM_TOKEN', 'WECOM_AES_KEY', 'WECOM_SECRET', 'WECOM_AGENT_ID',
  'WECOM_API_URL', 'WECOM_ADMINS', 'WECOM_BOT_ID', 'WECOM_BOT_SECRET', 'PLAYGROUND_TOKEN', 'METRICS_TOKEN',
  'DASHBOARD_TOKEN', 'DATABASE_URL',
] as const;

function readSecrets(env: Env, config: Config): Secrets {
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const opt = (v: string | undefined): string | undefined => (v && v.trim() ? v.trim() : undefined);
  const secrets: Secrets = {
    discordToken: opt(env.DISCORD_TOKEN),
    discordApiUrl: opt(env.DISCORD_API_URL) ?? 'https://discord.com/api',
    discordGuildIds: list(env.DISCORD_GUILD_IDS),
    wecomBotToken: opt(env.WECOM_BOT_TOKEN),
    wecomBotAesKey: opt(env.WECOM_BOT_AES_KEY),
    wecomCorpId: opt(env.WECOM_CORP_ID),
    wecomToken: opt(env.WECOM_TOKEN),
    wecomAesKey: opt(env.WECOM_AES_KEY),
    wecomSecret: opt(env.WECOM_SECRET),
    wecomAgentId: opt(env.WECOM_AGENT_ID),
    wecomApiUrl: (opt(env.WECOM_API_URL) ?? 'https://qyapi.weixin.qq.com').replace(/\/+$/, ''),
    wecomAdmins: [...new Set([...list(env.WECOM_ADMINS), ...config.wecom.admins])],
    wecomBotId: opt(env.WECOM_BOT_ID),
    wecomBotSecret: opt(env.WECOM_BOT_SECRET),
    wecomBotWsUrl: opt(env.WECOM_BOT_WS_URL),
    playgroundToken: opt(env.PLAYGROUND_TOKEN),
    metricsToken: opt(env.METRICS_TOKEN),
    dashboardToken: opt(env.DASHBOARD_TOKEN),
    databaseUrl: opt(env.DATABASE_URL),
  };
  if ((secrets.wecomBotId === undefined) !== (secrets.wecomBotSecret === undefined)) {
    throw new ConfigError('invalid configuration:\n  WECOM_BOT_ID, WECOM_BOT_SECRET: set both or neither');
  }
  for (const [name, key] of [['WECOM_BOT_AES_KEY', secrets.wecomBotAesKey], ['WECOM_AES_KEY', secrets.wecomAesKey]] as const) {
    if (key !== undefined && !/^[A-Za-z0-9+/]{43}$/.test(key)) throw new ConfigError(`invalid configuration:\n  ${name}: expected the 43-character EncodingAESKey`);
  }
  if ((secrets.wecomBotToken === undefined) !== (secrets.wecomBotAesKey === undefined)) {
    throw new ConfigError('invalid configuration:\n  WECOM_BOT_TOKEN, WECOM_BOT_AES_KEY: set both or neither');
  }
  const app = [secrets.wecomCorpId, secrets.wecomToken, secrets.wecomAesKey];
  if (app.some((v) => v !== undefined) && app.some((v) => v === undefined)) {
    throw new ConfigError('invalid configuration:\n  WECOM_CORP_ID, WECOM_TOKEN, WECOM_AES_KEY: set all three or none');
  }
  for (const [name, url] of [['DISCORD_API_URL', secrets.discordApiUrl], ['WECOM_API_URL', secrets.wecomApiUrl]] as const) {
    if (!/^https?:\/\/[^\s]+$/.test(url)) throw new ConfigError(`invalid configuration:\n  ${name}: expected an http(s) URL`);
  }
  if (secrets.databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^\s]+$/.test(secrets.databaseUrl)) {
    throw new ConfigError('invalid configuration:\n  DATABASE_URL: expected a postgres:// URL (leave it unset for SQLite at DATABASE_PATH)');
  }
  return secrets;
}

function readYaml(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`config file ${path} must hold a mapping at the top level`);
  return value as Record<string, unknown>;
}

function coerce(raw: string, type: EnvType): unknown {
  switch (type) {
    case 'shards':
      // "auto", or "0,1": ids that are not digits stay strings, so the schema names the variable.
      return raw.trim() === 'auto' ? 'auto' : raw.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    case 'int':
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'bool':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'string':
      return raw;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and scalars are replaced. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isObject(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}
