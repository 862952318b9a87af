/**
 * Discord interaction round trip: the real app with the real discord.js client
 * (src/platforms, built from the secrets as in production) against FakeDiscord
 * (test/fakes/discord, REST + gateway on loopback). 1,000 `/checkin`
 * INTERACTION_CREATEs from distinct members, at most 20 in flight; each is timed
 * from just before the fake dispatches it to the moment the fake receives its
 * `POST /interactions/:id/:token/callback`. Beside it, the same number of
 * `/checkin` events straight through `app.router.handle` on a fresh app and DB
 * (the core-only figure), in the same run.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, type App } from '../src/app.js';
import { deepMerge, loadConfig } from '../src/config/load.js';
import { configSchema, type AppConfig } from '../src/config/schema.js';
import { systemClock } from '../src/core/clock.js';
import { DiscordAdapter } from '../src/platforms/discord/index.js';
import { platformAdapters } from '../src/platforms/index.js';
import { FakeDiscord, snowflake, type RecordedRequest } from '../test/fakes/discord/fake-discord.js';
import { startRedis } from '../test/setup/redis-server.js';
import { chatEvent, openBenchApp } from './bench-app.js';
import { nowNs, summarize, timeCalls, type BenchContext, type BenchModule, type BenchRow } from './harness.js';
import { sqliteOf } from '../src/store/db.js';

const TOKEN = 'bench-bot-token';
const IN_FLIGHT = 20;

/** config/default.yaml + `env` (secrets included) + `overrides`, for an app that is started: HTTP on port 0. */
export function benchConfigWithEnv(env: Record<string, string>, overrides: Record<string, unknown>, databasePath: string, redisUrl: string): AppConfig {
  const base = loadConfig({ REDIS_URL: redisUrl, REDIS_PREFIX: `qunbot-bench-${process.pid}`, DATABASE_PATH: databasePath, ...env });
  const config = configSchema.parse(deepMerge(base.config as unknown as Record<string, unknown>, overrides));
  config.log.level = 'silent';
  config.http.port = 0;
  return { config, secrets: base.secrets };
}

/** `/checkin` from `n` distinct members straight through `router.handle` on a fresh, unstarted app: the core-only figure. */
export async function coreCheckinRate(ctx: BenchContext, n: number): Promise<BenchRow> {
  const bench = (await openBenchApp(ctx, { clock: systemClock }));
  try {
    const warmup = Math.min(200, n);
    const r = await timeCalls((i) => bench.app.router.handle(chatEvent('core', `m${i}`, `m${i}`, '/checkin', `core-${i}`)), { warmup, maxCalls: n, budgetMs: 30_000 });
    return { name: 'core: /checkin via router.handle', value: (r.n / r.totalMs) * 1e3, unit: 'ops/s', p50Us: r.p50Us, p99Us: r.p99Us, n: r.n, note: 'same run, fresh app + DB, default config (sync=FULL), one at a time' };
  } finally {
    await bench.close();
  }
}

export const discordBench: BenchModule = {
  name: 'discord',
  description: '/checkin interactions through discord.js and FakeDiscord: dispatch → callback latency, throughput',
  async run(ctx): Promise<BenchRow[]> {
    const n = ctx.quick ? 200 : 1_000;
    const guildId = snowflake();
    const channelId = snowflake();
    const fake = await FakeDiscord.start({ token: TOKEN, guilds: [{ id: guildId, name: 'Bench Guild', ownerId: snowflake(), channels: [{ id: channelId, name: 'general' }] }] });
    const redis = await startRedis();
    let app: App | undefined;
    try {
      const dir = ctx.tempDir('discord');
      const appConfig = benchConfigWithEnv({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, DISCORD_GUILD_IDS: guildId }, { discord: { textCommands: false } }, join(dir, 'qunbot.sqlite'), redis.url);
      app = (await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: systemClock, adapters: platformAdapters(appConfig) }));
      const adapter = app.adapters.find((a): a is DiscordAdapter => a instanceof DiscordAdapter);
      if (!adapter) throw new Error('platformAdapters built no Discord adapter');
      const t0 = performance.now();
      await app.start();
      await fake.waitForReady(15_000);
      await adapter.commandsRegistered;
      const commands = fake.commands(guildId).map((c) => String(c.name));
      if (!commands.includes('checkin')) throw new Error(`checkin is not registered (got ${commands.join(', ')})`);
      ctx.log(`ready and ${commands.length} commands registered in ${(performance.now() - t0).toFixed(0)} ms`);

      // The arrival of each interaction callback, timed when the fake records the request (before it answers).
      // Hooking push avoids waitForCallback, whose matcher rescans every recorded request per waiter per request.
      const waiters = new Map<string, (at: number) => void>();
      const requests = fake.requests as RecordedRequest[];
      const push = requests.push.bind(requests);
      requests.push = (...items: RecordedRequest[]): number => {
        const at = nowNs();
        for (const r of items) {
          const m = /^\/interactions\/(\d+)\/[^/]+\/callback$/.exec(r.path);
          if (r.method === 'POST' && m) waiters.get(m[1] as string)?.(at);
        }
        return push(...items);
      };

      const one = (i: number, tag: string): Promise<number> => {
        const id = snowflake();
        const callback = new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(id);
            reject(new Error(`no callback for interaction ${i} within 10 s`));
          }, 10_000);
          waiters.set(id, (at) => {
            clearTimeout(timer);
            waiters.delete(id);
            resolve(at);
          });
        });
        const start = nowNs();
        fake.interaction({ id, guildId, channelId, user: { id: snowflake(), username: `${tag}${i}` }, name: 'checkin' });
        return callback.then((at) => at - start);
      };
      const drive = async (count: number, tag: string): Promise<{ lat: Float64Array; seconds: number }> => {
        const lat = new Float64Array(count);
        let next = 0;
        const start = nowNs();
        const lane = async (): Promise<void> => {
          while (next < count) {
            const i = next++;
            lat[i] = await one(i, tag);
          }
        };
        await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, lane));
        return { lat, seconds: (nowNs() - start) / 1e9 };
      };

      // Sequential single interactions first (no queueing), then the loaded run.
      await drive(50, 'warm');
      const solo = new Float64Array(ctx.quick ? 50 : 200);
      for (let i = 0; i < solo.length; i++) solo[i] = await one(i, 'solo');
      const soloS = summarize(solo);
      ctx.log(`one at a time: p50 ${soloS.p50Us.toFixed(0)} µs, p99 ${soloS.p99Us.toFixed(0)} µs`);
      const before = fake.requests.length;
      const loaded = await drive(n, 'member');
      const s = summarize(loaded.lat);
      const rate = n / loaded.seconds;
      ctx.log(`${n} interactions, ${IN_FLIGHT} in flight: ${rate.toFixed(0)}/s, p50 ${s.p50Us.toFixed(0)} µs, p99 ${s.p99Us.toFixed(0)} µs`);

      // Every loaded callback answered 2xx with a check-in reply.
      const callbacks = fake.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/callback'));
      const bad = callbacks.filter((r) => r.status < 200 || r.status >= 300);
      const texts = callbacks.map((r) => JSON.stringify((r.body as { data?: unknown } | undefined)?.data ?? ''));
      const ok = texts.filter((t) => /checked in|签到成功/.test(t)).length;
      const others = fake.requests.slice(before).length - callbacks.length;
      if (callbacks.length !== n || bad.length || ok !== n) throw new Error(`callbacks ${callbacks.length}/${n}, non-2xx ${bad.length}, check-in replies ${ok}; e.g. ${texts.find((t) => !/checked in|签到成功/.test(t)) ?? ''}`);
      const members = sqliteOf(app.store).prepare("SELECT COUNT(*) AS n FROM checkins").pluck().get() as number;

      await app.stop();
      app = undefined;
      const core = await coreCheckinRate(ctx, n);
      ctx.log(`core-only: ${core.value.toFixed(0)} ops/s`);
      return [
        {
          name: `/checkin interaction → callback, ${IN_FLIGHT} in flight`,
          value: rate,
          unit: 'interactions/s',
          p50Us: s.p50Us,
          p99Us: s.p99Us,
          n,
          note: `distinct members; all ${n} callbacks 2xx with a check-in reply; ${others} other REST calls; ${members} check-in rows; core-only router.handle same run: ${Math.round(core.value).toLocaleString('en-US')} ops/s (p50 ${core.p50Us?.toFixed(0)} µs)`,
          data: { ...s, seconds: loaded.seconds, otherRestCalls: others },
        },
        { name: '/checkin interaction → callback, one at a time', value: soloS.p50Us / 1e3, unit: 'ms p50', p50Us: soloS.p50Us, p99Us: soloS.p99Us, n: solo.length, note: 'sequential: the unloaded round trip (fake dispatch → gateway → discord.js → router → REST callback)' },
        core,
      ];
    } finally {
      await app?.stop();
      await fake.close();
      await redis.stop();
    }
  },
};
