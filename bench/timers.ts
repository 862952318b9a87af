/**
 * Timers: how late scheduled posts fire (time the sender is called minus the
 * due time) for 200 one-off posts due 1–5 s ahead, against a bare BullMQ
 * delayed job on the same private Redis (the baseline, same run); and
 * outbox throughput to the playground target at concurrency 50.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { systemClock } from '../src/core/clock.js';
import type { Sender } from '../src/core/sender.js';
import { startRedis } from '../test/setup/redis-server.js';
import { benchConfig } from './bench-app.js';
import { percentile, type BenchModule, type BenchRow } from './harness.js';

const HZ = 100;

async function baselineLateness(redisUrl: string, n: number): Promise<number[]> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bench-baseline-${process.pid}`;
  const queue = new Queue('delay', { connection, prefix });
  const lateness: number[] = [];
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker(
    'delay',
    async (job) => {
      lateness.push(Date.now() - (job.data as { dueAt: number }).dueAt);
      if (lateness.length === n) finish();
    },
    { connection: workerConnection, prefix, concurrency: 50 },
  );
  const base = Date.now();
  await queue.addBulk(Array.from({ length: n }, (_, i) => {
    const dueAt = base + 1000 + Math.floor((4000 * i) / n);
    return { name: 'post', data: { dueAt }, opts: { delay: dueAt - Date.now(), jobId: `b-${i}` } };
  }));
  await done;
  await worker.close();
  workerConnection.disconnect();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return lateness;
}

export const timersBench: BenchModule = {
  name: 'timers',
  description: 'scheduled-post lateness vs bare BullMQ delayed jobs; outbox throughput',
  async run(ctx): Promise<BenchRow[]> {
    const n = ctx.quick ? 50 : 200;
    const redis = await startRedis({ hz: HZ });
    try {
      ctx.log(`private redis-server on port ${redis.port}, hz ${HZ}`);
      const baseline = await baselineLateness(redis.url, n);

      const sentAt = new Map<string, number>();
      const recorder: Sender = { platform: 'playground', async send(_community, reply) { sentAt.set(reply.text, Date.now()); } };
      const dir = ctx.tempDir('timers');
      const appConfig = benchConfig({ posts: { promoMaxShare: null, dailyCap: null } }, join(dir, 'qunbot.sqlite'));
      appConfig.config.redis.url = redis.url;
      appConfig.config.http.port = 0;
      const app = (await createApp({ appConfig, logger: pino({ level: 'silent' }), clock: systemClock, senders: [recorder] }));
      await app.start();
      try {
        const due = new Map<string, number>();
        // Creating 200 posts through the router takes a while on a loaded machine; start the
        // 1–5 s window after a lead-in so that no post is created after it is due.
        const base = Date.now() + 3000;
        let tightest = Infinity;
        for (let i = 0; i < n; i++) {
          const dueAt = base + 1000 + Math.floor((4000 * i) / n);
          const text = `post ${i}`;
          due.set(text, dueAt);
          const event = { type: 'message' as const, deliveryId: `bench-${i}`, community: { platform: 'playground' as const, externalId: 'bench' }, actor: { platformUserId: 'admin', displayName: 'admin', isAdmin: true }, text: `/schedule once ${new Date(dueAt).toISOString()} ${text}`, addressed: true };
          await app.router.handle(event);
          tightest = Math.min(tightest, dueAt - Date.now());
        }
        ctx.log(`posts created; the tightest was due ${tightest} ms after its creation`);
        const deadline = Date.now() + 15_000;
        while (sentAt.size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (sentAt.size < n) throw new Error(`only ${sentAt.size} of ${n} posts fired`);
        const core = [...due].map(([text, dueAt]) => (sentAt.get(text) as number) - dueAt);

        // Outbox throughput: deliveries written in one transaction, then handed to the queue.
        const m = ctx.quick ? 500 : 3000;
        sentAt.clear();
        const community = (await app.identity.community({ platform: 'playground', externalId: 'bench' }, new Date()));
        const ids: number[] = [];
        await app.store.unit(async () => {
          for (let i = 0; i < m; i++) ids.push((await app.outbox.post(community.id, { text: `bulk ${i}` }, { key: `bulk-${i}`, source: 'bench', at: new Date(), afterCommit: () => undefined })));
        });
        const t0 = Date.now();
        await Promise.all(ids.map((id) => app.jobs.deliver(id)));
        const deadline2 = Date.now() + 60_000;
        while (sentAt.size < m && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
        const seconds = (Date.now() - t0) / 1000;

        const row = (name: string, values: number[], note: string): BenchRow => ({
          name,
          value: percentile(values, 99),
          unit: 'ms p99',
          p50Us: percentile(values, 50) * 1000,
          p99Us: percentile(values, 99) * 1000,
          n: values.length,
          note,
          data: { p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), maxMs: Math.max(...values) },
        });
        const coreP99 = percentile(core, 99);
        const baseP99 = percentile(baseline, 99);
        return [
          row('baseline: bare BullMQ delayed job', baseline, `Redis hz ${HZ}; concurrency 50`),
          {
            ...row('core: /schedule once → timer → outbox → sender', core, `target p99 ≤ baseline p99 + 10 ms: ${coreP99 <= baseP99 + 10 ? 'met' : 'MISSED'} (${coreP99} vs ${baseP99} + 10); created ≥ ${tightest} ms before due`),
            baseline: { name: 'bare BullMQ delayed job', value: baseP99 },
            target: { op: '<=', value: baseP99 + 10 },
          },
          { name: 'outbox → playground target, concurrency 50', value: sentAt.size / seconds, unit: 'deliveries/s', n: sentAt.size, note: `${sentAt.size}/${m} delivered in ${seconds.toFixed(2)} s (SQLite synchronous=${appConfig.config.database.synchronous})` },
        ];
      } finally {
        await app.stop();
      }
    } finally {
      await redis.stop();
    }
  },
};
