import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

const DAY = 86_400_000;

describe('check-in and points, as a conversation', () => {
  let t: TestApp;
  let clock: FixedClock;

  beforeEach(async () => {
    // 2026-11-23 10:00 in Asia/Shanghai (a Monday).
    clock = new FixedClock('2026-11-23T02:00:00Z');
    t = (await makeTestApp({ clock, config: { checkin: { streakBonuses: [{ days: 3, points: 5 }], milestones: [3] } } }));
  });
  afterEach(() => t.close());

  it('a second check-in on the same day awards nothing and shows the streak', async () => {
    expect(await t.chat.say('alice', '/checkin')).toContain('+10');
    expect(await t.chat.say('alice', '签到')).toBe('你今天已经签到过了，当前连续 1 天。明天再来吧！');
    expect((await t.app.points.profile(1, 1)).balance).toBe(10);
  });

  it('streaks grow day by day, pay the bonus, celebrate the milestone and reset after a missed day', async () => {
    await t.chat.say('alice', '/checkin');
    clock.advance(DAY);
    expect(await t.chat.say('alice', '/checkin')).toContain('连续签到 2 天');
    clock.advance(DAY);
    const third = await t.chat.say('alice', '/checkin');
    expect(third).toContain('+15');
    expect(third).toContain('基础 10 + 连续奖励 5');
    expect(third).toContain('达成连续签到 3 天成就');
    clock.advance(2 * DAY);
    const afterGap = await t.chat.say('alice', '/checkin');
    expect(afterGap).toContain('连续签到 1 天');
    expect(afterGap).toContain('之前的 3 天连续记录中断了');
    expect(await t.chat.say('alice', '/points')).toContain('连续签到：1 天（最长 3 天）');
  });

  it('the day turns at the community midnight, not UTC midnight', async () => {
    clock.set('2026-11-23T15:59:00Z'); // 23:59 Shanghai
    await t.chat.say('alice', '/checkin');
    clock.set('2026-11-23T16:00:00Z'); // 00:00 the next day in Shanghai, same UTC day
    expect(await t.chat.say('alice', '/checkin')).toContain('连续签到 2 天');
  });

  it('check-in replies give today\'s order', async () => {
    await t.chat.say('alice', '/checkin');
    await t.chat.say('bob', '/checkin');
    expect(await t.chat.say('carol', '/checkin')).toContain('今天第 3 个签到');
  });

  it('a retried delivery gets the same reply and no second effect', async () => {
    const first = await t.chat.send('alice', '/checkin', { deliveryId: 'm-1' });
    const again = await t.app.router.handle(t.chat.event('alice', '/checkin', { deliveryId: 'm-1' }));
    expect(again.duplicate).toBe(true);
    expect(again.replies).toEqual(first);
    expect((await t.app.points.profile(1, 1)).balance).toBe(10);
  });

  it('level-up is announced in the reply that crosses the threshold', async () => {
    await t.chat.say('alice', '/checkin');
    expect(await t.chat.say('admin', '/grant alice 85 welcome gift')).toContain('当前余额：95');
    clock.advance(DAY);
    expect(await t.chat.say('alice', '/checkin')).toContain('升级啦！你现在是「进阶」');
  });

  it('admin commands are refused for members and change nothing', async () => {
    await t.chat.say('bob', '/checkin');
    expect(await t.chat.say('bob', '/grant bob 1000 me')).toBe('只有管理员可以使用 /grant。');
    expect(await t.chat.say('bob', '/deduct alice 5 x')).toBe('只有管理员可以使用 /deduct。');
    expect((await t.app.points.profile(1, 1)).balance).toBe(10);
  });

  it('bad arguments get a clear message and change nothing', async () => {
    await t.chat.say('alice', '/checkin');
    expect(await t.chat.say('admin', '/grant alice -5 nope')).toContain('超出范围');
    expect(await t.chat.say('admin', '/grant alice lots nope')).toContain('需要一个整数');
    expect(await t.chat.say('admin', '/grant ghost 5 nope')).toContain('找不到成员「ghost」');
    expect(await t.chat.say('admin', '/deduct alice 11 too much')).toContain('余额只有 10 分');
    expect(await t.chat.say('admin', '/grant alice 5')).toBe('缺少参数「原因」。用法：/grant <成员> <积分> <原因>');
    expect(await t.chat.say('alice', '/dance')).toContain('没有「dance」这个指令');
    expect((await t.app.points.profile(1, 1)).balance).toBe(10);
  });

  it('week and month leaderboards count points earned in the period, in the community calendar', async () => {
    await t.chat.say('alice', '/checkin');
    await t.chat.say('bob', '/help'); // bob is seen (members are known from their first message)
    expect(await t.chat.say('admin', '/grant bob 40 event winner')).toContain('已给 bob 加 40 分');
    // Sunday 23:30 Shanghai is still this week.
    clock.set('2026-11-29T15:30:00Z');
    await t.chat.say('carol', '/checkin');
    const week = await t.chat.say('alice', '/leaderboard week');
    expect(week).toMatch(/1\. bob — 40 分\n2\. alice — 10 分\n2\. carol — 10 分/);
    // Monday 00:30 Shanghai: a new week; the month still counts everything.
    clock.set('2026-11-29T16:30:00Z');
    await t.chat.say('alice', '/checkin');
    expect(await t.chat.say('alice', '/排行榜 本周')).toMatch(/1\. alice — 10 分\n\n你的排名：第 1 名（10 分）/);
    expect(await t.chat.say('carol', '/leaderboard week')).toContain('你在这个时间段还没有获得积分');
    expect(await t.chat.say('alice', '/leaderboard month')).toMatch(/1\. bob — 40 分\n2\. alice — 20 分/);
    expect(await t.chat.say('alice', '/leaderboard all')).toContain('你的排名：第 2 名（20 分）');
  });

  it('/points for another member is public, for yourself private', async () => {
    await t.chat.say('alice', '/checkin');
    const [mine] = await t.chat.send('alice', '/points');
    expect(mine?.ephemeral).toBe(true);
    const [theirs] = await t.chat.send('bob', '/points @alice');
    expect(theirs?.ephemeral).toBe(false);
    expect(theirs?.title).toBe('alice 的积分');
  });

  it('a refused first command in a new community leaves the community usable', async () => {
    const fresh = (await makeTestApp({ clock }));
    try {
      expect(await fresh.chat.say('admin', '/grant ghost 5 nope')).toContain('找不到成员');
      expect(await fresh.chat.say('alice', '/checkin')).toContain('签到成功');
    } finally {
      await fresh.close();
    }
  });

  it('/help lists admin commands only to admins', async () => {
    expect(await t.chat.say('alice', '/help')).not.toContain('/grant');
    expect(await t.chat.say('admin', '/帮助')).toContain('/grant <成员> <积分> <原因>');
  });

  it('English communities get English replies', async () => {
    const en = (await makeTestApp({ clock, config: { community: { locale: { playground: 'en' } } } }));
    try {
      expect(await en.chat.say('alice', '/checkin')).toContain('alice checked in! +10 points');
    } finally {
      await en.close();
    }
  });

  it('streak freezes are bought with points and bridge a missed day', async () => {
    const f = (await makeTestApp({ clock, config: { checkin: { freeze: { enabled: true, cost: 5, maxHeld: 1 } } } }));
    try {
      await f.chat.say('alice', '/checkin');
      expect(await f.chat.say('alice', '/freeze')).toContain('你现在有 1 张补签卡，余额 5');
      expect(await f.chat.say('alice', '/补签卡')).toContain('最多只能持有 1 张');
      clock.advance(2 * DAY);
      const reply = await f.chat.say('alice', '/checkin');
      expect(reply).toContain('连续签到 2 天');
      expect(reply).toContain('使用了 1 张补签卡');
    } finally {
      await f.close();
    }
  });
});
