/**
 * Builds an app on a temporary SQLite file, plus a conversation harness:
 * `chat.say('alice', '/checkin')` returns the bot's replies as text, the
 * same path the playground uses.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach, inject } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { deepMerge, loadConfig } from '../../src/config/load.js';
import { configSchema, type AppConfig } from '../../src/config/schema.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { Clock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import type { Rng } from '../../src/core/rng.js';
import type { Sender } from '../../src/core/sender.js';
import { createTestSchema, testEngine, type TestSchema } from './pg.js';

export interface TestAppOptions {
  clock?: Clock;
  rng?: Rng;
  /** Merged over config/default.yaml. */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  databasePath?: string;
  role?: 'all' | 'worker' | 'gateway';
  senders?: Sender[];
  /** Defaults to a silent logger (TEST_LOG_LEVEL to see it). */
  logger?: Logger;
}

export interface TestApp {
  app: App;
  dir: string;
  chat: Chat;
  close(): Promise<void>;
}

/** The Redis the suite uses (see test/setup/global-redis.ts); child processes read REDIS_TEST_URL. */
export function testRedisUrl(): string {
  try {
    return inject('redisUrl');
  } catch {
    return process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
  }
}

/** A key prefix of the test's own: tests never touch Redis data they did not create. */
export function testPrefix(): string {
  return `qtest-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function testConfig(overrides: Record<string, unknown> = {}, env: Record<string, string> = {}, databasePath?: string): AppConfig {
  const base = loadConfig({ REDIS_URL: testRedisUrl(), REDIS_PREFIX: testPrefix(), ...env });
  // The per-member command limit (10 in 10 s) is off unless a test turns it on: conversations
  // on a fixed clock send more than that in one "instant".
  const merged = deepMerge(deepMerge(base.config as unknown as Record<string, unknown>, { rateLimit: { commands: null } }), overrides);
  const config = configSchema.parse(merged);
  if (databasePath) config.database.path = databasePath;
  if (!('http' in overrides) && !env.HTTP_PORT) config.http.port = 0;
  config.log.level = 'silent';
  return { config, secrets: base.secrets };
}

/**
 * PostgreSQL runs (QUNBOT_TEST_ENGINE=postgres): one schema per database path, so
 * apps a test opens on the same path (a restart, a second process) share it, as
 * they would share the SQLite file. Schemas stay until the run's database is
 * dropped at the end (test/setup/global-postgres.ts).
 */
const pgSchemas = new Map<string, Promise<TestSchema>>();

export async function pgDatabaseFor(path: string): Promise<{ url: string }> {
  let schema = pgSchemas.get(path);
  if (!schema) {
    schema = createTestSchema(path);
    pgSchemas.set(path, schema);
  }
  return { url: (await schema).url };
}

export async function makeTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-test-'));
  const databasePath = options.databasePath ?? join(dir, 'qunbot.sqlite');
  const pg = testEngine() === 'postgres' && !options.env?.DATABASE_URL ? await pgDatabaseFor(databasePath) : undefined;
  const env = pg ? { ...options.env, DATABASE_URL: pg.url } : options.env;
  const appConfig = testConfig(options.config, env, databasePath);
  const app = await createApp({ appConfig, logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), clock: options.clock, rng: options.rng, role: options.role, senders: options.senders });
  // A PostgreSQL run that silently fell back to SQLite would prove nothing.
  if (pg && app.store.dialect !== 'postgres') throw new Error(`QUNBOT_TEST_ENGINE=postgres but the app runs on ${app.store.dialect}`);
  return {
    app,
    dir,
    chat: new Chat(app),
    async close() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

export class Chat {
  constructor(
    private readonly app: App,
    readonly communityId = 'demo',
    private readonly admins = new Set(['admin']),
  ) {}

  /** Send text as a member; returns the replies. */
  async send(userId: string, text: string, opts: { deliveryId?: string; name?: string } = {}): Promise<Reply[]> {
    const result = await this.app.router.handle(this.event(userId, text, opts));
    return result.replies;
  }

  /** Send text and return the replies joined as plain text. */
  async say(userId: string, text: string, opts: { deliveryId?: string; name?: string } = {}): Promise<string> {
    const replies = await this.send(userId, text, opts);
    return replies.map((r) => [r.title, r.text].filter(Boolean).join('\n')).join('\n---\n');
  }

  event(userId: string, text: string, opts: { deliveryId?: string; name?: string } = {}): ChatEvent {
    return {
      type: 'message',
      deliveryId: opts.deliveryId ?? `test-${process.pid}-${++counter}`,
      community: { platform: 'playground', externalId: this.communityId },
      actor: { platformUserId: userId, displayName: opts.name ?? userId, isAdmin: this.admins.has(userId) },
      text,
      addressed: true,
    };
  }
}

/**
 * Test apps closed after each test: `const app = testApps({ config })` in a
 * test file, then `app({ ... })` per test (defaults merged under the test's own).
 */
export function testApps(defaults: Record<string, unknown> = {}): (options?: TestAppOptions) => Promise<TestApp> {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
  });
  return async (options = {}) => {
    const t = await makeTestApp({ ...options, config: deepMerge(defaults, options.config ?? {}) });
    apps.push(t);
    return t;
  };
}
