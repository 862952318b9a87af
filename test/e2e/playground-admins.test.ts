/** Who is an admin in the playground (in process, through fastify inject, with PLAYGROUND_TOKEN set). */
import { describe, expect, it } from 'vitest';
import { testApps, type TestApp } from '../helpers/app.js';

const TOKEN = 'tok-3f9a1c';
const app = testApps();

interface ApiReply {
  title?: string;
  text: string;
}

async function say(t: TestApp, userId: string, userName: string, text: string): Promise<string> {
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/playground/api/messages',
    headers: { authorization: `Bearer ${TOKEN}` },
    payload: { communityId: 'adm', userId, userName, text },
  });
  expect(res.statusCode).toBe(200);
  return (res.json<{ replies: ApiReply[] }>().replies).map((r) => [r.title, r.text].filter(Boolean).join('\n')).join('\n---\n');
}

describe('playground admins', () => {
  it('a member whose display name is "admin" (any case, padded) is not an admin; only the configured user ids are', async () => {
    const t = (await app({ env: { PLAYGROUND_TOKEN: TOKEN } }));
    await say(t, 'carol', 'Carol', '/checkin');
    const before = await say(t, 'carol', 'Carol', '/points');
    expect(before).toContain('积分余额：**10**');
    for (const userName of ['admin', ' ADMIN ', 'Admin']) {
      expect(await say(t, 'mallory', userName, '/grant carol 500 pwned')).toContain('只有管理员可以使用 /grant');
      expect(await say(t, 'mallory', userName, '/announce hi')).toContain('只有管理员可以使用 /announce');
    }
    expect(await say(t, 'carol', 'Carol', '/points')).toBe(before);
    expect((await t.app.playground?.feed.list('adm'))).toEqual([]);
    // The configured admin id works, whatever its display name.
    expect(await say(t, 'admin', 'Boss', '/grant carol 5 helper')).toContain('当前余额：15');
  });

  it('playground.admins names the admin ids; the default "admin" id is then an ordinary member', async () => {
    const t = (await app({ env: { PLAYGROUND_TOKEN: TOKEN }, config: { playground: { admins: ['ops-1'] } } }));
    await say(t, 'carol', 'Carol', '/checkin');
    expect(await say(t, 'admin', 'admin', '/grant carol 5 x')).toContain('只有管理员可以使用 /grant');
    expect(await say(t, 'ops-1', 'Ops', '/grant carol 5 x')).toContain('当前余额：15');
  });

  it('the page lists the configured admin ids and its demo admin member uses the first of them', async () => {
    const t = (await app({ env: { PLAYGROUND_TOKEN: TOKEN }, config: { playground: { admins: ['ops-1', 'ops-2'] } } }));
    const res = await t.app.http.inject({ method: 'GET', url: `/playground?token=${TOKEN}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('const ADMINS = ["ops-1","ops-2"]');
  });
});
