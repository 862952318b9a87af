import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SendError, type Sender } from '../../src/core/sender.js';
import { makeTestApp, testPrefix, testRedisUrl, type TestApp, type TestAppOptions } from '../helpers/app.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { testPgUrl } from '../helpers/pg.js';
import { startRedis, type RedisProcess } from '../setup/redis-server.js';

const fast = { jobs: { lockDurationMs: 2000, stalledIntervalMs: 2000, reconcileIntervalMs: 60_000, outbox: { attempts: 4, backoffMs: 100 } }, posts: { minIntervalSeconds: 1, dailyCap: null } };
// These tests are about timing and delivery; the daily cap has its own tests (calendar.test.ts).
const apps: TestApp[] = [];
const redises: RedisProcess[] = [];

async function started(options: TestAppOptions = {}): Promise<TestApp> {
  const t = (await makeTestApp({ ...options, config: { ...fast, ...options.config } }));
  apps.push(t);
  await t.app.start();
  return t;
}
const feed = async (t: TestApp, community = 'demo') => (await t.app.playground?.feed.list(community)) ?? [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
  await Promise.all(redises.splice(0).map((r) => r.stop()));
});

describe('announcements and scheduled posts on real Redis', () => {
  it('/announce posts to the feed through the outbox', async () => {
    const t = await started();
    expect(await t.chat.say('admin', '/announce 今晚 8 点直播，@all 记得来')).toContain('公告已提交发送');
    const posts = await waitFor(async () => ((await feed(t)).length ? (await feed(t)) : undefined), 5000, 'the announcement');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.reply).toMatchObject({ text: '今晚 8 点直播，@all 记得来', mentionEveryone: true });
  });

  it('a one-off post fires once at its time', async () => {
    const t = await started();
    const reply = await t.chat.say('admin', '/schedule once +2s 一次性提醒');
    expect(reply).toMatch(/已安排 #1/);
    const before = Date.now();
    expect(await t.chat.say('admin', '/schedule list')).toContain('一次性');
    const [post] = await waitFor(async () => ((await feed(t)).length ? (await feed(t)) : undefined), 8000, 'the one-off post');
    expect(Date.now() - before).toBeGreaterThanOrEqual(1500);
    expect(post?.reply.text).toBe('一次性提醒');
    await sleep(500);
    expect((await feed(t))).toHaveLength(1);
    expect(await t.chat.say('admin', '/schedule list')).toContain('还没有定时发布');
  });

  it('a recurring post fires on its cadence, and two processes sharing Redis post each tick once', async () => {
    const a = await started();
    const prefix = a.app.appConfig.config.redis.prefix;
    const b = await started({ databasePath: a.app.appConfig.config.database.path, env: { REDIS_PREFIX: prefix } });
    expect(await a.chat.say('admin', '/schedule add "*/2 * * * * *" tick')).toContain('已添加周期发布 #1');
    await waitFor(async () => (await feed(a)).length >= 3, 10_000, 'three ticks');
    const times = (await feed(a)).map((p) => new Date(p.at).getTime());
    // Ticks are about 2 s apart, never doubled.
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(1000);
    const runs = (await a.app.store.sql.prepare('SELECT COUNT(*) AS n FROM post_runs').get()) as { n: number };
    const deliveries = (await a.app.store.sql.prepare('SELECT COUNT(*) AS n FROM deliveries').get()) as { n: number };
    expect(deliveries.n).toBe(runs.n);
    void b;
  });

  it('recurring schedules are evaluated in the community timezone', async () => {
    const t = await started();
    expect(await t.chat.say('admin', '/schedule add "0 20 * * 3" 每周三晚上 8 点答题')).toContain('Asia/Shanghai');
    const queue = new Queue('schedules', { connection: { url: testRedisUrl() }, prefix: t.app.jobs.prefix });
    try {
      const [scheduler] = await waitFor(async () => {
        const list = await queue.getJobSchedulers(0, -1);
        return list.length ? list : undefined;
      });
      expect(scheduler).toMatchObject({ key: 'schedule-1', pattern: '0 20 * * 3', tz: 'Asia/Shanghai' });
      const next = new Date(scheduler?.next ?? 0);
      expect(next.getUTCDay()).toBe(3);
      expect(next.getUTCHours()).toBe(12); // 20:00 in UTC+8
    } finally {
      await queue.close();
    }
  });

  it('pause, resume and remove', async () => {
    const t = await started();
    await t.chat.say('admin', '/schedule add "* * * * * *" every second');
    await waitFor(async () => (await feed(t)).length >= 1, 5000);
    expect(await t.chat.say('admin', '/schedule pause 1')).toContain('已暂停 #1');
    await sleep(1200);
    const paused = (await feed(t)).length;
    await sleep(1500);
    expect((await feed(t)).length).toBe(paused);
    expect(await t.chat.say('admin', '/schedule list')).toContain('已暂停');
    expect(await t.chat.say('admin', '/schedule pause 1')).toContain('#1 不在运行中');
    expect(await t.chat.say('admin', '/schedule resume 1')).toContain('已恢复 #1');
    await waitFor(async () => (await feed(t)).length > paused, 5000, 'a post after resume');
    expect(await t.chat.say('admin', '/schedule remove 1')).toContain('已删除 #1');
    await sleep(1200);
    const removed = (await feed(t)).length;
    await sleep(1500);
    expect((await feed(t)).length).toBe(removed);
    expect(await t.chat.say('admin', '/schedule remove 1')).toContain('没有编号为 #1');
  });

  it('a job that runs twice posts once', async () => {
    const t = (await makeTestApp({ config: fast }));
    apps.push(t);
    await t.chat.say('admin', '/schedule once +1h later');
    await t.chat.say('admin', '/schedule add "0 20 * * *" nightly');
    await Promise.all([t.app.jobs.run('post', 1), t.app.jobs.run('post', 1)]);
    await t.app.jobs.run('schedule-post', 2, { runKey: 'repeat-x-1' });
    await t.app.jobs.run('schedule-post', 2, { runKey: 'repeat-x-1' });
    await t.app.jobs.run('schedule-post', 2, { runKey: 'repeat-x-2' });
    const rows = t.app.store.sql.prepare('SELECT source FROM deliveries ORDER BY id').all();
    expect(await rows).toEqual([{ source: 'post:1' }, { source: 'post:2' }, { source: 'post:2' }]);
  });

  it('bad input is refused with a clear message and changes nothing', async () => {
    const t = await started();
    expect(await t.chat.say('admin', '/schedule once 2020-01-01T10:00 old news')).toContain('这个时间已经过去了');
    expect(await t.chat.say('admin', '/schedule once soonish text')).toContain('看不懂时间「soonish」');
    expect(await t.chat.say('admin', '/schedule once 明天 go')).toContain('缺少具体时间');
    expect(await t.chat.say('admin', '/schedule add "0 25 * * *" bad')).toContain('小时「25」');
    expect(await t.chat.say('admin', '/schedule add "1 2 3" bad')).toContain('cron 表达式不对');
    expect(await t.chat.say('admin', '/schedule pause 99')).toContain('没有编号为 #99');
    expect(await t.chat.say('alice', '/schedule once +1m hi')).toContain('只有管理员可以使用 /schedule once');
    expect(await t.chat.say('alice', '/announce hi')).toContain('只有管理员');
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM scheduled_posts').get())).toEqual({ n: 0 });
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM deliveries').get())).toEqual({ n: 0 });
  });

  it('too-frequent crons and promo posts over the weekly cap are refused', async () => {
    const t = await started({ config: { posts: { minIntervalSeconds: 60, promoMaxShare: 0.3, dailyCap: null } } });
    expect(await t.chat.say('admin', '/schedule add "* * * * * *" spam')).toContain('太频繁');
    for (let i = 0; i < 3; i++) expect(await t.chat.say('admin', `/schedule once +${i + 1}h news ${i}`)).toContain('已安排');
    expect(await t.chat.say('admin', '/schedule once +5h 新品上架 #promo')).toContain('已安排');
    expect(await t.chat.say('admin', '/schedule once +6h 限时折扣 #promo')).toContain('超过上限 30%');
  });
});

describe('the outbox', () => {
  it('retries with backoff against a target that fails twice, then succeeds', async () => {
    let calls = 0;
    const attemptsAt: number[] = [];
    const flaky: Sender = {
      platform: 'playground',
      async send() {
        attemptsAt.push(Date.now());
        if (++calls <= 2) throw new SendError('HTTP 502 from the platform', true);
      },
    };
    // Waits of 400 then 800 ms: far enough apart that a busy machine's timer lateness cannot invert them.
    const t = await started({ senders: [flaky], config: { jobs: { ...fast.jobs, outbox: { attempts: 4, backoffMs: 400 } } } });
    await t.chat.say('admin', '/announce hello');
    await waitFor(() => calls >= 3, 8000, 'three attempts');
    const row = await waitFor(async () => {
      const r = (await t.app.store.sql.prepare('SELECT status, attempts FROM deliveries').get()) as { status: string; attempts: number };
      return r.status === 'sent' ? r : undefined;
    });
    expect(row.attempts).toBe(3);
    // Exponential: the second wait is longer than the first.
    expect((attemptsAt[2] as number) - (attemptsAt[1] as number)).toBeGreaterThan((attemptsAt[1] as number) - (attemptsAt[0] as number));
  });

  it('marks a delivery failed with the error after the last attempt, visible in /schedule list', async () => {
    const broken: Sender = { platform: 'playground', send: async () => Promise.reject(new SendError('webhook removed (93000)', false)) };
    const t = await started({ senders: [broken] });
    await t.chat.say('admin', '/schedule add "* * * * * *" doomed');
    await waitFor(() => t.app.store.sql.prepare("SELECT last_error FROM deliveries WHERE status = 'failed'").get(), 5000, 'a failed delivery');
    expect(await t.chat.say('admin', '/schedule list')).toContain('上次发送失败：webhook removed (93000)');
  });

  it('a direct message goes privately; where DMs are refused for good, the fallback is posted in the community', async () => {
    const sent: string[] = [];
    const dms: Sender = {
      platform: 'playground',
      send: async (_c, reply) => void sent.push(`group: ${reply.text}`),
      sendDirect: async (_c, userId, reply) => {
        if (userId === 'closed') throw new SendError('Cannot send messages to this user (50007)', false);
        sent.push(`dm ${userId}: ${reply.text}`);
      },
    };
    const t = await started({ senders: [dms] });
    const community = (await t.app.identity.community({ platform: 'playground', externalId: 'demo' }, new Date()));
    const post = (recipient: string) =>
      t.app.store.unit(() =>
        t.app.outbox.post(community.id, { text: `hi ${recipient}` }, { key: `dm-${recipient}`, source: 'test', at: new Date(), afterCommit: (fn) => void fn(), direct: { recipient, fallback: { text: `<@${recipient}> hi` } } }),
      );
    await post('open');
    await post('closed');
    await waitFor(() => sent.length === 2, 5000, 'both deliveries');
    expect(sent.sort()).toEqual(['dm open: hi open', 'group: <@closed> hi']);
  });

  it('a per-target rate limit makes the 21st post wait, never drop', async () => {
    const windowMs = 3000;
    const t = await started({ config: { playground: { rateLimit: { limit: 20, windowMs } } } });
    for (let i = 0; i < 21; i++) await t.chat.say('admin', `/announce post ${i}`);
    await waitFor(async () => (await feed(t)).length === 21, 20_000, 'all 21 posts');
    const posts = await feed(t);
    expect(new Set(posts.map((p) => p.reply.text)).size).toBe(21);
    // Each post is stamped when the sender writes it: no 21 of them within one window, however
    // long the 21 commands took to arrive (the 21st waits until the first leaves the window).
    const at = posts.map((p) => Date.parse(p.at)).sort((a, b) => a - b);
    expect((at[20] as number) - (at[0] as number)).toBeGreaterThanOrEqual(windowMs - 50);
  });

  it("one unit's posts reach the queue together: 600 hand-offs in two bulk adds, not 600 round trips, and every one is delivered", async () => {
    const t = await started({ config: { playground: { rateLimit: { limit: 10_000, windowMs: 1000 } } } });
    const community = await t.app.identity.community({ platform: 'playground', externalId: 'bulk' }, new Date());
    const add = vi.spyOn(Queue.prototype, 'add');
    const addBulk = vi.spyOn(Queue.prototype, 'addBulk');
    try {
      const committed = await t.app.store.unit(async (unit) => {
        for (let i = 0; i < 600; i++) await t.app.outbox.post(community.id, { text: `notice ${i}` }, { key: `bulk-${i}`, source: 'test', at: new Date(), afterCommit: (fn) => unit.afterCommit(fn) });
      });
      await committed.runAfterCommit((err) => {
        throw err;
      });
      const bulkFeed = async () => (await t.app.playground?.feed.list('bulk', 0, 1000)) ?? [];
      await waitFor(async () => (await bulkFeed()).length === 600, 60_000, 'all 600 posts');
      const outboxAdds = add.mock.calls.filter(([name]) => name === 'deliver');
      const bulkSizes = addBulk.mock.calls.map(([jobs]) => jobs.length);
      expect(outboxAdds).toHaveLength(0);
      expect(bulkSizes).toEqual([500, 100]);
      expect(new Set((await bulkFeed()).map((p) => p.reply.text)).size).toBe(600);
    } finally {
      add.mockRestore();
      addBulk.mockRestore();
    }
  }, 90_000);
});

describe('a delivery sent again after a crash', () => {
  it('lands once in the playground feed: the feed recognises the delivery id (a send whose "sent" mark was lost)', async () => {
    const t = await started();
    await t.chat.say('alice', '/checkin');
    const community = (await t.app.identity.communityById(1));
    const sender = t.app.senders.get('playground');
    if (!community || !sender) throw new Error('no playground community or sender');
    await sender.send(community, { text: 'once only' }, { id: 4242 });
    await sender.send(community, { text: 'once only' }, { id: 4242 });
    await sender.send(community, { text: 'not from the outbox' });
    await sender.send(community, { text: 'not from the outbox' });
    expect((await feed(t)).map((p) => p.reply.text)).toEqual(['once only', 'not from the outbox', 'not from the outbox']);
  });
});

describe('a deployment owns its queues', () => {
  it('the Redis prefix carries an instance id kept in the database: same database, same queues; another database, others', async () => {
    const a = await started();
    const prefix = a.app.appConfig.config.redis.prefix;
    expect(a.app.jobs.prefix).toMatch(new RegExp(`^${prefix}:[0-9a-f]{12}$`));
    const same = await started({ databasePath: a.app.appConfig.config.database.path, env: { REDIS_PREFIX: prefix } });
    const other = await started({ env: { REDIS_PREFIX: prefix } });
    expect(same.app.jobs.prefix).toBe(a.app.jobs.prefix);
    expect(other.app.jobs.prefix).not.toBe(a.app.jobs.prefix);
  });

  it('a timer for a row this database does not have is a warning in the log, not a silent no-op', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const t = await started({ logger });
    await t.app.jobs.at('post-999', new Date(), { kind: 'post', id: 999 });
    const line = await waitFor(() => lines.find((l) => l.includes('a timer fired for something this database does not have')), 5000, 'the warning');
    expect(JSON.parse(line)).toMatchObject({ level: 40, kind: 'post', id: 999 });
    expect((await feed(t))).toHaveLength(0);
  });
});

describe('failures', () => {
  it('a worker killed mid-send leads to exactly one post after recovery', async () => {
    const t = (await makeTestApp({ config: fast, role: 'gateway' }));
    apps.push(t);
    await t.app.start();
    const path = t.app.appConfig.config.database.path;
    const prefix = t.app.appConfig.config.redis.prefix;
    const spawnWorker = (hang: boolean) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/outbox-worker.ts'), path, prefix, hang ? '1' : '0'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, REDIS_TEST_URL: testRedisUrl(), PG_TEST_DB_URL: testPgUrl() },
      });
      const lines = createInterface({ input: child.stdout });
      const seen: string[] = [];
      lines.on('line', (l) => seen.push(l));
      return { child, seen };
    };
    const first = spawnWorker(true);
    await waitFor(() => first.seen.includes('ready'), 20_000, 'first worker');
    await t.chat.say('admin', '/announce survive the crash');
    await waitFor(() => first.seen.includes('sending'), 10_000, 'the send to start');
    first.child.kill('SIGKILL');
    const second = spawnWorker(false);
    try {
      // The second worker starts through tsx and finds the job stalled after its lock expires: slow on a loaded machine.
      await waitFor(async () => (await feed(t)).length === 1, 45_000, 'the recovered post');
      await sleep(1500);
      expect((await feed(t))).toHaveLength(1);
    } finally {
      second.child.kill('SIGTERM');
    }
  }, 90_000);

  it('with Redis down, commands still work and schedules are kept; when it returns, overdue posts fire once', async () => {
    const redis = await startRedis();
    redises.push(redis);
    const t = await started({ env: { REDIS_URL: redis.url }, config: { jobs: { ...fast.jobs, reconcileIntervalMs: 1000 } } });
    expect(await t.chat.say('admin', '/schedule once +2s while up')).toContain('已安排 #1');
    redis.kill();
    await waitFor(async () => {
      const res = await t.app.http.inject({ method: 'GET', url: '/healthz' });
      return (res.json() as { redis: string }).redis === 'down';
    }, 5000, 'health to report redis down');
    const health = await t.app.http.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200); // redis.required is false by default
    expect(health.json()).toMatchObject({ status: 'degraded', redis: 'down' });
    expect(await t.chat.say('alice', '/checkin')).toContain('签到成功');
    expect(await t.chat.say('admin', '/schedule once +1s while down')).toContain('恢复后会自动补上');
    await sleep(3000); // both are overdue now, and Redis lost everything
    const restarted = await startRedis({ port: redis.port });
    redises.push(restarted);
    await waitFor(async () => (await feed(t)).length === 2, 15_000, 'both overdue posts');
    await sleep(1500);
    expect((await feed(t)).map((p) => p.reply.text).sort()).toEqual(['while down', 'while up']);
  }, 60_000);
});

void testPrefix;
