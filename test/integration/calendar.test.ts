/**
 * Issue #15, "content calendar that keeps its promises": each loophole the
 * issue lists, as a conversation. Times are on a fixed clock; timers are
 * fired with app.jobs.run, never waited for.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { testApps, type TestApp } from '../helpers/app.js';

// 2026-11-23 10:00 in Asia/Shanghai, a Monday.
const clock = (): FixedClock => new FixedClock('2026-11-23T02:00:00Z');
const app = testApps();
const posted = async (t: TestApp): Promise<string[]> =>
  ((await t.app.store.sql.prepare("SELECT reply_json FROM deliveries WHERE source LIKE 'post:%' OR source LIKE 'announce%' ORDER BY id").all()) as Array<{ reply_json: string }>).map(
    (r) => (JSON.parse(r.reply_json) as Reply).text ?? '',
  );
const postCount = async (t: TestApp): Promise<number> => ((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM scheduled_posts').get()) as { n: number }).n;

describe('the daily cap (每日推送 1–2 次)', () => {
  it("scheduled quizzes' openings count: a quiz at 12:00 and a post at 09:00 fill the day, a third is refused either way, and the calendar lists the quiz", async () => {
    const t = await app({ clock: clock() });
    expect(await t.chat.say('admin', '/schedule add "0 9 * * *" 早安')).toContain('已添加周期发布 #1');
    expect(await t.chat.say('admin', '/quiz schedule "0 12 * * *"')).toContain('已设置定时答题 #1');
    // A third daily thing, a post or a quiz, would make three a day.
    expect(await t.chat.say('admin', '/schedule add "0 20 * * *" 晚安')).toContain('上限 2 条');
    expect(await t.chat.say('admin', '/quiz schedule "30 20 * * *"')).toContain('上限 2 条');
    expect((await t.app.store.sql.prepare("SELECT COUNT(*) AS n FROM quiz_schedules WHERE status = 'active'").get())).toEqual({ n: 1 });
    expect(await postCount(t)).toBe(1);
    const week = await t.chat.say('admin', '/schedule calendar');
    expect(week).toContain('定时答题 #1');
    // Another quiz on a day of its own is fine: Sundays, when the daily post is the only other one.
    expect(await t.chat.say('admin', '/schedule remove 1')).toContain('1');
    expect(await t.chat.say('admin', '/quiz schedule "0 15 * * 0"')).toContain('已设置定时答题 #2');
  });

  it('at fire time a scheduled quiz finds the day at its cap and does not open; the next day it opens and counts', async () => {
    const c = clock();
    const t = await app({ clock: c });
    expect(await t.chat.say('admin', '/quiz schedule "0 20 * * *"')).toContain('已设置定时答题 #1');
    // With the quiz planned at 20:00, a second announcement today is refused already.
    expect(await t.chat.say('admin', '/announce 早安')).toContain('公告');
    expect(await t.chat.say('admin', '/announce 午安')).toContain('上限 2 条');
    // Two posts made today anyway (say, before this version counted quizzes): the 20:00 tick finds the day full.
    const insert = t.app.store.sql.prepare<[string, number], never>("INSERT INTO deliveries (community_id, dedupe_key, source, reply_json, status, created_at) VALUES (1, ?, 'announce', '{\"text\":\"x\"}', 'sent', ?)");
    await t.app.store.unit(() => insert.run('older-announce', Date.parse('2026-11-23T03:00:00Z')));
    c.set('2026-11-23T12:00:00Z');
    await t.app.jobs.run('quiz-scheduled', 1, { runKey: 'tick-20h' });
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM quiz_sessions').get())).toEqual({ n: 0 });
    // The next day has room: the quiz opens, and is that day's calendar post.
    c.set('2026-11-24T12:00:00Z');
    await t.app.jobs.run('quiz-scheduled', 1, { runKey: 'tick-20h-next' });
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM quiz_sessions').get())).toEqual({ n: 1 });
    c.set('2026-11-24T13:00:00Z');
    expect(await t.chat.say('admin', '/announce 晚安')).toContain('公告');
    expect(await t.chat.say('admin', '/announce 再来一条')).toContain('上限 2 条');
  });

  it('the probe: ten one-off posts in a day are refused after the second, naming the day', async () => {
    const t = (await app({ clock: clock() }));
    expect(await t.chat.say('admin', '/schedule once 20:00 一')).toContain('已安排');
    expect(await t.chat.say('admin', '/schedule once 21:00 二')).toContain('已安排');
    for (let i = 3; i <= 10; i++) {
      const refused = await t.chat.say('admin', `/schedule once 22:${String(i).padStart(2, '0')} 第${i}条`);
      expect(refused).toContain('11月23日');
      expect(refused).toContain('上限 2 条');
    }
    expect((await postCount(t))).toBe(2);
    // Another day is fine.
    expect(await t.chat.say('admin', '/schedule once 2026-11-24T09:00 三')).toContain('已安排');
  });

  it('the probe: a `* * * * *` cron is refused by the daily cap (in English too)', async () => {
    const t = (await app({ clock: clock(), config: { posts: { minIntervalSeconds: 60 } } }));
    expect(await t.chat.say('admin', '/schedule add "* * * * *" spam')).toContain('上限 2 条');
    const en = (await app({ clock: clock(), config: { posts: { minIntervalSeconds: 60 }, community: { locale: { playground: 'en' } } } }));
    const refused = await en.chat.say('admin', '/schedule add "* * * * *" spam');
    expect(refused).toContain('Monday, November 23');
    expect(refused).toContain('at most 2');
    expect((await postCount(t)) + (await postCount(en))).toBe(0);
  });

  it('announcements count: two /announce today, then a post later today is refused', async () => {
    const t = (await app({ clock: clock() }));
    expect(await t.chat.say('admin', '/announce 早安')).toContain('公告');
    expect(await t.chat.say('admin', '/announce 午安')).toContain('公告');
    expect(await t.chat.say('admin', '/schedule once 20:00 晚安')).toContain('上限 2 条');
    expect(await t.chat.say('admin', '/announce 第三条')).toContain('上限 2 条');
  });

  it('posts.dailyCap null turns it off', async () => {
    const t = (await app({ clock: clock(), config: { posts: { dailyCap: null } } }));
    for (let i = 1; i <= 4; i++) expect(await t.chat.say('admin', `/schedule once 2${i - 1}:00 第${i}条`)).toContain('已安排');
  });

  it('at fire time, a post over the cap is skipped, logged and marked in /schedule list', async () => {
    const c = clock();
    const t = (await app({ clock: c }));
    expect(await t.chat.say('admin', '/schedule once 20:00 晚报')).toContain('已安排');
    expect(await t.chat.say('admin', '/schedule add "0 21 * * *" 每日一句')).toContain('已添加');
    // A post the calendar did not plan (made while the cap was off, say) fills the day.
    await t.app.store.sql.prepare('INSERT INTO deliveries (community_id, dedupe_key, source, reply_json, status, created_at) VALUES (1, ?, ?, ?, ?, ?)').run('x-1', 'announce', '{"text":"x"}', 'sent', Date.parse('2026-11-23T11:00:00Z'));
    c.set('2026-11-23T12:00:00Z');
    await t.app.jobs.run('post', 1);
    c.set('2026-11-23T13:00:00Z');
    await t.app.jobs.run('schedule-post', 2, { runKey: 'tick-1' });
    expect((await posted(t))).toEqual(['x', '晚报']);
    expect(await t.chat.say('admin', '/schedule list')).toContain('已跳过');
    // The next day has room again.
    c.set('2026-11-24T13:00:00Z');
    await t.app.jobs.run('schedule-post', 2, { runKey: 'tick-2' });
    expect((await posted(t))).toEqual(['x', '晚报', '每日一句']);
  });

  it('a one-off post over the cap at fire time is skipped and shown so', async () => {
    const c = clock();
    const t = (await app({ clock: c, config: { posts: { dailyCap: 1 } } }));
    expect(await t.chat.say('admin', '/schedule once 20:00 晚报')).toContain('已安排');
    await t.app.store.sql.prepare('INSERT INTO deliveries (community_id, dedupe_key, source, reply_json, status, created_at) VALUES (1, ?, ?, ?, ?, ?)').run('x-1', 'announce', '{"text":"x"}', 'sent', c.now().getTime());
    c.set('2026-11-23T12:00:00Z');
    await t.app.jobs.run('post', 1);
    expect((await posted(t))).toEqual(['x']);
    expect(await t.chat.say('admin', '/schedule list')).toContain('已跳过');
  });
});

describe('the promo share (促销内容不超过 20–30%)', () => {
  it('no post is always allowed: one promo post alone is 100% of the week', async () => {
    const t = (await app({ clock: clock() }));
    expect(await t.chat.say('admin', '/schedule once +1h 新品 #promo')).toContain('100%（1/1）');
  });

  it('/announce … #promo is counted, and refused over the share', async () => {
    const t = (await app({ clock: clock(), config: { posts: { dailyCap: null } } }));
    for (let i = 1; i <= 3; i++) expect(await t.chat.say('admin', `/schedule once 2026-11-24T${10 + i}:00 资讯${i}`)).toContain('已安排');
    expect(await t.chat.say('admin', '/announce 限时特价 #promo')).toContain('公告');
    // 2 promo of 5: 40% > 30%.
    expect(await t.chat.say('admin', '/schedule once 2026-11-25T09:00 折扣 #promo')).toContain('40%（2/5）');
    expect(await t.chat.say('admin', '/announce 再来一条 #promo')).toContain('40%（2/5）');
  });

  it('members never see the #promo tag; the stored text keeps it', async () => {
    const c = clock();
    const t = (await app({ clock: c, config: { posts: { promoMaxShare: null } } }));
    await t.chat.say('admin', '/announce 限时特价 #promo 快来');
    await t.chat.say('admin', '/schedule once 20:00 #promo 新品上架');
    c.set('2026-11-23T12:00:00Z');
    await t.app.jobs.run('post', 1);
    expect((await posted(t))).toEqual(['限时特价 快来', '新品上架']);
    expect((await t.app.store.sql.prepare('SELECT text, promo FROM scheduled_posts').get())).toEqual({ text: '#promo 新品上架', promo: 1 });
  });

  it('pause a promo post, add another, resume the first: the resume is refused', async () => {
    const t = (await app({ clock: clock(), config: { posts: { dailyCap: null } } }));
    for (let i = 1; i <= 5; i++) expect(await t.chat.say('admin', `/schedule once 2026-11-24T${10 + i}:00 资讯${i}`)).toContain('已安排');
    expect(await t.chat.say('admin', '/schedule once 2026-11-25T09:00 新品 #promo')).toContain('已安排'); // 1/6
    expect(await t.chat.say('admin', '/schedule once 2026-11-26T09:00 折扣 #promo')).toContain('已安排'); // 2/7 = 29%
    expect(await t.chat.say('admin', '/schedule pause 6')).toContain('已暂停');
    expect(await t.chat.say('admin', '/schedule once 2026-11-27T09:00 秒杀 #promo')).toContain('已安排'); // 2/7 again
    expect(await t.chat.say('admin', '/schedule resume 6')).toContain('38%（3/8）');
    expect((await t.app.store.sql.prepare('SELECT status FROM scheduled_posts WHERE id = 6').get())).toEqual({ status: 'paused' });
  });

  it('resuming a recurring post re-checks the daily cap', async () => {
    const t = (await app({ clock: clock() }));
    expect(await t.chat.say('admin', '/schedule add "0 20 * * *" 晚报')).toContain('已添加');
    expect(await t.chat.say('admin', '/schedule pause 1')).toContain('已暂停');
    expect(await t.chat.say('admin', '/schedule add "0 21 * * *" 夜读')).toContain('已添加');
    expect(await t.chat.say('admin', '/schedule add "0 22 * * *" 晚安')).toContain('已添加');
    expect(await t.chat.say('admin', '/schedule resume 1')).toContain('上限 2 条');
  });

  it('promos on more than two consecutive days are refused (避免连续几天都是促销)', async () => {
    const t = (await app({ clock: clock(), config: { posts: { promoMaxShare: null } } }));
    expect(await t.chat.say('admin', '/schedule once 2026-11-24T09:00 一 #promo')).toContain('已安排');
    expect(await t.chat.say('admin', '/schedule once 2026-11-25T09:00 二 #promo')).toContain('已安排');
    const refused = await t.chat.say('admin', '/schedule once 2026-11-26T09:00 三 #promo');
    expect(refused).toContain('连续 3 天');
    expect(refused).toContain('11月26日');
    // Before the run works too: today would make Monday, Tuesday, Wednesday.
    expect(await t.chat.say('admin', '/schedule once 20:00 零 #promo')).toContain('连续 3 天');
    expect(await t.chat.say('admin', '/schedule once 2026-11-27T09:00 四 #promo')).toContain('已安排');
  });

  it('a daily promo cron is refused for the consecutive days even with the share off', async () => {
    const t = (await app({ clock: clock(), config: { posts: { promoMaxShare: null } } }));
    expect(await t.chat.say('admin', '/schedule add "0 20 * * *" 每日特价 #promo')).toContain('最多连续 2 天');
  });
});

describe('/schedule calendar (内容日历)', () => {
  it('shows what will post when, promo marks, the day caps and the share', async () => {
    const t = (await app({ clock: clock(), config: { posts: { promoMaxShare: 0.5 } } }));
    expect(await t.chat.say('admin', '/announce 早安')).toContain('公告');
    expect(await t.chat.say('admin', '/schedule add "0 20 * * 3" 周三读书会')).toContain('已添加');
    expect(await t.chat.say('admin', '/schedule once 2026-11-24T09:00 新品 #promo')).toContain('已安排');
    const week = await t.chat.say('admin', '/定时 日历');
    expect(week).toContain('11月23日');
    expect(week).toContain('1/2');
    expect(week).toContain('09:00');
    expect(week).toContain('推广');
    expect(week).toContain('20:00');
    expect(week).toContain('周三读书会');
    expect(week).toContain('33%（1/3）');
    const month = await t.chat.say('admin', '/schedule calendar month');
    expect(month).toContain('11月25日');
    expect(month).not.toContain('12月');
    expect(await t.chat.say('admin', '/定时 内容日历 本月')).toContain('11月25日');
  });

  it('stays short: a month of a cron that fires every hour is summarised per day', async () => {
    const t = (await app({ clock: clock(), config: { posts: { dailyCap: null, minIntervalSeconds: 60 } } }));
    await t.chat.say('admin', '/schedule add "0 * * * *" 整点报时');
    const month = await t.chat.say('admin', '/schedule calendar month');
    expect(month.split('\n').length).toBeLessThan(40);
    expect(month).toContain('还有');
  });
});
