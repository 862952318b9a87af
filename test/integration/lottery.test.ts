import { describe, expect, it } from 'vitest';
import { AdjustableClock, systemClock } from '../../src/core/clock.js';
import { drawWinners } from '../../src/features/lottery/draw.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { sleep, waitFor } from '../helpers/wait.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });
const feed = async (t: TestApp) => (await t.app.playground?.feed.list('demo')) ?? [];
const balanceOf = async (t: TestApp, name: string) =>
  ((await t.app.store.sql.prepare('SELECT p.balance FROM member_points p JOIN members m ON m.id = p.member_id WHERE m.display_name = ?').get(name)) as { balance: number }).balance;
const row = async (t: TestApp, id = 1) => (await t.app.store.sql.prepare('SELECT * FROM lotteries WHERE id = ?').get(id)) as Record<string, unknown>;

describe('lotteries', () => {
  it('an admin creates a lottery; the announcement shows the prize, end time, rules, a join action and the commitment', async () => {
    const t = (await app());
    const [reply] = await t.app.router.handle(t.chat.event('admin', '/lottery create 机械键盘 winners=2 ends=+1h cost=5 bonus=streak7')).then((r) => r.replies);
    expect(reply?.title).toBe('🎁 抽奖 #1');
    expect(reply?.text).toContain('奖品：**机械键盘** × 2');
    expect(reply?.text).toContain('消耗 5 积分');
    expect(reply?.text).toMatch(/sha256\(种子\) = `[0-9a-f]{64}`/);
    expect(reply?.actions).toEqual([{ label: '参与抽奖', command: 'lottery join 1', style: 'primary' }]);
    expect(await t.chat.say('alice', '/lottery create x winners=1 ends=+1h')).toContain('只有管理员');
  });

  it('joining checks eligibility, charges the cost once and refuses a second join', async () => {
    const t = (await app());
    await t.chat.say('admin', '/lottery create 奖品 winners=1 ends=+1h cost=5 min_streak=1');
    expect(await t.chat.say('alice', '参与抽奖 1')).toContain('需要连续签到 1 天');
    await t.chat.say('alice', '/checkin');
    expect(await t.chat.say('alice', '/lottery join 1')).toMatch(/参与成功！你有 1 张券，目前共 1 人参与。\n已扣除 5 积分，余额 5/);
    expect(await t.chat.say('alice', '/抽奖 参与 1')).toContain('你已经参与了抽奖 #1');
    expect((await balanceOf(t, 'alice'))).toBe(5);
    expect(await t.chat.say('bob', '/lottery join 9')).toContain('没有编号为 #9 的抽奖');
  });

  it('100 concurrent joins with a balance that affords 10 give exactly 10 entries and never a negative balance', async () => {
    const t = (await app());
    await t.chat.say('alice', '/help');
    await t.chat.say('admin', '/grant alice 100 budget');
    for (let i = 1; i <= 100; i++) await t.chat.say('admin', `/lottery create prize${i} winners=1 ends=+1h cost=10`);
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => t.chat.say('alice', `/lottery join ${i + 1}`)));
    expect(replies.filter((r) => r.includes('参与成功'))).toHaveLength(10);
    expect(replies.filter((r) => r.includes('积分不足'))).toHaveLength(90);
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM lottery_entries').get())).toEqual({ n: 10 });
    expect((await balanceOf(t, 'alice'))).toBe(0);
  });

  it('draws at the end time through a timer, announces once with mentions and the revealed seed, and verifies', async () => {
    const t = (await app());
    await t.app.start();
    await t.chat.say('admin', '/lottery create 周边礼包 winners=2 ends=+2s');
    for (const u of ['ann', 'ben', 'cat', 'dan']) await t.chat.say(u, '参与抽奖 1');
    const [post] = await waitFor(async () => ((await feed(t)).length ? (await feed(t)) : undefined), 10_000, 'the result');
    expect(post?.reply.title).toBe('🎉 抽奖 #1 开奖');
    expect(post?.reply.text).toMatch(/「周边礼包」的中奖者：<@\w+> <@\w+>/);
    expect(Object.keys(post?.reply.mentions ?? {})).toHaveLength(2);
    const lottery = (await row(t));
    expect(lottery.status).toBe('announced');
    expect(post?.reply.text).toContain(String(lottery.seed_hex));
    // Re-running the job announces nothing more.
    await t.app.jobs.run('lottery-draw', 1);
    await sleep(500);
    expect((await feed(t))).toHaveLength(1);
    // The winners are exactly what the documented algorithm gives for the published data.
    const frozen = JSON.parse(String(lottery.entries_json)) as { entries: Array<{ id: string; weight: number }> };
    const winners = (JSON.parse(String(lottery.winners_json)) as { rounds: string[][] }).rounds[0];
    expect(winners).toEqual(drawWinners({ seedHex: String(lottery.seed_hex), entries: frozen.entries, winners: 2 }));
    expect(await t.chat.say('ann', '/lottery verify 1')).toContain('✅ 抽奖 #1 验证通过');
  });

  it('reroll draws replacements deterministically from the same seed, excluding earlier winners', async () => {
    const t = (await app());
    await t.chat.say('admin', '/lottery create 奖 winners=1 ends=+1h');
    for (const u of ['ann', 'ben', 'cat', 'dan', 'eve']) await t.chat.say(u, '参与抽奖 1');
    await t.chat.say('admin', '/lottery draw 1');
    expect(await t.chat.say('admin', '/lottery reroll 1 2')).toContain('第 1 轮替补');
    const lottery = (await row(t));
    const frozen = JSON.parse(String(lottery.entries_json)) as { entries: Array<{ id: string; weight: number }> };
    const rounds = (JSON.parse(String(lottery.winners_json)) as { rounds: string[][] }).rounds;
    expect(rounds[1]).toEqual(drawWinners({ seedHex: String(lottery.seed_hex), entries: frozen.entries, winners: 2, round: 1, exclude: rounds[0] }));
    expect(new Set([...(rounds[0] ?? []), ...(rounds[1] ?? [])]).size).toBe(3);
    expect(await t.chat.say('ann', '/lottery verify 1')).toContain('验证通过');
  });

  it('the frozen entry list is stored in canonical (code-unit) order, so "10" sorts before "9"', async () => {
    const t = (await app());
    await t.chat.say('admin', '/lottery create 奖 winners=1 ends=+1h');
    for (let i = 0; i < 12; i++) await t.chat.say(`m${i}`, '参与抽奖 1');
    expect(await t.chat.say('admin', '/lottery list')).toContain('12 人参与');
    await t.chat.say('admin', '/lottery draw 1');
    const ids = (JSON.parse(String((await row(t)).entries_json)) as { entries: Array<{ id: string }> }).entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids.indexOf('10')).toBeLessThan(ids.indexOf('9'));
    // The counters kept with each entry agree with the entry list.
    expect((await row(t))).toMatchObject({ entrant_count: 12, ticket_count: 12 });
  });

  it('cancel refunds entry costs exactly once', async () => {
    const t = (await app());
    for (const u of ['ann', 'ben']) await t.chat.say(u, '/checkin');
    await t.chat.say('admin', '/lottery create 奖 winners=1 ends=+1h cost=4');
    await t.chat.say('ann', '参与抽奖 1');
    await t.chat.say('ben', '参与抽奖 1');
    expect(await t.chat.say('admin', '/lottery cancel 1')).toContain('已向 2 位参与者退还积分');
    expect(await t.chat.say('admin', '/lottery cancel 1')).toContain('已经结束或取消');
    expect((await balanceOf(t, 'ann'))).toBe(10);
    expect((await balanceOf(t, 'ben'))).toBe(10);
    expect((await t.app.store.sql.prepare("SELECT COUNT(*) AS n FROM points_ledger WHERE reason LIKE '%refund'").get())).toEqual({ n: 2 });
    expect(await t.chat.say('ann', '参与抽奖 1')).toContain('已经结束或取消');
  });

  it('a restart between the end time and the draw draws once after start', async () => {
    const clock = new AdjustableClock(systemClock);
    const t = (await app({ clock }));
    await t.chat.say('admin', '/lottery create 奖 winners=1 ends=+1s');
    await t.chat.say('ann', '参与抽奖 1');
    await sleep(1500); // the end passes while no worker runs
    await t.app.start();
    await waitFor(async () => (await feed(t)).length === 1, 10_000, 'the overdue draw');
    await sleep(500);
    expect((await feed(t))).toHaveLength(1);
    expect((await row(t)).status).toBe('announced');
  });

  it('edge cases: all entrants win when there are fewer than prizes, nobody entered, a member who left is excluded, bad input', async () => {
    const t = (await app());
    await t.chat.say('admin', '/lottery create 大奖 winners=5 ends=+1h');
    await t.chat.say('ann', '参与抽奖 1');
    await t.chat.say('ben', '参与抽奖 1');
    await t.chat.say('cat', '参与抽奖 1');
    await t.app.router.handle({ ...t.chat.event('cat', ''), type: 'memberLeft' });
    const result = await t.chat.say('admin', '/lottery draw 1');
    expect(result).toContain('所有参与者都中奖了');
    expect(result).toContain('1 位参与者在开奖前已退群');
    expect(JSON.parse(String((await row(t)).entries_json)).excluded).toEqual(['4']);
    await t.chat.say('admin', '/lottery create 无人问津 winners=1 ends=+1h');
    expect(await t.chat.say('admin', '/lottery draw 2')).toContain('没有人参与');
    expect(await t.chat.say('admin', '/lottery create x winners=101 ends=+1h')).toContain('超出范围（1 到 100）：101');
    expect(await t.chat.say('admin', '/lottery create x winners=1 ends=2020-01-01T00:00')).toContain('这个截止时间已经过去了');
    expect(await t.chat.say('admin', '/lottery create x winners=1 ends=whenever')).toContain('看不懂截止时间');
    expect(await t.chat.say('admin', '/lottery create x ends=+1h')).toContain('缺少参数「中奖人数（winners=）」');
    expect(await t.chat.say('admin', '/lottery create "带空格的奖品" winners=1 ends="明天 20:00"')).toContain('带空格的奖品');
  });

  it('a check-in streak milestone grants a free entry to the newest open lottery', async () => {
    const clock = new AdjustableClock(systemClock);
    const t = (await app({ clock, config: { lottery: { milestoneEntries: [2] } } }));
    await t.chat.say('admin', '/lottery create 签到奖 winners=1 ends=+3d min_streak=5');
    await t.chat.say('ann', '/checkin');
    await clock.advance(86_400_000);
    expect(await t.chat.say('ann', '/checkin')).toContain('连续签到 2 天，获得抽奖 #1「签到奖」的免费参与资格');
    expect(await t.app.store.sql.prepare('SELECT source, cost_paid FROM lottery_entries').all()).toEqual([{ source: 'milestone', cost_paid: 0 }]);
  });
});
