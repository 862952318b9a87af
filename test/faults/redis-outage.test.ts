/**
 * Fault: the bot's private redis-server SIGKILLed mid-load and started again
 * on the same port, empty (no persistence: every queued job is gone). While
 * it is away, commands keep answering and record their rows; when it is
 * back, the reconciler re-arms the one-off posts and hands the undelivered
 * outbox rows to the queue. Nothing is lost, nothing is posted twice.
 */
import { describe, expect, it } from 'vitest';
import { startRedis } from '../setup/redis-server.js';
import { testPrefix } from '../helpers/app.js';
import { sleep } from '../helpers/wait.js';
import { deliver, deliverUntilAnswered, fastConfig, feedCount, invariantViolations, pick, unposted, waitForPosts, summary, tracker, withDb } from './support.js';

const t = tracker();

describe('Redis killed and restarted mid-load', () => {
  it(
    'answers commands during the outage; one-off posts and outbox deliveries resume after it, once each',
    async () => {
      let redis = t.redis(await startRedis());
      const dir = t.dir();
      const bot = await t.bot({ REDIS_URL: redis.url, REDIS_PREFIX: testPrefix(), CONFIG_FILE: fastConfig(dir) }, dir);
      const url = (): string => bot.url;
      const markers: string[] = [];
      let requests = 0;
      let checkins = 0;
      let slowest = 0;
      const outages = pick(1, 4);
      const outageMs = pick(4000, 15_000);

      for (let o = 1; o <= outages; o++) {
        // Armed in Redis before it dies, due while it is away.
        const before = `[before ${o}]`;
        expect((await deliverUntilAnswered(url, 'admin', `/schedule once +2s ${before}`, `before-${o}`)).text).toContain('已安排');
        markers.push(before);
        redis.kill();
        await sleep(200);

        // Interactive commands keep answering while Redis is away: each member's first check-in of the day succeeds.
        const until = Date.now() + outageMs;
        let n = 0;
        while (Date.now() < until && n < 400) {
          n++;
          const batch = Array.from({ length: 4 }, (_, i) => `o${o}-m${n}-${i}`);
          const started = Date.now();
          const answers = await Promise.all(batch.map((user) => deliver(url(), user, '/checkin', `ci-${user}`, 10_000)));
          slowest = Math.max(slowest, Date.now() - started);
          requests += batch.length;
          checkins += batch.length;
          for (const a of answers) {
            expect(a.status).toBe(200);
            expect(a.text).toContain('签到成功');
          }
          if (n % 5 === 1) {
            // Posts made while Redis is away: an announcement (outbox) and a one-off timer.
            const ann = `[announce ${o}.${n}]`;
            const once = `[during ${o}.${n}]`;
            expect((await deliver(url(), 'admin', `/announce ${ann}`, `ann-${o}-${n}`)).text).toMatch(/#\d+/);
            expect((await deliver(url(), 'admin', `/schedule once +1s ${once}`, `during-${o}-${n}`)).text).toContain('已安排');
            markers.push(ann, once);
            requests += 2;
          }
          await sleep(50);
        }
        // Nothing went out while Redis was away (the posts wait in SQLite).
        const madeDuring = markers.filter((m) => m.startsWith(`[announce ${o}.`) || m.startsWith(`[during ${o}.`));
        expect(madeDuring.length).toBeGreaterThan(0);
        await withDb(dir, async (db) => expect(await unposted(db, madeDuring)).toEqual(madeDuring));

        redis = t.redis(await startRedis({ port: redis.port }));
        await waitForPosts(dir, markers, 60_000, () => bot.output());
      }

      await sleep(1500);
      await bot.stop('SIGTERM');
      await withDb(dir, async (db) => {
        expect(await invariantViolations(db)).toEqual([]);
        // Every check-in answered during the outages is committed, once.
        expect(await db.prepare("SELECT COUNT(*) AS n FROM points_ledger WHERE reason = 'checkin'").get()).toEqual({ n: checkins });
        for (const m of markers) expect(await feedCount(db, m), m).toBe(1);
        expect(await db.prepare("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status").all()).toEqual([{ status: 'sent', n: markers.length }]);
        expect(await db.prepare("SELECT COUNT(*) AS n FROM scheduled_posts WHERE kind = 'once' AND status <> 'done'").get()).toEqual({ n: 0 });
      });
      // One line when Redis went away and one when it came back, per outage (no flood).
      const lines = bot.output().split('\n');
      expect(lines.filter((l) => l.includes('redis unreachable')).length).toBeLessThanOrEqual(outages * 2);
      summary('redis-outage', { outages, requests, posts: markers.length, slowestBatchMs: slowest });
    },
    pick(120_000, 600_000),
  );
});
