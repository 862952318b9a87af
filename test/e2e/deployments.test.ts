/**
 * The timers across real processes: two deployments on one Redis keep their
 * own timers, a recurring tick that falls while the bot is down fires once,
 * late (or is skipped past its grace), and a bot whose Redis is gone still
 * stops within its deadline without flooding its log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDb } from '../faults/support.js';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../setup/redis-server.js';
import { fastTimersConfig as configFile, startBot, type BotProcess } from '../helpers/process.js';
import { testPrefix } from '../helpers/app.js';
import { sleep, untilBefore, waitFor } from '../helpers/wait.js';

const bots: BotProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(bots.splice(0).map(async (b) => {
    await b.stop('SIGKILL');
    b.cleanup();
  }));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function bot(env: Record<string, string>, dir?: string): Promise<BotProcess> {
  const b = await startBot(env, dir ? { dir } : {});
  bots.push(b);
  return b;
}

async function say(b: BotProcess, text: string, userId = 'admin'): Promise<string> {
  const res = await fetch(`${b.url}/playground/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ communityId: 'demo', userId, userName: userId, text }),
  });
  const body = (await res.json()) as { replies: Array<{ text: string }> };
  return body.replies.map((r) => r.text).join('\n');
}

async function feed(b: BotProcess): Promise<string[]> {
  const res = await fetch(`${b.url}/playground/api/feed?communityId=demo`);
  const body = (await res.json()) as { posts: Array<{ reply: { text: string } }> };
  return body.posts.map((p) => p.reply.text);
}

/** The recorded run keys, read from the bot's database (the SQLite file in `dir`, or its PostgreSQL schema). */
function runKeys(dir: string): Promise<string[]> {
  return withDb(dir, async (db) => ((await db.prepare('SELECT run_key FROM post_runs ORDER BY run_key').all()) as Array<{ run_key: string }>).map((r) => r.run_key));
}

describe('deployments and their timers (real processes)', () => {
  it('two deployments on one Redis with the same prefix keep their own timers', async () => {
    const prefix = testPrefix();
    // Three posts each in one day: the config file turns the daily content cap off.
    const dir = mkdtempSync(join(tmpdir(), 'qunbot-e2e-'));
    dirs.push(dir);
    const env = { REDIS_PREFIX: prefix, CONFIG_FILE: configFile(dir) };
    const [a, b] = await Promise.all([bot(env), bot(env)]);
    for (const [name, x] of [['A', a], ['B', b]] as const) {
      for (let i = 1; i <= 3; i++) expect(await say(x, `/schedule once +2s ${name} post ${i}`)).toContain(`#${i}`);
    }
    await waitFor(async () => (await feed(a)).length === 3 && (await feed(b)).length === 3, 15_000, 'three posts on each bot');
    expect((await feed(a)).sort()).toEqual(['A post 1', 'A post 2', 'A post 3']);
    expect((await feed(b)).sort()).toEqual(['B post 1', 'B post 2', 'B post 3']);
    // Each deployment's queue keys carry its own instance id.
    expect(a.output()).not.toContain('a timer fired for something this database does not have');
  }, 60_000);

  it('a recurring tick that falls while the bot is down (SIGKILL) fires once, late, after the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qunbot-e2e-'));
    dirs.push(dir);
    const env = { CONFIG_FILE: configFile(dir) };
    const first = await bot(env, dir);
    expect(await say(first, '/schedule add "*/10 * * * * *" tick')).toContain('#1');
    const missed = await untilBefore(10_000, 2000);
    await first.stop('SIGKILL');
    await sleep(missed + 3000 - Date.now());
    const second = await bot(env, dir);
    // The latest tick missed while down fires late: `missed` itself, or the one after it when a loaded
    // machine took more than the rest of the period to restart (only the latest miss is fired).
    const lateRun = async (): Promise<string | undefined> => {
      const keys = await runKeys(dir);
      return [missed, missed + 10_000].map((t) => `repeat:schedule-1:${t}`).find((k) => keys.includes(k));
    };
    const late = await waitFor(lateRun, 8000, `the missed tick ${new Date(missed).toISOString()}`);
    expect(second.output()).toContain('firing it late, once');
    // Let the next regular tick pass too: nothing doubled.
    const lateTick = Number(late.split(':').pop());
    await sleep(lateTick + 11_000 - Date.now());
    await second.stop('SIGTERM');
    const keys = await runKeys(dir);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain(`repeat:schedule-1:${lateTick + 10_000}`);
  }, 60_000);

  it('a missed tick older than the grace period is logged and skipped, not replayed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qunbot-e2e-'));
    dirs.push(dir);
    const env = { CONFIG_FILE: configFile(dir, '  missedTickGraceMs: 1000\n') };
    const first = await bot(env, dir);
    expect(await say(first, '/schedule add "*/10 * * * * *" tick')).toContain('#1');
    const missed = await untilBefore(10_000, 2000);
    await first.stop('SIGTERM');
    await sleep(missed + 3000 - Date.now());
    const second = await bot(env, dir);
    await waitFor(() => second.output().includes('older than the grace period'), 8000, 'the skipped-tick log line');
    await sleep(1000);
    expect(await runKeys(dir)).not.toContain(`repeat:schedule-1:${missed}`);
  }, 60_000);

  it('with Redis unreachable the bot stops within its deadline and logs the outage once', async () => {
    const port = await freePort();
    const b = await bot({ REDIS_URL: `redis://127.0.0.1:${port}`, SHUTDOWN_TIMEOUT_MS: '3000' });
    expect(await say(b, '/checkin', 'alice')).toContain('签到成功');
    await sleep(4000);
    const lines = b.output().split('\n');
    expect(lines.filter((l) => l.includes('redis unreachable'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('worker error'))).toHaveLength(0);
    const t0 = Date.now();
    const code = await b.stop('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(3000 + 1500);
    expect(code).toBe(0);
  }, 30_000);
});
