/**
 * Builds the real app (src/app.ts createApp) for a benchmark: config/default.yaml
 * with only the overrides a benchmark names, a SQLite file in a temp folder on
 * the real disk, a silent logger, and its own Redis key prefix (the app is never
 * started, so no worker runs). Built from src/ alone, so test helpers can change
 * freely; `chatEvent` makes the same event shape as test/helpers/app.ts Chat.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, type App } from '../src/app.js';
import { deepMerge, loadConfig } from '../src/config/load.js';
import { configSchema, type AppConfig } from '../src/config/schema.js';
import type { MessageEvent, Platform } from '../src/core/chat-event.js';
import type { Clock } from '../src/core/clock.js';
import type { BenchContext } from './harness.js';

export interface BenchApp {
  app: App;
  close(): Promise<void>;
}

/** config/default.yaml, no environment but what is given here, plus `overrides`. */
export function benchConfig(overrides: Record<string, unknown> = {}, databasePath?: string): AppConfig {
  const base = loadConfig({ REDIS_PREFIX: `qunbot-bench-${process.pid}`, ...(databasePath ? { DATABASE_PATH: databasePath } : {}) });
  const config = configSchema.parse(deepMerge(base.config as unknown as Record<string, unknown>, overrides));
  config.log.level = 'silent';
  return { config, secrets: base.secrets };
}

export async function openBenchApp(ctx: BenchContext, options: { clock: Clock; config?: Record<string, unknown> }): Promise<BenchApp> {
  const dir = ctx.tempDir('app');
  const appConfig = benchConfig(options.config, join(dir, 'qunbot.sqlite'));
  const app = (await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: options.clock }));
  return {
    app,
    async close() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A text message addressed to the bot, as the playground and the test Chat send it. */
export function chatEvent(community: string, userId: string, name: string, text: string, deliveryId: string, platform: Platform = 'playground'): MessageEvent {
  return {
    type: 'message',
    deliveryId,
    community: { platform, externalId: community },
    actor: { platformUserId: userId, displayName: name, isAdmin: false },
    text,
    addressed: true,
  };
}
