import { describe, expect, it } from 'vitest';
import { createOutboxRepo } from '../../src/core/outbox/repo.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

const app = testApps({ jobs: { outbox: { attempts: 2, backoffMs: 50 } } });

type Labels = Record<string, string>;

/** The value of one series in a Prometheus text scrape (labels compared as a set); undefined when absent. */
function value(scrape: string, name: string, labels: Labels = {}): number | undefined {
  for (const line of scrape.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found: Labels = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[k as string] = v as string;
    if (JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort())) return Number(m[3]);
  }
  return undefined;
}

async function scrape(t: TestApp, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') {
  return t.app.http.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
}

async function metricsText(t: TestApp): Promise<string> {
  const res = await scrape(t);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return res.body;
}

describe('GET /metrics', () => {
  it('counts commands by name and outcome, inbound deliveries and duplicates, outbox sends, job runs and reconciler repairs', async () => {
    const t = (await app({ config: { rateLimit: { commands: { limit: 3, windowMs: 60_000 } } } }));
    const { chat } = t;
    await chat.say('alice', '/checkin', { deliveryId: 'd-1' });
    await chat.say('alice', '/checkin', { deliveryId: 'd-1' }); // a platform retry
    expect(await chat.say('alice', '/grant bob 5 nice')).toContain('只有管理员');
    await chat.say('alice', '/nosuchcommand');
    for (let i = 0; i < 4; i++) await chat.say('bob', '/points');
    await chat.send('bob', '今天天气不错'); // plain chat: an inbound delivery, not a command
    // A post whose enqueue was lost: the reconciler at start hands it to the queue.
    const community = (await t.app.identity.community({ platform: 'playground', externalId: 'demo' }, t.app.clock.now()));
    await t.app.store.unit(() => createOutboxRepo(t.app.store.sql).insert(community.id, 'metrics-test', 'test', { text: 'hello' }, Date.now()));
    await t.app.start();
    await waitFor(async () => ((await t.app.playground?.feed.list('demo'))?.length ?? 0) === 1, 5000, 'the redelivered post');
    // A timer for a row this database does not have: a run with outcome "missing".
    await t.app.jobs.at('lottery-draw-999', t.app.clock.now(), { kind: 'lottery-draw', id: 999 });

    const text = await waitFor(async () => {
      const body = await metricsText(t);
      return value(body, 'qunbot_job_runs_total', { kind: 'lottery-draw', outcome: 'missing' }) === 1 && value(body, 'qunbot_outbox_deliveries_total', { platform: 'playground', result: 'sent' }) === 1 ? body : undefined;
    }, 5000, 'the job run and the delivery in the scrape');

    const commands = (command: string, outcome: string) => value(text, 'qunbot_commands_total', { command, outcome });
    expect(commands('checkin', 'ok')).toBe(1);
    expect(commands('checkin', 'duplicate')).toBe(1);
    expect(commands('grant', 'refused')).toBe(1);
    expect(commands('(unknown)', 'refused')).toBe(1);
    expect(commands('points', 'ok')).toBe(3);
    expect(commands('points', 'rate-limited')).toBe(1);
    expect(commands('checkin', 'refused')).toBeUndefined();
    // Every command timed once; plain chat is not a command.
    expect(value(text, 'qunbot_command_duration_seconds_count')).toBe(8);
    expect(value(text, 'qunbot_command_duration_seconds_bucket', { le: '+Inf' })).toBe(8);
    expect(value(text, 'qunbot_inbound_deliveries_total', { platform: 'playground' })).toBe(9);
    expect(value(text, 'qunbot_inbound_duplicates_total', { platform: 'playground' })).toBe(1);
    expect(value(text, 'qunbot_reconciler_repairs_total', { repair: 'redelivered' })).toBe(1);
    expect(value(text, 'qunbot_reconciler_repairs_total', { repair: 'armed' })).toBe(0);
    expect(value(text, 'qunbot_timer_lateness_seconds_count', { kind: 'lottery-draw' })).toBe(1);
    expect(value(text, 'qunbot_outbox_pending', { platform: 'playground' })).toBeUndefined();
    expect(value(text, 'qunbot_database_up')).toBe(1);
    expect(value(text, 'qunbot_redis_up')).toBe(1);
    // Process metrics, on this app's registry.
    expect(value(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('reads the outbox depth at scrape time, and two apps in one process count separately', async () => {
    // A gateway has no workers: its post stays pending.
    const a = (await app({ role: 'gateway' }));
    const b = (await app());
    await a.chat.say('admin', '/announce hello');
    await a.chat.say('alice', '/points');
    await b.chat.say('alice', '/points');
    await b.chat.say('alice', '/points');
    await b.chat.say('alice', '/points');
    const textA = await metricsText(a);
    const textB = await metricsText(b);
    expect(value(textA, 'qunbot_outbox_pending', { platform: 'playground' })).toBe(1);
    expect(value(textB, 'qunbot_outbox_pending', { platform: 'playground' })).toBeUndefined();
    expect(value(textA, 'qunbot_commands_total', { command: 'points', outcome: 'ok' })).toBe(1);
    expect(value(textB, 'qunbot_commands_total', { command: 'points', outcome: 'ok' })).toBe(3);
    expect(value(textA, 'qunbot_commands_total', { command: 'announce', outcome: 'ok' })).toBe(1);
    expect(value(textB, 'qunbot_commands_total', { command: 'announce', outcome: 'ok' })).toBeUndefined();
    expect(value(textA, 'qunbot_inbound_deliveries_total', { platform: 'playground' })).toBe(2);
    expect(value(textB, 'qunbot_inbound_deliveries_total', { platform: 'playground' })).toBe(3);
    // Both registries carry their own process metrics (no clash on prom-client's global registry).
    // The CPU counter counts from its registry's creation in steps of the OS clock tick, so a young
    // registry may still read 0: the series must be there, not a particular value.
    for (const text of [textA, textB]) {
      expect(value(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
      expect(value(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    }
  });

  it('answers loopback clients only without METRICS_TOKEN, and requires the bearer token with it', async () => {
    const open = (await app());
    expect((await scrape(open, {}, '127.0.0.1')).statusCode).toBe(200);
    expect((await scrape(open, {}, '::1')).statusCode).toBe(200);
    const remote = await scrape(open, {}, '10.1.2.3');
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toEqual({ error: '/metrics answers loopback only; set METRICS_TOKEN to open it' });

    const locked = (await app({ env: { METRICS_TOKEN: 's3cret-token' } }));
    expect((await scrape(locked, {}, '10.1.2.3')).statusCode).toBe(401);
    expect((await scrape(locked, {}, '127.0.0.1')).statusCode).toBe(401);
    expect((await scrape(locked, { authorization: 'Bearer wrong-token!' }, '10.1.2.3')).statusCode).toBe(401);
    const ok = await scrape(locked, { authorization: 'Bearer s3cret-token' }, '10.1.2.3');
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('qunbot_commands_total');
  });

  it('is not served with metrics.enabled false', async () => {
    const t = (await app({ config: { metrics: { enabled: false } } }));
    expect((await scrape(t)).statusCode).toBe(404);
    expect(t.app.metrics).toBeUndefined();
  });
});
