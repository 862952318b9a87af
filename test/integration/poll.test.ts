import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { makeTestApp, testApps, type TestApp } from '../helpers/app.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });
const HOUR = 3_600_000;
// 10:00 in Asia/Shanghai, the default community timezone.
const T0 = '2026-11-23T02:00:00.000Z';

const posts = async (t: TestApp, source: string): Promise<Reply[]> =>
  ((await t.app.store.sql.prepare('SELECT reply_json FROM deliveries WHERE source = ? ORDER BY id').all(source)) as Array<{ reply_json: string }>).map((r) => JSON.parse(r.reply_json) as Reply);
const votes = async (t: TestApp) => (await t.app.store.sql.prepare('SELECT voter, option, member_id, created_at FROM poll_votes ORDER BY option, voter').all()) as Array<{ voter: string; option: number; member_id: number | null; created_at: number | null }>;
const poll = async (t: TestApp, id = 1) => (await t.app.store.sql.prepare('SELECT * FROM polls WHERE id = ?').get(id)) as Record<string, unknown>;
const memberIds = async (t: TestApp) => ((await t.app.store.sql.prepare('SELECT id FROM members').all()) as Array<{ id: number }>).map((r) => r.id);
const press = (t: TestApp, user: string, command: string): Promise<string> =>
  t.app.router.handle({ ...t.chat.event(user, ''), type: 'action', command } as ChatEvent).then((r) => r.replies.map((x) => x.text).join('\n'));

describe('polls', () => {
  it('min_level=: members below the level are refused with the level named, and nothing is stored; members at it vote', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    const [reply] = await t.chat.send('admin', '/poll create "新功能投票" 要 | 不要 min_level=2');
    expect(reply?.text).toContain('第 2 级及以上可投');
    await t.chat.say('bob', '/points');
    expect(await t.chat.say('admin', '/grant bob 150 活跃')).toContain('150');
    expect(await t.chat.say('alice', '/投票 1 1')).toContain('投票 #1 需要达到第 2 级才能投票。');
    expect(await votes(t)).toEqual([]);
    expect(await t.chat.say('bob', '/投票 1 1')).toContain('1. 要');
    expect((await votes(t)).map((v) => v.option)).toEqual([1]);
    expect(await poll(t)).toMatchObject({ min_level: 1 });
  });

  it('an admin creates a poll: numbered options, one button per option, the reply hint; members may not create', async () => {
    const t = (await app({ clock: new FixedClock(T0) }));
    const [reply] = await t.chat.send('admin', '/poll create "周末去哪儿？" 爬山 | 看电影 | 宅家 ends=+2h');
    expect(reply?.title).toBe('📊 投票 #1');
    expect(reply?.text).toContain('**周末去哪儿？**\n1. 爬山\n2. 看电影\n3. 宅家');
    expect(reply?.text).toContain('单选 · 截止 2026-11-23 12:00');
    expect(reply?.text).toContain('回复 投票 1 <选项编号>');
    expect(reply?.actions).toEqual([
      { label: '1. 爬山', command: 'poll vote 1 1', style: 'secondary' },
      { label: '2. 看电影', command: 'poll vote 1 2', style: 'secondary' },
      { label: '3. 宅家', command: 'poll vote 1 3', style: 'secondary' },
    ]);
    expect(await t.chat.say('alice', '/poll create "问题？" A | B')).toContain('只有管理员');
    expect(await t.chat.say('admin', '/投票 创建 "只有一个？" A')).toContain('需要 2 到 25 个选项');
    expect(await t.chat.say('admin', '/poll create "Q" A | B multi=3')).toContain('可选项数（3）不能多于选项数（2）');
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM polls').get())).toEqual({ n: 1 });
  });

  it('single choice: one vote per member, changed until it closes; a bad option is refused and changes nothing; voting is activity', async () => {
    const t = (await app({ clock: new FixedClock(T0) }));
    await t.chat.say('admin', '/poll create "Best fruit?" apple | banana | cherry');
    const first = await t.chat.say('alice', '投票 1 2');
    expect(first).toContain('✅ 已投票：第 2 项「banana」。');
    expect(first).toContain('▇▇▇▇▇▇▇▇▇▇ 100% (1)');
    expect(await press(t, 'bob', 'poll vote 1 2')).toContain('已投票');
    expect(await t.chat.say('alice', '/poll vote 1 3')).toContain('已改票，你现在的选择：3. cherry');
    expect(await t.chat.say('alice', '/poll vote 1 3')).toContain('你已经投给了投票 #1 的第 3 项');
    expect(await t.chat.say('alice', '/poll vote 1 4')).toContain('投票 #1 没有第 4 项：请选 1 到 3');
    expect(await t.chat.say('alice', '/poll vote 1 0')).toContain('超出范围');
    expect(await t.chat.say('alice', '/poll vote 9 1')).toContain('没有编号为 #9 的投票');
    expect((await votes(t)).map((v) => v.option)).toEqual([2, 3]);
    const results = await t.chat.say('carol', '/poll vote 1 2');
    expect(results).toContain('2. banana\n▇▇▇▇▇▇▇░░░ 67% (2)');
    expect(results).toContain('3. cherry\n▇▇▇░░░░░░░ 33% (1)');
    expect(results).toContain('共 3 人投票');
    // Votes are commands: the lifecycle feature counts them as activity.
    const alice = (await t.app.store.sql.prepare("SELECT SUM(a.commands) AS n FROM member_activity a JOIN members m ON m.id = a.member_id WHERE m.display_name = 'alice'").get()) as { n: number };
    expect(alice.n).toBeGreaterThan(0);
  });

  it('multi=k: up to k options, a second vote for a chosen option takes it back', async () => {
    const t = (await app({ clock: new FixedClock(T0) }));
    await t.chat.say('admin', '/poll create "Which days?" Mon | Tue | Wed | Thu multi=2');
    expect(await t.chat.say('alice', '/poll vote 1 1')).toContain('已选 1 项，最多 2 项');
    expect(await t.chat.say('alice', '/poll vote 1 3')).toContain('你现在的选择：1. Mon、3. Wed');
    expect(await t.chat.say('alice', '/poll vote 1 4')).toContain('每人最多选 2 项，你已选满');
    expect(await t.chat.say('alice', '/poll vote 1 1')).toContain('已取消第 1 项，你现在的选择：3. Wed');
    expect(await t.chat.say('alice', '/poll vote 1 4')).toContain('3. Wed、4. Thu');
    await t.chat.say('bob', '/poll vote 1 4');
    expect((await votes(t)).map((v) => v.option)).toEqual([3, 4, 4]);
    const results = await t.chat.say('admin', '/poll results 1');
    expect(results).toContain('4. Thu\n▇▇▇▇▇▇▇▇▇▇ 100% (2)');
    expect(results).toContain('百分比为选择该项的投票人占比');
  });

  it('results: admins anytime, members after voting; hidden results only at the close', async () => {
    const t = (await app({ clock: new FixedClock(T0) }));
    await t.chat.say('admin', '/poll create "Q1?" A | B');
    await t.chat.say('admin', '/poll create "Q2?" A | B hide_results');
    expect(await t.chat.say('admin', '/poll results 1')).toContain('📊 投票 #1 当前结果');
    expect(await t.chat.say('alice', '/poll results 1')).toContain('投票后即可查看结果');
    await t.chat.say('alice', '投票 1 1');
    expect(await t.chat.say('alice', '/poll results 1')).toContain('1. A\n▇▇▇▇▇▇▇▇▇▇ 100% (1)');
    const hidden = await t.chat.say('alice', '投票 2 2');
    expect(hidden).toContain('结果将在投票结束后公布');
    expect(hidden).not.toContain('▇');
    expect(await t.chat.say('alice', '/poll results 2')).toContain('投票 #2 的结果在结束后公布');
    expect(await t.chat.say('admin', '/poll results 2')).toContain('2. B\n▇▇▇▇▇▇▇▇▇▇ 100% (1)');
    expect(await t.chat.say('alice', '/poll close 2')).toContain('只有管理员');
    expect(await t.chat.say('admin', '/poll close 2')).toContain('投票 #2 已结束，结果已发布');
    expect(await t.chat.say('admin', '/poll close 2')).toContain('投票 #2 已经结束');
    expect(await t.chat.say('bob', '/poll results 2')).toContain('📊 投票 #2 结果');
    expect(await t.chat.say('bob', '投票 2 1')).toContain('投票 #2 已经结束');
    expect((await posts(t, 'poll:2'))).toHaveLength(1);
  });

  it('closes by its timer job: the result is posted once through the outbox with counts and bars', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    await t.chat.say('admin', '/poll create "周末去哪儿？" 爬山 | 看电影 ends=+1h');
    for (const [u, n] of [['ann', 1], ['ben', 1], ['cat', 2], ['dan', 1], ['eve', 2]] as const) await t.chat.say(u, `投票 1 ${n}`);
    // A firing before the end time (another process's clock) does nothing.
    await t.app.jobs.run('poll-close', 1);
    expect((await poll(t)).status).toBe('open');
    clock.advance(HOUR);
    await t.app.jobs.run('poll-close', 1);
    expect((await poll(t))).toMatchObject({ status: 'closed', closed_at: clock.now().getTime() });
    const [post] = (await posts(t, 'poll:1'));
    expect(post?.title).toBe('📊 投票 #1 结果');
    expect(post?.text).toBe('**周末去哪儿？**\n1. 爬山\n▇▇▇▇▇▇░░░░ 60% (3)\n2. 看电影\n▇▇▇▇░░░░░░ 40% (2)\n共 5 人投票。');
    await t.app.jobs.run('poll-close', 1);
    expect((await posts(t, 'poll:1'))).toHaveLength(1);
    expect(await t.chat.say('fay', '投票 1 1')).toContain('已经结束');
    expect(await t.app.jobs.run('poll-close', 99)).toBe('missing');
  });

  it('anonymous: vote rows hold no member id, no time and no key computable after the close; replies do not name the option', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    await t.chat.say('admin', '/poll create "匿名评价？" 好 | 一般 | 差 anonymous ends=+1h');
    expect((await poll(t))).toMatchObject({ anonymous: 1, salt: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const reply = await t.chat.say('alice', '投票 1 3');
    expect(reply).toContain('已记录你在匿名投票 #1 中的选择');
    expect(reply).not.toContain('差');
    expect(reply).not.toContain('▇');
    expect(reply).toContain('/poll results 1');
    await t.chat.say('bob', '投票 1 1');
    expect(await t.chat.say('alice', '投票 1 1')).toContain('已记录'); // changed
    expect(await t.chat.say('alice', '投票 1 1')).toContain('你在匿名投票 #1 中的选择没有变化'); // still one vote
    const rows = (await votes(t));
    expect(rows.map((v) => v.option)).toEqual([1, 1]);
    const ids = (await memberIds(t));
    for (const v of rows) {
      expect(v.member_id).toBeNull();
      expect(v.created_at).toBeNull();
      expect(v.voter).toMatch(/^[0-9a-f]{64}$/);
      for (const id of ids) expect(v.voter).not.toBe(`member:${id}`);
    }
    // The stored replies (dedupe window) never say which option a member chose.
    const stored = ((await t.app.store.sql.prepare("SELECT reply_json FROM inbound_events WHERE actor = 'alice'").all()) as Array<{ reply_json: string }>).map((r) => r.reply_json).join('\n');
    expect(stored).not.toMatch(/第 \d 项/);
    clock.advance(HOUR);
    await t.app.jobs.run('poll-close', 1);
    // At the close: the tally is frozen, the salt erased, the rows gone.
    expect((await poll(t))).toMatchObject({ status: 'closed', salt: null, results_json: JSON.stringify({ counts: [2, 0, 0], voters: 2 }) });
    expect((await votes(t))).toEqual([]);
    expect((await posts(t, 'poll:1'))[0]?.text).toContain('1. 好\n▇▇▇▇▇▇▇▇▇▇ 100% (2)');
    expect(await t.chat.say('carol', '/poll results 1')).toContain('共 2 人投票');
  });

  it('a duplicate delivery votes once (a second multi-choice vote would otherwise take it back)', async () => {
    const t = (await app({ clock: new FixedClock(T0) }));
    await t.chat.say('admin', '/poll create "Which?" A | B | C multi=2');
    const first = await t.chat.say('alice', '/poll vote 1 2', { deliveryId: 'dup-1' });
    const again = await t.chat.say('alice', '/poll vote 1 2', { deliveryId: 'dup-1' });
    expect(again).toBe(first);
    expect((await votes(t)).map((v) => v.option)).toEqual([2]);
    // A new delivery of the same text is a new vote: it takes the choice back.
    expect(await t.chat.say('alice', '/poll vote 1 2', { deliveryId: 'dup-2' })).toContain('已取消第 2 项');
    expect((await votes(t))).toEqual([]);
  });

  it('a restart before the close: the close timer comes back from SQLite and the job closes it once', async () => {
    const clock = new FixedClock(T0);
    const first = (await makeTestApp({ clock, config: { jobs: { reconcileIntervalMs: 60_000 } } }));
    const databasePath = join(first.dir, 'qunbot.sqlite');
    let second: TestApp | undefined;
    try {
      await first.chat.say('admin', '/poll create "Restart?" yes | no ends=+1h');
      await first.chat.say('admin', '/poll create "No timer?" yes | no');
      await first.chat.say('alice', '投票 1 1');
      await first.app.stop();
      clock.advance(2 * HOUR);
      second = (await makeTestApp({ clock, databasePath, config: { jobs: { reconcileIntervalMs: 60_000 } } }));
      expect((await second.app.poll.desired()).timers).toEqual([{ jobId: 'poll-close-1', dueAt: new Date(Date.parse(T0) + HOUR), job: { kind: 'poll-close', id: 1 } }]);
      await second.app.jobs.run('poll-close', 1);
      expect((await poll(second))).toMatchObject({ status: 'closed' });
      expect((await posts(second, 'poll:1')).map((p) => p.text)).toEqual(['**Restart?**\n1. yes\n▇▇▇▇▇▇▇▇▇▇ 100% (1)\n2. no\n░░░░░░░░░░ 0% (0)\n共 1 人投票。']);
      expect((await second.app.poll.desired()).timers).toEqual([]);
    } finally {
      await second?.app.stop();
      rmSync(first.dir, { recursive: true, force: true });
    }
  });
});
