/**
 * Issue #15, warm-up reminders for scheduled quizzes: `/quiz schedule "<cron>" remind=1d,1h` posts a
 * reminder before each opening (the shared reader and due rule, core/reminders.ts, as lotteries use),
 * once per opening and offset however often its job runs, none after the schedule is removed, and each
 * counts toward the content calendar's daily cap (refused at creation naming the day, skipped at fire
 * time when the day is full). Times are on a fixed clock; timers are fired with app.jobs.run.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { testApps, type TestApp } from '../helpers/app.js';

// 2026-11-23 10:00 in Asia/Shanghai, a Monday. The quiz: Wednesdays 20:00 (12:00Z).
const clock = (): FixedClock => new FixedClock('2026-11-23T02:00:00Z');
const WEDNESDAYS = '"0 20 * * 3"';
const app = testApps();
const H = 3_600_000;
const reminders = async (t: TestApp): Promise<string[]> =>
  ((await t.app.store.sql.prepare("SELECT reply_json FROM deliveries WHERE source LIKE 'quiz-remind:%' ORDER BY id").all()) as Array<{ reply_json: string }>).map((r) => (JSON.parse(r.reply_json) as Reply).text ?? '');
const remindTimers = async (t: TestApp, now: Date): Promise<string[]> => (await t.app.quiz.desired(now)).timers.map((d) => d.jobId).filter((id) => id.startsWith('quiz-remind-'));

describe('scheduled quiz warm-up reminders', () => {
  it('posts each reminder before the opening, once, re-arms the next week’s, and stops after /quiz unschedule', async () => {
    const c = clock();
    const t = await app({ clock: c });
    expect(await t.chat.say('admin', `/quiz schedule ${WEDNESDAYS} remind=1h,1d`)).toContain('#1');
    const row = (await t.app.store.sql.prepare('SELECT remind FROM quiz_schedules WHERE id = 1').get()) as { remind: string };
    expect(row.remind).toBe('1d,1h');
    const opening = Date.parse('2026-11-25T12:00:00Z');
    expect(await remindTimers(t, c.now())).toEqual([`quiz-remind-1-${opening}-${24 * H}`, `quiz-remind-1-${opening}-${H}`]);

    c.set('2026-11-24T11:59:00Z');
    await t.app.jobs.run('quiz-remind', 1, { runKey: 'early' });
    expect(await reminders(t)).toEqual([]);
    c.set('2026-11-24T12:00:00Z');
    await t.app.jobs.run('quiz-remind', 1, { runKey: 'a' });
    await t.app.jobs.run('quiz-remind', 1, { runKey: 'b' });
    expect(await reminders(t)).toHaveLength(1);
    expect((await reminders(t))[0]).toContain('还有 1 天开始');
    c.set('2026-11-25T11:00:00Z');
    await t.app.jobs.run('quiz-remind', 1, { runKey: 'c' });
    expect((await reminders(t))[1]).toContain('还有 1 小时开始');
    // After the opening the next week's reminders are wanted.
    c.set('2026-11-25T12:30:00Z');
    const next = Date.parse('2026-12-02T12:00:00Z');
    expect(await remindTimers(t, c.now())).toEqual([`quiz-remind-1-${next}-${24 * H}`, `quiz-remind-1-${next}-${H}`]);

    // Removed: nothing more is posted, and no timer is wanted.
    await t.chat.say('admin', '/quiz unschedule 1');
    c.set('2026-12-01T12:00:00Z');
    await t.app.jobs.run('quiz-remind', 1, { runKey: 'd' });
    expect(await reminders(t)).toHaveLength(2);
    expect(await remindTimers(t, c.now())).toEqual([]);
  });

  it('refuses bad offsets and one longer than the time between openings', async () => {
    const t = await app({ clock: clock() });
    expect(await t.chat.say('admin', `/quiz schedule ${WEDNESDAYS} remind=3x`)).toContain('看不懂提醒时间「3x」');
    expect(await t.chat.say('admin', `/quiz schedule ${WEDNESDAYS} remind=8d`)).toContain('太早了');
    expect(await t.chat.say('admin', '/quiz schedule "0 20 * * *" remind=1d')).toContain('太早了');
    expect(await t.app.store.sql.prepare('SELECT id FROM quiz_schedules').all()).toEqual([]);
    expect(await t.chat.say('admin', '/quiz schedule "0 20 * * *" remind=23h')).toContain('#1');
  });

  it('counts toward the daily cap: refused at creation naming the day, skipped at fire time when the day is full', async () => {
    const c = clock();
    const t = await app({ clock: c });
    // Tuesday is full (cap 2): a reminder the day before Wednesday's quiz does not fit.
    expect(await t.chat.say('admin', '/schedule once 2026-11-24T09:00 周二早报')).toContain('已安排');
    expect(await t.chat.say('admin', '/schedule once 2026-11-24T10:00 周二午报')).toContain('已安排');
    const refused = await t.chat.say('admin', `/quiz schedule ${WEDNESDAYS} remind=1d`);
    expect(refused).toContain('11月24日');
    expect(refused).toContain('上限 2 条');
    expect(await t.app.store.sql.prepare('SELECT id FROM quiz_schedules').all()).toEqual([]);
    // 1h before lands on Wednesday with room; at fire time Wednesday was filled by posts the calendar did not plan.
    expect(await t.chat.say('admin', `/quiz schedule ${WEDNESDAYS} remind=1h`)).toContain('#1');
    const insert = t.app.store.sql.prepare<[string, number], never>("INSERT INTO deliveries (community_id, dedupe_key, source, reply_json, status, created_at) VALUES (1, ?, 'announce', '{\"text\":\"x\"}', 'sent', ?)");
    await t.app.store.unit(async () => {
      await insert.run('x1', Date.parse('2026-11-25T01:00:00Z'));
      await insert.run('x2', Date.parse('2026-11-25T02:00:00Z'));
    });
    c.set('2026-11-25T11:00:00Z');
    await t.app.jobs.run('quiz-remind', 1, { runKey: 'full' });
    expect(await reminders(t)).toEqual([]);
  });
});
