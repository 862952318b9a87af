import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { testEngine } from '../helpers/pg.js';

interface ApiReply {
  text: string;
  title?: string;
  ephemeral?: boolean;
}

describe('the real process, driven through the playground API', () => {
  let bot: BotProcess;

  beforeAll(async () => {
    bot = await startBot();
  }, 120_000);
  afterAll(async () => {
    const code = await bot?.stop();
    expect(code).toBe(0); // SIGTERM shuts down cleanly
    bot?.cleanup();
  });

  async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
  async function say(userId: string, text: string, userName = userId): Promise<string> {
    const { status, json } = await post('/playground/api/messages', { communityId: 'e2e', userId, userName, text });
    expect(status).toBe(200);
    return (json.replies as ApiReply[]).map((r) => [r.title, r.text].filter(Boolean).join('\n')).join('\n---\n');
  }

  it('serves the page, health and the clock', async () => {
    const page = await fetch(`${bot.url}/playground`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('qunbot playground');
    const health = await fetch(`${bot.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', [testEngine()]: 'up', playground: 'up' });
  });

  it('three members check in over three simulated days and climb the board', async () => {
    for (let day = 0; day < 3; day++) {
      for (const user of ['ann', 'ben', 'cat']) {
        if (user === 'cat' && day === 1) continue; // cat misses a day
        expect(await say(user, day % 2 ? '签到' : '/checkin')).toContain('签到成功');
      }
      expect(await say('ann', '/checkin')).toContain('已经签到过了');
      const moved = await post('/playground/api/clock', { advanceHours: 24 });
      expect(moved.status).toBe(200);
    }
    expect(await say('ann', '/points')).toMatch(/积分余额：\*\*35\*\*[\s\S]*连续签到：3 天/);
    expect(await say('cat', '/points')).toContain('连续签到：1 天（最长 1 天）');
    const board = await say('ben', '/leaderboard all');
    expect(board).toMatch(/1\. ann — 35 分\n1\. ben — 35 分\n3\. cat — 20 分/);
    expect(await say('admin', '/grant cat 100 community helper')).toContain('当前余额：120');
    expect(await say('cat', '/points')).toContain('等级：**进阶**');
    // The grant crossed a level: announced once, as a community post mentioning cat.
    const feed = async (): Promise<string[]> => ((await (await fetch(`${bot.url}/playground/api/feed?communityId=e2e`)).json()) as { posts: Array<{ reply: { text: string } }> }).posts.map((p) => p.reply.text);
    const posted = await waitFor(async () => {
      const texts = await feed();
      return texts.length ? texts : undefined;
    }, 10_000, 'the level-up post');
    expect(posted).toEqual(['🎉 <@cat> 升级啦！现在是「进阶」。']);
  });

  it('refuses malformed, invalid and oversized bodies with JSON errors', async () => {
    const bad = await post('/playground/api/messages', '{not json');
    expect(bad.status).toBe(400);
    expect(typeof bad.json.error).toBe('string');
    const missing = await post('/playground/api/messages', { communityId: 'e2e', userId: 'ann' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/userName/);
    const tooBig = await post('/playground/api/messages', { communityId: 'e2e', userId: 'ann', userName: 'ann', text: 'x'.repeat(70_000) });
    expect(tooBig.status).toBe(413);
    const unknown = await fetch(`${bot.url}/nope`);
    expect(unknown.status).toBe(404);
  });

  it('the same message id delivered twice awards once', async () => {
    const body = { communityId: 'e2e-dup', userId: 'dan', userName: 'dan', text: '/checkin', messageId: 'fixed-1' };
    const first = await post('/playground/api/messages', body);
    const second = await post('/playground/api/messages', body);
    expect(first.json.duplicate).toBe(false);
    expect(second.json.duplicate).toBe(true);
    expect(second.json.replies).toEqual(first.json.replies);
    expect(await say('dan', '/points')).toBeDefined();
  });

  it('the feed answers for a community and member events are accepted', async () => {
    const feed = await fetch(`${bot.url}/playground/api/feed?communityId=e2e`);
    expect(feed.status).toBe(200);
    // Only the level-up of the test above: member events and commands post nothing else here.
    expect(((await feed.json()) as { posts: Array<{ reply: { text: string } }> }).posts.map((p) => p.reply.text)).toEqual(['🎉 <@cat> 升级啦！现在是「进阶」。']);
    const joined = await post('/playground/api/events', { communityId: 'e2e', userId: 'eve', userName: 'eve', type: 'memberJoined' });
    expect(joined.status).toBe(200);
    const badType = await post('/playground/api/events', { communityId: 'e2e', userId: 'eve', userName: 'eve', type: 'explode' });
    expect(badType.status).toBe(400);
  });
});

describe('the playground token', () => {
  it('is required when PLAYGROUND_TOKEN is set', async () => {
    const bot = await startBot({ PLAYGROUND_TOKEN: 's3cret-token' });
    try {
      const body = JSON.stringify({ communityId: 'x', userId: 'a', userName: 'a', text: '/help' });
      const headers = { 'content-type': 'application/json' };
      expect((await fetch(`${bot.url}/playground/api/messages`, { method: 'POST', headers, body })).status).toBe(401);
      const wrong = await fetch(`${bot.url}/playground/api/messages`, { method: 'POST', headers: { ...headers, authorization: 'Bearer nope' }, body });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${bot.url}/playground/api/messages`, { method: 'POST', headers: { ...headers, authorization: 'Bearer s3cret-token' }, body });
      expect(right.status).toBe(200);
      expect((await fetch(`${bot.url}/playground?token=s3cret-token`)).status).toBe(200);
      expect(bot.output()).not.toContain('s3cret-token');
    } finally {
      await bot.stop();
      bot.cleanup();
    }
  }, 60_000);

  it('without a token, only loopback clients are served', async () => {
    const { makeTestApp } = await import('../helpers/app.js');
    const t = (await makeTestApp());
    try {
      const res = await t.app.http.inject({ method: 'GET', url: '/playground', remoteAddress: '10.1.2.3' });
      expect(res.statusCode).toBe(403);
      const local = await t.app.http.inject({ method: 'GET', url: '/playground', remoteAddress: '127.0.0.1' });
      expect(local.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('a bad configuration stops the process with a message naming the key', async () => {
    await expect(startBot({ HTTP_PORT: '99999' })).rejects.toThrow(/HTTP_PORT \(http\.port\)/);
  }, 60_000);
});
