import { describe, expect, it } from 'vitest';
import { Chat, testApps, type TestApp } from '../helpers/app.js';

const app = testApps();

function count(t: TestApp, sql: string): number {
  return (t.app.store.sqlite.prepare(sql).get() as { n: number }).n;
}

function storedNames(t: TestApp): Array<{ display_name: string; valid: number }> {
  // A lone surrogate would be stored as invalid UTF-8 (an encoded surrogate); cast through BLOB to see the bytes.
  return t.app.store.sqlite.prepare("SELECT display_name, display_name = CAST(CAST(display_name AS BLOB) AS TEXT) AS valid FROM members ORDER BY id").all() as Array<{
    display_name: string;
    valid: number;
  }>;
}

describe('hostile names and ids, on ingress', () => {
  it('a name with control, bidi, zero-width characters and lone surrogates is stored cleaned', async () => {
    const t = app();
    expect(await t.chat.say('u1', '/checkin', { name: '\u202Enimda\u0000\n\u2066x\u2069\u200B\uFEFF\uD800 ' })).toContain('nimda x');
    expect(await t.chat.say('u1', '/points', { name: 'Eve\u200D\uDC00\u2060 \t Smith' })).toContain('Eve Smith');
    const rows = storedNames(t);
    expect(rows.map((r) => r.display_name)).toEqual(['Eve Smith']);
    expect(rows.every((r) => r.valid === 1)).toBe(true);
    const bytes = t.app.store.sqlite.prepare('SELECT hex(display_name) AS h FROM members').get() as { h: string };
    expect(Buffer.from(bytes.h, 'hex').toString('utf8')).toBe('Eve Smith');
  });

  it('a member whose name is only invisible characters is named by their id', async () => {
    const t = app();
    await t.chat.say('u7', '/checkin', { name: '\u202E\u200B' });
    expect(storedNames(t).map((r) => r.display_name)).toEqual(['u7']);
  });

  it.each([
    ['user', (t: TestApp) => t.chat.say('\u202Eadmin', '/checkin'), '用户编号'],
    ['user (NUL)', (t: TestApp) => t.chat.say('ad\u0000min', '/checkin'), '用户编号'],
    ['user (lone surrogate)', (t: TestApp) => t.chat.say('adm\uD800', '/checkin'), '用户编号'],
    ['message', (t: TestApp) => t.chat.say('alice', '/checkin', { deliveryId: 'm\n1' }), '消息编号'],
    ['community', (t: TestApp) => new Chat(t.app, 'demo\u2066').say('alice', '/checkin'), '社群编号'],
  ])('a hostile %s id is refused and nothing is written', async (_label, send, field) => {
    const t = app();
    const reply = await send(t);
    expect(reply).toContain(`无法处理：${field}`);
    expect(reply).toContain('什么也没有保存');
    for (const table of ['communities', 'members', 'member_accounts', 'inbound_events', 'points_ledger']) {
      expect(count(t, `SELECT COUNT(*) AS n FROM ${table}`), table).toBe(0);
    }
  });

  it('hostile ids through the playground API are refused too', async () => {
    const t = app();
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/playground/api/messages',
      remoteAddress: '127.0.0.1',
      payload: { communityId: 'demo', userId: '\u202Eadmin', userName: 'x', text: '/checkin' },
    });
    const replies = (res.json() as { replies: Array<{ text: string }> }).replies;
    expect(res.statusCode === 400 || replies.some((r) => r.text.includes('用户编号'))).toBe(true);
    expect(count(t, 'SELECT COUNT(*) AS n FROM members')).toBe(0);
  });
});
