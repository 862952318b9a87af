import { describe, expect, it } from 'vitest';
import { Chat, testApps, type TestApp } from '../helpers/app.js';

const app = testApps();

async function count(t: TestApp, sql: string): Promise<number> {
  return ((await t.app.store.sql.prepare(sql).get()) as { n: number }).n;
}

async function storedNames(t: TestApp): Promise<Array<{ display_name: string; valid: number }>> {
  // A lone surrogate would be stored as invalid UTF-8 (an encoded surrogate); SQLite is cast through BLOB to
  // see the bytes. PostgreSQL refuses invalid UTF-8 outright, so a stored name is valid there by construction.
  return (await t.app.store.sql
    .prepare({
      sqlite: 'SELECT display_name, display_name = CAST(CAST(display_name AS BLOB) AS TEXT) AS valid FROM members ORDER BY id',
      postgres: 'SELECT display_name, 1 AS valid FROM members ORDER BY id',
    })
    .all()) as Array<{
    display_name: string;
    valid: number;
  }>;
}

describe('hostile names and ids, on ingress', () => {
  it('a name with control, bidi, zero-width characters and lone surrogates is stored cleaned', async () => {
    const t = (await app());
    expect(await t.chat.say('u1', '/checkin', { name: '\u202Enimda\u0000\n\u2066x\u2069\u200B\uFEFF\uD800 ' })).toContain('nimda x');
    expect(await t.chat.say('u1', '/points', { name: 'Eve\u200D\uDC00\u2060 \t Smith' })).toContain('Eve Smith');
    const rows = await storedNames(t);
    expect(rows.map((r) => r.display_name)).toEqual(['Eve Smith']);
    expect(rows.every((r) => r.valid === 1)).toBe(true);
    const bytes = (await t.app.store.sql.prepare({ sqlite: 'SELECT hex(display_name) AS h FROM members', postgres: "SELECT encode(convert_to(display_name, 'UTF8'), 'hex') AS h FROM members" }).get()) as { h: string };
    expect(Buffer.from(bytes.h, 'hex').toString('utf8')).toBe('Eve Smith');
  });

  it('a member whose name is only invisible characters is named by their id', async () => {
    const t = (await app());
    await t.chat.say('u7', '/checkin', { name: '\u202E\u200B' });
    expect((await storedNames(t)).map((r) => r.display_name)).toEqual(['u7']);
  });

  it.each([
    ['user', (t: TestApp) => t.chat.say('\u202Eadmin', '/checkin'), '用户编号'],
    ['user (NUL)', (t: TestApp) => t.chat.say('ad\u0000min', '/checkin'), '用户编号'],
    ['user (lone surrogate)', (t: TestApp) => t.chat.say('adm\uD800', '/checkin'), '用户编号'],
    ['message', (t: TestApp) => t.chat.say('alice', '/checkin', { deliveryId: 'm\n1' }), '消息编号'],
    ['community', (t: TestApp) => new Chat(t.app, 'demo\u2066').say('alice', '/checkin'), '社群编号'],
  ])('a hostile %s id is refused and nothing is written', async (_label, send, field) => {
    const t = (await app());
    const reply = await send(t);
    expect(reply).toContain(`无法处理：${field}`);
    expect(reply).toContain('什么也没有保存');
    for (const table of ['communities', 'members', 'member_accounts', 'inbound_events', 'points_ledger']) {
      expect((await count(t, `SELECT COUNT(*) AS n FROM ${table}`)), table).toBe(0);
    }
  });

  it('hostile ids through the playground API are refused too', async () => {
    const t = (await app());
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/playground/api/messages',
      remoteAddress: '127.0.0.1',
      payload: { communityId: 'demo', userId: '\u202Eadmin', userName: 'x', text: '/checkin' },
    });
    const replies = (res.json() as { replies: Array<{ text: string }> }).replies;
    expect(res.statusCode === 400 || replies.some((r) => r.text.includes('用户编号'))).toBe(true);
    expect((await count(t, 'SELECT COUNT(*) AS n FROM members'))).toBe(0);
  });
});

describe('members named in commands', () => {
  async function community(t: TestApp): Promise<void> {
    for (const [id, name] of [
      ['u-alice', 'Alice 爱丽丝'],
      ['u-alicia', 'Alicia'],
      ['u-bob', 'Bob 鲍勃'],
      ['u-carol', 'Carol 卡罗尔'],
      ['u-carl', 'carl'],
    ] as const) {
      await t.chat.say(id, '/checkin', { name });
    }
  }

  it('a unique case-insensitive prefix finds the member', async () => {
    const t = (await app());
    await community(t);
    expect(await t.chat.say('admin', '/grant Bob 50 helped')).toContain('已给 Bob 鲍勃 加 50 分');
    expect(await t.chat.say('admin', '/grant @bo 1 again')).toContain('已给 Bob 鲍勃 加 1 分');
    expect(await t.chat.say('admin', '/grant ali 1 x')).toContain('对应多位成员');
  });

  it('a whole word of the display name finds the member', async () => {
    const t = (await app());
    await community(t);
    expect(await t.chat.say('admin', '/grant 爱丽丝 5 thanks')).toContain('已给 Alice 爱丽丝 加 5 分');
    expect(await t.chat.say('admin', '/grant 卡罗尔 5 thanks')).toContain('已给 Carol 卡罗尔 加 5 分');
    // Part of a word that is not its start finds nobody.
    expect(await t.chat.say('admin', '/grant 丽丝 5 thanks')).toContain('找不到成员「丽丝」');
  });

  it('the exact name wins over prefixes; mentions and ids keep working', async () => {
    const t = (await app());
    await community(t);
    expect(await t.chat.say('admin', '/grant CARL 2 x')).toContain('已给 carl 加 2 分');
    expect(await t.chat.say('admin', '/grant <@u-alicia> 2 x')).toContain('已给 Alicia 加 2 分');
    expect(await t.chat.say('admin', '/grant u-alice 2 x')).toContain('已给 Alice 爱丽丝 加 2 分');
    expect(await t.chat.say('admin', '/grant "Alice 爱丽丝" 2 x')).toContain('已给 Alice 爱丽丝 加 2 分');
  });

  it('an ambiguous name lists the candidates and changes nothing', async () => {
    const t = (await app());
    await community(t);
    const reply = await t.chat.say('admin', '/grant Al 5 x');
    expect(reply).toBe('「Al」对应多位成员，请写出完整昵称：\n· Alice 爱丽丝\n· Alicia');
    expect(await t.chat.say('admin', '/grant car 5 x')).toBe('「car」对应多位成员，请写出完整昵称：\n· carl\n· Carol 卡罗尔');
    expect((await count(t, "SELECT COUNT(*) AS n FROM points_ledger WHERE kind = 'adjust'"))).toBe(0);
  });

  it('many candidates are capped at five; same names show their ids', async () => {
    const t = (await app());
    for (let i = 1; i <= 7; i++) await t.chat.say(`u${i}`, '/checkin', { name: i <= 2 ? 'Sam' : `Sam ${i}` });
    const sams = await t.chat.say('admin', '/grant Sam 5 x');
    expect(sams).toBe('「Sam」对应多位成员，请写出完整昵称：\n· Sam (u1)\n· Sam (u2)');
    const many = await t.chat.say('admin', '/grant sa 5 x');
    expect(many.split('\n')).toHaveLength(7);
    expect(many).toContain('· …');
  });

  it('a name not found gets generic advice, in both languages', async () => {
    const t = (await app());
    await community(t);
    expect(await t.chat.say('admin', '/grant Zed 5 x')).toBe('找不到成员「Zed」。请使用对方在本群的完整昵称，或提及对方（对方需要在本群发过言）。');
    // The echoed name cannot be disguised by a right-to-left override.
    expect(await t.chat.say('admin', '/grant \u202EdeZ 5 x')).toContain('找不到成员「deZ」');
    const en = (await app({ config: { community: { locale: { playground: 'en' } } } }));
    await en.chat.say('u-bob', '/checkin', { name: 'Bob 鲍勃' });
    expect(await en.chat.say('admin', '/grant Zed 5 x')).toBe('No member "Zed" found. Use their exact display name or mention them (they must have been active here).');
    await en.chat.say('u-bobby', '/checkin', { name: 'Bobby' });
    expect(await en.chat.say('admin', '/grant bob 5 x')).toBe('"bob" matches several members. Use the full display name:\n· Bob 鲍勃\n· Bobby');
  });
});
