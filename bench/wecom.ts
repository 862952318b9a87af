/**
 * WeCom bot callbacks under load: signed, encrypted `签到` group messages POSTed
 * to `/wecom/bot` of the real app (HTTP on loopback, real SQLite and a private
 * Redis), driven by autocannon (in this process) (a) at a fixed 500 req/s and
 * (b) as fast as it goes. Every request is prebuilt with test/fakes/wecom/client.ts
 * (the same @wecom/crypto signing WeCom uses) with its own msgid and userid, so
 * none is a dedupe hit. Beside them, the core-only check-in figure
 * (`router.handle` directly, fresh app and DB) from the same run.
 */
import autocannon from 'autocannon';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, type App } from '../src/app.js';
import { systemClock } from '../src/core/clock.js';
import { platformAdapters } from '../src/platforms/index.js';
import { buildBotCallback, openBotReply } from '../test/fakes/wecom/client.js';
import { startRedis } from '../test/setup/redis-server.js';
import { benchConfigWithEnv, coreCheckinRate } from './discord.js';
import { nowNs, type BenchModule, type BenchRow } from './harness.js';
import { sqliteOf } from '../src/store/db.js';

const BOT = { token: 'benchBotToken', key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const GROUP = 'wrBenchGroup';
const CONNECTIONS = 20;
const RATE = 500;

interface Prebuilt {
  path: string;
  body: string;
}

function prebuild(count: number, tag: string): Prebuilt[] {
  const list: Prebuilt[] = new Array<Prebuilt>(count);
  for (let i = 0; i < count; i++) {
    const payload = { msgid: `bench-${process.pid}-${tag}-${i}`, aibotid: 'AIBOT', chatid: GROUP, chattype: 'group', from: { userid: `${tag}${i}` }, msgtype: 'text', text: { content: '@qunbot 签到' } };
    const req = buildBotCallback({ token: BOT.token, key: BOT.key, payload });
    list[i] = { path: `/wecom/bot?${req.search}`, body: JSON.stringify(req.body) };
  }
  return list;
}

function checkinText(body: string): string {
  const reply = openBotReply({ token: BOT.token, key: BOT.key, reply: body }) as { stream?: { content?: string } };
  return reply.stream?.content ?? '';
}

export const wecomBench: BenchModule = {
  name: 'wecom',
  description: 'signed, encrypted 签到 callbacks to /wecom/bot under autocannon: fixed 500 req/s and max',
  async run(ctx): Promise<BenchRow[]> {
    const seconds = ctx.quick ? 3 : 10;
    const redis = await startRedis();
    let app: App | undefined;
    try {
      const dir = ctx.tempDir('wecom');
      const appConfig = benchConfigWithEnv({ WECOM_BOT_TOKEN: BOT.token, WECOM_BOT_AES_KEY: BOT.key }, {}, join(dir, 'qunbot.sqlite'), redis.url);
      app = (await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: systemClock, adapters: platformAdapters(appConfig) }));
      const { url } = await app.start();
      if (!app.adapters.some((a) => a.name === 'wecom')) throw new Error('platformAdapters built no WeCom adapter');

      // A few by hand first: each reply decrypts and says 签到成功.
      for (const r of prebuild(3, 'probe')) {
        const res = await fetch(`${url}${r.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: r.body });
        const text = checkinText(await res.text());
        if (res.status !== 200 || !text.includes('签到成功')) throw new Error(`probe: ${res.status} ${text}`);
      }

      const phase = async (label: string, count: number, rate: number | undefined): Promise<BenchRow> => {
        const t0 = nowNs();
        const list = prebuild(count, label);
        ctx.log(`${label}: ${count} requests prebuilt in ${((nowNs() - t0) / 1e6).toFixed(0)} ms`);
        let next = 0;
        let exhausted = 0;
        let emptyBodies = 0;
        const samples: string[] = [];
        const result = await autocannon({
          url,
          connections: CONNECTIONS,
          duration: seconds,
          ...(rate ? { overallRate: rate } : {}),
          requests: [
            {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              setupRequest: (req) => {
                const r = list[next++];
                if (!r) {
                  exhausted++;
                  return { ...req, ...(list[list.length - 1] as Prebuilt) };
                }
                return { ...req, path: r.path, body: r.body };
              },
              onResponse: (_status, body) => {
                if (body === '') emptyBodies++;
                else if (samples.length < 5) samples.push(body);
              },
            },
          ],
        });
        const texts = samples.map(checkinText);
        const bad = texts.filter((t) => !t.includes('签到成功'));
        if (bad.length) throw new Error(`${label}: a reply is not a check-in: ${bad[0]}`);
        const done = result['2xx'] + result.non2xx;
        const rps = done / result.duration;
        ctx.log(
          `${label}: ${rps.toFixed(0)} req/s (sent ${result.requests.sent}), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}, empty bodies ${emptyBodies}${exhausted ? `, ran out of prebuilt requests ${exhausted}×` : ''}`,
        );
        if (exhausted) throw new Error(`${label}: ran out of prebuilt requests (${exhausted} dedupe hits); raise the count`);
        return {
          name: rate ? `/wecom/bot 签到, fixed ${rate} req/s` : '/wecom/bot 签到, max rate',
          value: rps,
          unit: 'req/s',
          p50Us: result.latency.p50 * 1e3,
          p99Us: result.latency.p99 * 1e3,
          n: done,
          note: `${CONNECTIONS} connections, ${result.duration.toFixed(1)} s; non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}, empty replies ${emptyBodies}; ${samples.length} sampled replies decrypt to 签到成功`,
          data: { latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average }, sent: result.requests.sent, '2xx': result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, emptyBodies },
        };
      };

      const fixed = await phase('fixed', Math.ceil(RATE * seconds * 1.2) + CONNECTIONS * 2, RATE);
      const max = await phase('max', ctx.quick ? 10_000 : 30_000, undefined);
      const rows = sqliteOf(app.store).prepare('SELECT COUNT(*) FROM checkins').pluck().get() as number;
      await app.stop();
      app = undefined;

      const core = await coreCheckinRate(ctx, ctx.quick ? 500 : 2_000);
      ctx.log(`core-only: ${core.value.toFixed(0)} ops/s; ${rows} check-in rows written through /wecom/bot`);
      const coreNote = `core-only router.handle same run: ${Math.round(core.value).toLocaleString('en-US')} ops/s`;
      fixed.note = `${fixed.note}; ${coreNote}`;
      // Holding the offered rate: within 5 % of it (autocannon paces per second).
      fixed.target = { op: '>=', value: RATE * 0.95 };
      max.note = `${max.note}; ${coreNote}; autocannon shares the process (and the 2 cores) with the app`;
      max.baseline = { name: 'core-only router.handle, one at a time', value: core.value };
      return [fixed, max, core];
    } finally {
      await app?.stop();
      await redis.stop();
    }
  },
};
