/**
 * Issue #15, warm-up reminders (提前预热、多轮提醒): `/lottery create …
 * remind=3d,1d,1h` posts a reminder at each offset before the draw, once,
 * never after a cancel or a draw, and counts toward the content calendar.
 * Times are on a fixed clock; timers are fired with app.jobs.run.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { testApps, type TestApp } from '../helpers/app.js';

// 2026-11-23 10:00 in Asia/Shanghai, a Monday. The draw: Thursday 20:00 (12:00Z).
const clock = (): FixedClock => new FixedClock('2026-11-23T02:00:00Z');
const ENDS = '2026-11-26T20:00';
const app = testApps();
const reminders = async (t: TestApp): Promise<string[]> =>
  ((await t.app.store.sql.prepare("SELECT reply_json FROM deliveries WHERE source LIKE 'lottery-remind:%' ORDER BY id").all()) as Array<{ reply_json: string }>).map(
    (r) => (JSON.parse(r.reply_json) as Reply).text ?? '',
  );
const lotteryCount = async (t: TestApp): Promise<number> => Number(((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM lotteries').get()) as { n: number }).n);
const remindTimers = async (t: TestApp, now: Date): Promise<string[]> =>
  (await t.app.lottery.desired(now)).timers.map((d) => d.jobId).filter((id) => id.startsWith('lottery-remind-'));

describe('lottery warm-up reminders (提前预热、多轮提醒)', () => {
  it('posts each reminder at its time, once however often its job runs, and the reconciler re-arms only what is left', async () => {
    const c = clock();
    const t = await app({ clock: c });
    const created = await t.chat.say('admin', `/lottery create 键盘 winners=1 ends=${ENDS} remind=1h,3d,1d`);
    expect(created).toContain('抽奖 #1');
    const row = (await t.app.store.sql.prepare('SELECT remind, reminded_ms FROM lotteries WHERE id = 1').get()) as { remind: string; reminded_ms: number | null };
    expect(row).toEqual({ remind: '3d,1d,1h', reminded_ms: null });
    const H = 3_600_000;
    expect(await remindTimers(t, c.now())).toEqual([`lottery-remind-1-${72 * H}`, `lottery-remind-1-${24 * H}`, `lottery-remind-1-${H}`]);

    // Too early: nothing.
    c.set('2026-11-23T11:59:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'early' });
    expect(await reminders(t)).toEqual([]);
    // Monday 20:00, three days before: posted once, however often the job runs.
    c.set('2026-11-23T12:00:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: `lottery-remind-1-${72 * H}` });
    await t.app.jobs.run('lottery-remind', 1, { runKey: `lottery-remind-1-${72 * H}` });
    c.set('2026-11-23T12:05:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'again' });
    expect(await reminders(t)).toEqual(['🎁 抽奖 #1「键盘」还有 3 天开奖，回复 参与抽奖 1 参加']);
    expect(await remindTimers(t, c.now())).toEqual([`lottery-remind-1-${24 * H}`, `lottery-remind-1-${H}`]);

    c.set('2026-11-25T12:00:00Z');
    await Promise.all([t.app.jobs.run('lottery-remind', 1, { runKey: 'a' }), t.app.jobs.run('lottery-remind', 1, { runKey: 'b' })]);
    c.set('2026-11-26T11:00:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'c' });
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'd' });
    expect(await reminders(t)).toEqual([
      '🎁 抽奖 #1「键盘」还有 3 天开奖，回复 参与抽奖 1 参加',
      '🎁 抽奖 #1「键盘」还有 1 天开奖，回复 参与抽奖 1 参加',
      '🎁 抽奖 #1「键盘」还有 1 小时开奖，回复 参与抽奖 1 参加',
    ]);
    expect(await remindTimers(t, c.now())).toEqual([]);
    // Members can join from the reminder itself.
    const [post] = (await t.app.store.sql.prepare("SELECT reply_json FROM deliveries WHERE source = 'lottery-remind:1' ORDER BY id DESC LIMIT 1").all()) as Array<{ reply_json: string }>;
    expect((JSON.parse(post?.reply_json ?? '{}') as Reply).actions).toEqual([{ label: '参与抽奖', command: 'lottery join 1', style: 'primary' }]);
  });

  it('a late run posts only the latest reminder due (never an older one after it), and English communities read English', async () => {
    const c = clock();
    const t = await app({ clock: c, config: { community: { locale: { playground: 'en' } } } });
    expect(await t.chat.say('admin', `/lottery create Keyboard winners=1 ends=${ENDS} remind=3d,1d,30m`)).toContain('#1');
    // Down from before Monday's reminder until Wednesday's: only Wednesday's goes out.
    c.set('2026-11-25T12:10:00Z');
    expect(await remindTimers(t, c.now())).toEqual([`lottery-remind-1-${24 * 3_600_000}`, `lottery-remind-1-${30 * 60_000}`]);
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'late' });
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'late-3d' });
    expect(await reminders(t)).toEqual(['🎁 Lottery #1 "Keyboard" is drawn in 1 day(s): send /lottery join 1 to enter']);
    c.set('2026-11-26T11:30:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: '30m' });
    expect((await reminders(t))[1]).toBe('🎁 Lottery #1 "Keyboard" is drawn in 30 minute(s): send /lottery join 1 to enter');
  });

  it('nothing is posted after a cancel or a draw, and their timers are no longer wanted', async () => {
    const c = clock();
    const t = await app({ clock: c });
    await t.chat.say('admin', `/lottery create 一 winners=1 ends=${ENDS} remind=1d`);
    await t.chat.say('admin', `/lottery create 二 winners=1 ends=${ENDS} remind=1d`);
    expect(await t.chat.say('admin', '/lottery cancel 1')).toContain('#1');
    await t.chat.say('alice', '参与抽奖 2');
    expect(await t.chat.say('admin', '/lottery draw 2')).toContain('开奖');
    expect(await remindTimers(t, c.now())).toEqual([]);
    c.set('2026-11-25T12:00:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'r1' });
    await t.app.jobs.run('lottery-remind', 2, { runKey: 'r2' });
    expect(await reminders(t)).toEqual([]);
    expect(await t.app.jobs.run('lottery-remind', 9, { runKey: 'r9' })).toBe('missing');
  });

  it('bad offsets are refused with a clear message and nothing is stored', async () => {
    const t = await app({ clock: clock() });
    const refusals: Array<[string, string]> = [
      ['3x', '看不懂提醒时间「3x」'],
      ['0h', '看不懂提醒时间「0h」'],
      ['1d,', '看不懂提醒时间「」'],
      ['1.5h', '看不懂提醒时间「1.5h」'],
      ['1m,2m,3m,4m,5m,6m', '提醒最多 5 个'],
      ['2h,120m', '提醒时间「120m」重复了'],
      ['4d', '提醒「4d」太早了'],
      ['3d4h', '看不懂提醒时间「3d4h」'],
    ];
    for (const [remind, message] of refusals) expect(await t.chat.say('admin', `/lottery create 键盘 winners=1 ends=${ENDS} remind=${remind}`)).toContain(message);
    // The draw is 82 hours away: 82h is not before now, 81h is.
    expect(await t.chat.say('admin', `/lottery create 键盘 winners=1 ends=${ENDS} remind=82h`)).toContain('太早了');
    expect(await lotteryCount(t)).toBe(0);
    const en = await app({ clock: clock(), config: { community: { locale: { playground: 'en' } } } });
    expect(await en.chat.say('admin', `/lottery create Keyboard winners=1 ends=${ENDS} remind=5d`)).toContain('The reminder "5d" is too early: the draw is sooner than that.');
    expect(await lotteryCount(en)).toBe(0);
    expect(await t.chat.say('admin', `/lottery create 键盘 winners=1 ends=${ENDS} remind=81h,1m`)).toContain('抽奖 #1');
  });

  it('reminders count toward the daily cap: refused at creation naming the day, they fill a day for later posts, and one over the cap at fire time is skipped', async () => {
    const c = clock();
    const t = await app({ clock: c });
    // Monday: an announcement now and a post at noon fill the day (cap 2).
    expect(await t.chat.say('admin', '/announce 早安')).toContain('公告');
    expect(await t.chat.say('admin', '/schedule once 12:00 午报')).toContain('已安排');
    const refused = await t.chat.say('admin', `/lottery create 键盘 winners=1 ends=${ENDS} remind=3d,1d`);
    expect(refused).toContain('11月23日');
    expect(refused).toContain('上限 2 条');
    expect(await lotteryCount(t)).toBe(0);
    // Wednesday has room for the 1d reminder; with it, Wednesday takes one more post, not two.
    expect(await t.chat.say('admin', `/lottery create 键盘 winners=1 ends=${ENDS} remind=1d`)).toContain('抽奖 #1');
    expect(await t.chat.say('admin', '/schedule once 2026-11-25T09:00 周三早报')).toContain('已安排');
    const full = await t.chat.say('admin', '/schedule once 2026-11-25T10:00 周三午报');
    expect(full).toContain('11月25日');
    expect(full).toContain('上限 2 条');

    // At fire time: the day was filled by posts the calendar did not plan; the reminder is skipped, once and for good.
    const insert = t.app.store.sql.prepare<[string, number], never>("INSERT INTO deliveries (community_id, dedupe_key, source, reply_json, status, created_at) VALUES (1, ?, 'announce', '{\"text\":\"x\"}', 'sent', ?)");
    await t.app.store.unit(async () => {
      await insert.run('wed-1', Date.parse('2026-11-25T02:00:00Z'));
      await insert.run('wed-2', Date.parse('2026-11-25T03:00:00Z'));
    });
    c.set('2026-11-25T12:00:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'wed' });
    expect(await reminders(t)).toEqual([]);
    expect(((await t.app.store.sql.prepare('SELECT reminded_ms FROM lotteries WHERE id = 1').get()) as { reminded_ms: number }).reminded_ms).toBe(24 * 3_600_000);
    c.set('2026-11-25T12:30:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'wed-again' });
    expect(await reminders(t)).toEqual([]);
  });

  it('a posted reminder counts as that day\'s calendar post', async () => {
    const c = clock();
    const t = await app({ clock: c });
    expect(await t.chat.say('admin', `/lottery create 键盘 winners=1 ends=${ENDS} remind=1d`)).toContain('抽奖 #1');
    c.set('2026-11-25T12:00:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'wed' });
    expect(await reminders(t)).toHaveLength(1);
    c.set('2026-11-25T13:00:00Z');
    expect(await t.chat.say('admin', '/announce 晚安')).toContain('公告');
    expect(await t.chat.say('admin', '/announce 再来一条')).toContain('上限 2 条');
  });

  it('/schedule calendar lists the planned and the posted reminders', async () => {
    const c = clock();
    const t = await app({ clock: c });
    expect(await t.chat.say('admin', `/lottery create 机械键盘 winners=1 ends=${ENDS} remind=3d,1d`)).toContain('抽奖 #1');
    const week = await t.chat.say('admin', '/schedule calendar');
    expect(week).toContain('20:00 抽奖提醒 #1（机械键盘）');
    expect(week.match(/抽奖提醒 #1/g)).toHaveLength(2);
    // Monday's reminder posted: still listed (now from the outbox), Wednesday's still planned.
    c.set('2026-11-23T12:00:00Z');
    await t.app.jobs.run('lottery-remind', 1, { runKey: 'mon' });
    c.set('2026-11-23T13:00:00Z');
    const after = await t.chat.say('admin', '/schedule calendar');
    expect(after.match(/抽奖提醒 #1（机械键盘）/g)).toHaveLength(2);
    // Cancelled: the planned one is gone, the posted one stays in the record.
    await t.chat.say('admin', '/lottery cancel 1');
    expect((await t.chat.say('admin', '/schedule calendar')).match(/抽奖提醒 #1/g)).toHaveLength(1);
  });
});
