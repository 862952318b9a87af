import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import { testApps } from '../helpers/app.js';
import { T0, at, chatter, join, leave } from '../helpers/analytics.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });

describe('/stats today|week|month', () => {
  it('shows the headline numbers against the previous day with the benchmarks beside them', async () => {
    const clock = new FixedClock(at(-1));
    const t = (await app({ clock }));
    // Yesterday: a, b and c join; admin and a chat, b checks in.
    await chatter(t, 'admin');
    for (const u of ['a', 'b', 'c']) await join(t, u);
    await chatter(t, 'a');
    await t.chat.say('b', '/checkin');
    // Today: d joins, c leaves, a checks in and chats.
    clock.set(T0);
    await join(t, 'd');
    await leave(t, 'c');
    await t.chat.say('a', '/checkin');
    await chatter(t, 'a');

    const out = await t.chat.say('admin', '/stats');
    expect(out).toContain('📊 今日数据（2026-11-23，对比昨天）');
    // Members at the end of today: admin, a, b, d.
    expect(out).toContain('👥 成员 4 人 · 新增 1 · 退出 1 · 净增 0 ↓3');
    expect(out).toContain('日活 1 人 · 日活跃率 25% ↓50%（健康线 15%）');
    expect(out).toContain('周活 3 人（75% →）· 月活 3 人（75% →）');
    expect(out).toContain('签到率 25% →（1 人）');
    expect(out).toContain('发言率 25% ↓25%（1 人）');
    expect(out).toContain('活动参与率 0% →（0 人，良好线 30%）');
    expect(out).toContain('每百人每天互动 50 次 ↓25（参考 15）');
    expect(out.split('\n').length).toBeLessThanOrEqual(12);

    // The Chinese names work, and the week averages its days.
    const week = await t.chat.say('admin', '/数据 本周');
    expect(week).toContain('📊 本周数据（2026-11-17 至 2026-11-23，对比前 7 天）');
    expect(week).toContain('👥 成员 4 人 · 新增 4 · 退出 1 · 净增 +3 ↑3');
    // Active member-days: yesterday 3 (admin, a, b), today 2 (a, and admin's /stats of a moment ago): 5 over 7 days.
    expect(week).toContain('日均日活 0.7 人 · 日活跃率 18% ↑18%（健康线 15%）');
    expect(await t.chat.say('admin', '/统计 本月')).toContain('对比前 30 天');
    expect(await t.chat.say('a', '/stats today')).toContain('只有管理员');
  });

  it('counts lottery entries and quiz answers as participation', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    for (const u of ['admin', 'a', 'b', 'c']) await chatter(t, u);
    expect(await t.chat.say('admin', '/lottery create 机械键盘 winners=1 ends=+1h')).toContain('机械键盘');
    expect(await t.chat.say('a', '/lottery join 1')).toContain('参与成功');
    expect(await t.chat.say('b', '/lottery join 1')).toContain('参与成功');
    expect(await t.chat.say('admin', '/stats today')).toContain('活动参与率 50% ↑50%（2 人，良好线 30%）');
    // A quiz answer (written as the quiz feature writes it): c takes part too, b is counted once.
    const db = t.app.store.sql;
    const member = async (name: string) => ((await db.prepare('SELECT id FROM members WHERE display_name = ?').get(name)) as { id: number }).id;
    await db.prepare("INSERT INTO quiz_sessions (id, community_id, bank, bank_name, mode, locale, question_count, status, created_at) VALUES (1, 1, 'b', 'b', 'first', 'zh-CN', 1, 'finished', ?)").run(T0.getTime());
    await db.prepare("INSERT INTO quiz_rounds (id, session_id, n, question_id, question_json, seconds, status) VALUES (1, 1, 1, 'q', '{}', 30, 'closed')").run();
    const answer = db.prepare("INSERT INTO quiz_answers (round_id, member_id, text, correct, answered_at) VALUES (1, ?, 'B', 1, ?)");
    await answer.run((await member('c')), T0.getTime());
    await answer.run((await member('b')), T0.getTime());
    expect(await t.chat.say('admin', '/stats today')).toContain('活动参与率 75% ↑75%（3 人，良好线 30%）');
    // A poll vote counts too (admin takes part: 4 of 4); a vote in an anonymous poll cannot be attributed.
    expect(await t.chat.say('admin', '/poll create "周末活动？" 爬山 | 看电影')).toContain('#1');
    expect(await t.chat.say('admin', '/poll vote 1 2')).toContain('已投票：第 2 项「看电影」');
    expect(await t.chat.say('admin', '/stats today')).toContain('活动参与率 100% ↑100%（4 人，良好线 30%）');
  });

  it('in a WeCom group, active means interacted with the bot and the speaking rate is not measurable', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    const wecom = { platform: 'wecom' as const, externalId: 'wrStats', name: '企微群' };
    const inWecom = async (user: string, text: string): Promise<string> =>
      (await t.app.router.handle({ ...t.chat.event(user, text), community: wecom, addressed: true } as ChatEvent)).replies.map((r) => [r.title, r.text].join('\n')).join('\n');
    await inWecom('m1', '签到');
    await inWecom('m2', '@bot 你好');
    const out = await inWecom('admin', '数据 今天');
    expect(out).toContain('日活 2 人 · 日活跃率 67%');
    expect(out).toContain('发言率：无法统计');
    expect(out).toContain('「活跃」指与机器人互动');
    expect(await t.chat.say('admin', '/stats today')).not.toContain('无法统计');
  });
});

describe('/stats in English, in a DST timezone with a late day start', () => {
  it('reads the days of the community (America/New_York, day-start 4) and speaks its language', async () => {
    // 03:30 EST on Dec 1 still belongs to Nov 30 there.
    const clock = new FixedClock('2026-12-01T08:30:00.000Z');
    const t = (await app({ clock, config: { community: { overrides: { 'playground:demo': { locale: 'en', timezone: 'America/New_York', dayStartHour: 4 } } } } }));
    await join(t, 'a');
    await chatter(t, 'a');
    const out = await t.chat.say('admin', '/stats');
    expect(out).toContain('📊 Today (2026-11-30, against yesterday)');
    // The admin asking is a member too (first seen now, not a join).
    expect(out).toContain('👥 Members 2 · joined 1 · left 0 · net +1 ↑1');
    expect(out).toContain('DAU 1 · daily active rate 50% ↑50% (healthy above 15%)');
    expect(out).toContain('Speaking rate 50% ↑50% (1)');
    expect(out).toContain('Interactions per 100 members a day 50 ↑50 (typical: 15)');
  });
});

describe('/stats retention', () => {
  it('shows weekly join cohorts with day-1, day-7 and day-30 retention, a rejoin counted again', async () => {
    const clock = new FixedClock(at(-14)); // Monday Nov 9
    const t = (await app({ clock }));
    await join(t, 'x');
    await join(t, 'y');
    clock.set(at(-13));
    await chatter(t, 'x'); // x on day 1
    clock.set(at(-7));
    await chatter(t, 'y'); // y on day 7
    clock.set(at(-6));
    await leave(t, 'y');
    clock.set(at(-5));
    await join(t, 'y'); // rejoined Wednesday Nov 18, not seen the next day
    clock.set(T0);
    const out = await t.chat.say('admin', '/stats 留存');
    expect(out).toContain('📈 新成员留存（按入群周，最近 8 周）');
    expect(out).toContain('11-23 起：0 人 · 次日 — · 7日 — · 30日 —');
    expect(out).toContain('11-16 起：1 人 · 次日 0% · 7日 — · 30日 —');
    expect(out).toContain('11-09 起：2 人 · 次日 50% · 7日 50% · 30日 —');
    expect(out).toContain('良好线 50%');
  });
});
