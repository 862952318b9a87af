/** The deployment files stay in step with what the bot reads from its environment. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV, loadConfig, SECRET_ENV } from '../../src/config/load.js';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (name: string): string => readFileSync(join(ROOT, name), 'utf8');

/** Per process, passed through by the compose files like the secrets. */
const SHARD_ENV = ['DISCORD_SHARDS', 'DISCORD_SHARD_COUNT'];

describe('docker-compose.yml and .env.example', () => {
  it('every secret the bot reads is listed (only the test-only long-connection URL is left out)', () => {
    const source = read('src/config/load.ts');
    const readNames = new Set([...source.matchAll(/(?:opt|list)\(env\.([A-Z_]+)\)/g)].map((m) => m[1]));
    readNames.delete('WECOM_BOT_WS_URL');
    expect([...readNames].sort()).toEqual([...SECRET_ENV].sort());
  });

  it('the compose file passes each of them to the bot, has no obsolete version key, and outwaits the shutdown deadline', () => {
    const compose = parse(read('docker-compose.yml')) as { version?: string; services: { bot: { environment: Record<string, string>; stop_grace_period?: string } } };
    expect(compose.version).toBeUndefined();
    const env = compose.services.bot.environment;
    for (const name of [...SECRET_ENV, ...SHARD_ENV]) expect(env, name).toHaveProperty(name, `\${${name}:-}`);
    expect(Number.parseInt(compose.services.bot.stop_grace_period ?? '0', 10)).toBeGreaterThan(10);
  });

  it('.env.example names each of them', () => {
    const example = read('.env.example');
    expect(CONFIG_ENV).toEqual(expect.arrayContaining(SHARD_ENV));
    for (const name of [...SECRET_ENV, ...SHARD_ENV, 'POSTGRES_PASSWORD']) expect(example, name).toMatch(new RegExp(`^# ${name}=`, 'm'));
  });
});

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { replicas?: number };
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
  volumes?: string[];
  stop_grace_period?: string;
}

describe('docker-compose.scale.yml', () => {
  // The file shares settings between services with YAML anchors and merge keys (<<), as Compose reads it.
  const scale = parse(read('docker-compose.scale.yml'), { merge: true }) as { version?: string; services: Record<string, Service>; volumes: Record<string, unknown> };
  const services = scale.services;
  const qunbot = Object.entries(services).filter(([, s]) => s.build === '.');
  const role = (s: Service): string | undefined => s.command?.find((a) => a.startsWith('--role='))?.slice('--role='.length);
  const discordGateways = qunbot.filter(([, s]) => role(s) === 'gateway' && s.environment?.DISCORD_TOKEN !== undefined);
  const env = (name: string): Record<string, string> => services[name]?.environment ?? {};

  it('runs PostgreSQL (official image, a volume, a health check) and Redis as docker-compose.yml does', () => {
    expect(scale.version).toBeUndefined();
    expect(services.postgres?.image).toMatch(/^postgres:\d+/);
    expect(services.postgres?.volumes).toContain('pg-data:/var/lib/postgresql/data');
    expect(scale.volumes).toHaveProperty('pg-data');
    expect(services.postgres?.healthcheck?.test?.join(' ')).toContain('pg_isready');
    expect(services.postgres?.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    const single = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
    expect(services.redis?.command).toEqual(single.services.redis?.command);
  });

  it('every qunbot process has a role, shares the PostgreSQL and Redis, waits for them, and outwaits the shutdown deadline', () => {
    expect(qunbot.map(([name]) => name).sort()).toEqual(['gateway', 'gateway-discord-0', 'gateway-discord-1', 'worker']);
    for (const [name, s] of qunbot) {
      expect(['gateway', 'worker'], name).toContain(role(s));
      expect(s.environment?.DATABASE_URL, name).toMatch(/^postgres:\/\/qunbot:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/qunbot$/);
      expect(s.environment?.REDIS_URL, name).toBe('redis://redis:6379');
      expect(s.depends_on, name).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      expect(Number.parseInt(s.stop_grace_period ?? '0', 10), name).toBeGreaterThan(10);
      expect(s.ports, `${name} publishes no port: replicas would collide`).toBeUndefined();
    }
  });

  it('serves WeCom callbacks from gateway replicas behind the load balancer; those replicas never open a Discord session', () => {
    const gateway = services.gateway as Service;
    expect(role(gateway)).toBe('gateway');
    expect(gateway.deploy?.replicas).toBeGreaterThanOrEqual(2);
    for (const name of ['WECOM_BOT_TOKEN', 'WECOM_BOT_AES_KEY', 'WECOM_CORP_ID', 'WECOM_TOKEN', 'WECOM_AES_KEY']) expect(env('gateway'), name).toHaveProperty(name, `\${${name}:-}`);
    expect(env('gateway')).not.toHaveProperty('DISCORD_TOKEN');
    const lb = services.lb as Service;
    expect(lb.ports).toEqual(['${QUNBOT_PORT:-3000}:80']);
    expect(lb.volumes).toContain('./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro');
    const nginx = read('deploy/nginx.conf');
    expect(nginx).toMatch(/^\s*resolver 127\.0\.0\.11\b/m);
    expect(nginx).toMatch(/^\s*set \$gateway http:\/\/gateway:3000;/m);
    expect(nginx).toMatch(/^\s*proxy_pass \$gateway;/m);
  });

  it('splits the Discord shards over gateway services: each a valid list, one count, every id run exactly once', () => {
    expect(discordGateways.length).toBeGreaterThanOrEqual(2);
    const counts = new Set<number>();
    const ids: number[] = [];
    for (const [name, s] of discordGateways) {
      const shardEnv = { DISCORD_SHARDS: s.environment?.DISCORD_SHARDS ?? '', DISCORD_SHARD_COUNT: s.environment?.DISCORD_SHARD_COUNT ?? '' };
      const { config } = loadConfig(shardEnv);
      if (config.discord.shards === 'auto' || config.discord.shardCount === null) throw new Error(`${name}: expected a shard list`);
      counts.add(config.discord.shardCount);
      ids.push(...config.discord.shards);
      for (const secret of ['DISCORD_TOKEN', 'DISCORD_API_URL', 'DISCORD_GUILD_IDS']) expect(s.environment, `${name} ${secret}`).toHaveProperty(secret, `\${${secret}:-}`);
      expect(s.deploy?.replicas ?? 1, `${name} runs once: a replica would open the same shards again`).toBe(1);
    }
    expect(counts.size).toBe(1);
    const [count] = [...counts] as [number];
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('runs several workers with everything they post through, without the HTTP health check they cannot answer', () => {
    const worker = services.worker as Service;
    expect(role(worker)).toBe('worker');
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.healthcheck).toEqual({ disable: true });
    for (const name of SECRET_ENV.filter((n) => /^(DISCORD_(TOKEN|API_URL)|WECOM_(?!BOT_ID|BOT_SECRET))/.test(n))) expect(env('worker'), name).toHaveProperty(name, `\${${name}:-}`);
  });

  it('passes every secret to some process, except the WeCom long connection (one connection per bot; docker-compose.yml)', () => {
    const passed = new Map<string, string>();
    for (const [, s] of qunbot) for (const [k, v] of Object.entries(s.environment ?? {})) passed.set(k, v);
    // DATABASE_URL is built from POSTGRES_PASSWORD (checked above), not passed through.
    const through = (SECRET_ENV as readonly string[]).filter((n) => !['WECOM_BOT_ID', 'WECOM_BOT_SECRET', 'DATABASE_URL'].includes(n));
    for (const name of through) expect(passed.get(name), name).toBe(`\${${name}:-}`);
    expect(passed.has('WECOM_BOT_ID')).toBe(false);
  });
});
