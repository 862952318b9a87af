import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { addDays, communityDay } from '../../src/core/community-day.js';
import type { CommunityInfo } from '../../src/core/context.js';
import type { PeriodKind } from '../../src/features/analytics/rules.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { T0, TODAY, at, chatter, join, leave, scriptedHistory } from '../helpers/analytics.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });

const community = async (t: TestApp): Promise<CommunityInfo> => (await t.app.identity.communityById(1)) as CommunityInfo;
const runDaily = (t: TestApp, runKey: string) => t.app.jobs.run('analytics-daily', 0, { runKey });
/** The rollup rows without the time they were written. */
const rollups = async (t: TestApp) =>
  ((await t.app.store.sql.prepare('SELECT * FROM analytics_daily ORDER BY day').all()) as Array<Record<string, unknown>>).map(({ rolled_at: _at, ...row }) => row);
const alerts = async (t: TestApp) =>
  (await t.app.store.sql.prepare("SELECT recipient, reply_json, fallback_json FROM deliveries WHERE source = 'analytics-alert' ORDER BY id").all()) as Array<{
    recipient: string | null;
    reply_json: string;
    fallback_json: string | null;
  }>;
const headlines = async (t: TestApp) => {
  const c = await community(t);
  const out: Record<string, unknown> = {};
  for (const kind of ['today', 'week', 'month'] as PeriodKind[]) out[kind] = await t.app.analytics.headline(c, kind, TODAY);
  return out;
};

describe('daily rollups', () => {
  it('roll up each day once, re-run to the same rows, and give /stats the numbers the raw records give, before and after pruning', async () => {
    const clock = new FixedClock(at(-100));
    const t = await app({ clock, config: { analytics: { rawRetainDays: 60, alerts: { enabled: false } } } });
    await scriptedHistory(t, clock);
    const raw = await headlines(t);

    // Roll up without pruning first: every day from the community's first to yesterday.
    const c = await community(t);
    const { value: rolled } = await t.app.store.unit(() => t.app.analytics.rollupPending(c, clock.now()));
    expect(rolled).toHaveLength(100);
    expect(rolled[0]).toBe(addDays(TODAY, -100));
    expect(rolled[99]).toBe(addDays(TODAY, -1));
    const before = await rollups(t);
    expect(before).toHaveLength(100);
    // Yesterday: the admin and u0..u13, less u12 who left (u0 and u1 left and came back).
    expect(before[99]).toMatchObject({ day: addDays(TODAY, -1), members: 14 });
    expect(before.find((r) => r.day === addDays(TODAY, -31))).toMatchObject({ members: 9 });
    expect(before.reduce((n, r) => n + Number(r.joins), 0)).toBe(16);
    expect(before.reduce((n, r) => n + Number(r.leaves), 0)).toBe(3);
    expect(before.reduce((n, r) => n + Number(r.participants), 0)).toBe(1);

    // /stats: the earlier periods now come from the rollups, with the same numbers.
    expect(await headlines(t)).toEqual(raw);

    // The maintenance job: nothing left to roll up, the raw records older than 60 days pruned, the rows unchanged.
    const countRaw = async () => [
      ((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM member_activity').get()) as { n: number }).n,
      ((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM membership_events').get()) as { n: number }).n,
    ];
    const [activityBefore = 0, eventsBefore = 0] = await countRaw();
    await runDaily(t, 'run-1');
    await runDaily(t, 'run-2');
    expect(await rollups(t)).toEqual(before);
    const horizon = addDays(TODAY, -60);
    const oldActivity = (await t.app.store.sql.prepare('SELECT member_id, day FROM member_activity WHERE day < ?').all(horizon)) as Array<{ member_id: number; day: string }>;
    // Only each member's latest activity row stays behind the horizon (lifecycle reads a member's last active day).
    expect(new Set(oldActivity.map((r) => r.member_id)).size).toBe(oldActivity.length);
    const [activityAfter = 0, eventsAfter = 0] = await countRaw();
    expect(activityAfter).toBeLessThan(activityBefore);
    expect(eventsAfter).toBeLessThan(eventsBefore);
    const oldEvents = (await t.app.store.sql.prepare('SELECT member_id FROM membership_events WHERE at < ?').all(new Date(`${horizon}T00:00:00+08:00`).getTime())) as Array<{ member_id: number }>;
    expect(new Set(oldEvents.map((r) => r.member_id)).size).toBe(oldEvents.length);

    // /stats after pruning: the same numbers (the current period reads 30 raw days, the earlier one its rollups).
    expect(await headlines(t)).toEqual(raw);

    // Rolling up again every day whose 30 raw days are still there gives the same rows; older days are kept as they are.
    let again = 0;
    for (let day = addDays(TODAY, -100); day < TODAY; day = addDays(day, 1)) {
      const { value } = await t.app.store.unit(() => t.app.analytics.rollup(c, day, clock.now()));
      if (value) again++;
      expect(value).toBe(day >= addDays(horizon, 29));
    }
    expect(again).toBe(31);
    expect(await rollups(t)).toEqual(before);

    // The earlier period really is read from the rollups: a changed row shows, and re-rolling the day puts it back.
    await t.app.store.sql.prepare('UPDATE analytics_daily SET members = 999 WHERE day = ?').run(addDays(TODAY, -1));
    expect(((await t.app.analytics.headline(c, 'today', TODAY)).previous.members)).toBe(999);
    await t.app.store.unit(() => t.app.analytics.rollup(c, addDays(TODAY, -1), clock.now()));
    expect(await headlines(t)).toEqual(raw);
  }, 120_000);

  it('keeps 400 days of rollups as the days go by, and rolls up a day once it is over', async () => {
    const clock = new FixedClock(at(-420));
    const t = await app({ clock, config: { analytics: { alerts: { enabled: false } } } });
    for (const d of [-420, -405, -300, -200, -100, -10, -1]) {
      clock.set(at(d));
      await chatter(t, 'a');
    }
    clock.set(T0);
    await runDaily(t, 'day-0');
    const days = async () => (await rollups(t)).map((r) => r.day as string);
    let kept = await days();
    expect(kept).toHaveLength(400);
    expect(kept[0]).toBe(addDays(TODAY, -400));
    expect(kept[399]).toBe(addDays(TODAY, -1));
    expect((await rollups(t)).find((r) => r.day === addDays(TODAY, -300))).toMatchObject({ members: 1, active: 1, active7: 1, active30: 1 });
    expect((await rollups(t)).find((r) => r.day === addDays(TODAY, -299))).toMatchObject({ members: 1, active: 0, active7: 1, active30: 1 });

    // Three days later: three new days rolled up, the three oldest gone; still 400.
    clock.set(at(3));
    await runDaily(t, 'day-3');
    kept = await days();
    expect(kept).toHaveLength(400);
    expect(kept[0]).toBe(addDays(TODAY, -397));
    expect(kept[399]).toBe(addDays(TODAY, 2));
    // A run before the day is over rolls up nothing new.
    clock.set(at(3, 10 * 3600_000));
    await runDaily(t, 'day-3-later');
    expect(await days()).toEqual(kept);
  }, 120_000);
});

describe('/stats history', () => {
  it('shows the daily actives of the last days as a sparkline with the low and the high, the same from raw records and from rollups', async () => {
    const clock = new FixedClock(at(-3));
    const t = await app({ clock, config: { analytics: { alerts: { enabled: false } } } });
    for (const u of ['a', 'b', 'c', 'd']) await join(t, u);
    await chatter(t, 'a');
    clock.set(at(-2));
    for (const u of ['a', 'b', 'c']) await chatter(t, u);
    clock.set(at(-1));
    for (const u of ['a', 'b']) await chatter(t, u);
    clock.set(T0);
    const fromRaw = await t.chat.say('admin', '/stats history 3');
    expect(fromRaw).toContain('📈 近 3 天日活（2026-11-20 至 2026-11-22）');
    expect(fromRaw).toContain('▁█▅');
    expect(fromRaw).toContain('最低 1 人（11-20）· 最高 3 人（11-21）· 日均 2 人');
    expect(fromRaw).toContain('日活跃率 25% 至 75%（健康线 15%）· 成员 4 → 4（0）');
    await runDaily(t, 'r');
    expect(await rollups(t)).toHaveLength(3);
    expect(await t.chat.say('admin', '/数据 走势 3')).toBe(fromRaw);
    expect(await t.chat.say('admin', '/stats history 31')).toContain('30');
    expect(await t.chat.say('a', '/stats history')).toContain('只有管理员');
  });
});

describe('alerts', () => {
  it('a day below the active-rate line alerts the admins once per day, in the community where no admin is configured', async () => {
    const clock = new FixedClock(at(-1));
    const t = await app({ clock });
    for (let i = 0; i < 10; i++) await join(t, `m${i}`);
    await chatter(t, 'm0');
    clock.set(T0);
    await runDaily(t, 'a');
    clock.set(at(0, 3600_000));
    await runDaily(t, 'b');
    let sent = await alerts(t);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.recipient).toBeNull();
    const text = (JSON.parse(sent[0]?.reply_json ?? '{}') as { text: string }).text;
    expect(text).toContain('⚠️ 管理员提醒');
    expect(text).toContain('2026-11-22 日活跃率 10%，低于预警线 20%（日活 1 人 / 成员 10 人）');
    // The next day is no better: one more alert, for that day.
    clock.set(at(1));
    await runDaily(t, 'c');
    await runDaily(t, 'd');
    sent = await alerts(t);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.reply_json).toContain('2026-11-23 日活跃率 0%');
  });

  it('a healthy day or a small community gets no alert; configured admins get it by direct message, in English', async () => {
    const clock = new FixedClock(at(-1));
    const t = await app({
      clock,
      config: { community: { overrides: { 'playground:demo': { locale: 'en' } } }, analytics: { alerts: { recipients: { 'playground:demo': ['boss', 'deputy'] } } } },
    });
    for (let i = 0; i < 9; i++) await join(t, `m${i}`);
    clock.set(T0);
    await runDaily(t, 'small');
    expect(await alerts(t)).toHaveLength(0);
    for (let i = 9; i < 12; i++) await join(t, `m${i}`);
    for (const u of ['m0', 'm1', 'm2']) await chatter(t, u);
    clock.set(at(1));
    await runDaily(t, 'healthy');
    // Yesterday: 3 active of 12 members, 25%.
    expect(await alerts(t)).toHaveLength(0);
    clock.set(at(2));
    await runDaily(t, 'low');
    const sent = await alerts(t);
    expect(sent.map((s) => s.recipient)).toEqual(['boss', 'deputy']);
    expect(sent[0]?.reply_json).toContain('The daily active rate on 2026-11-24 was 0%, below the alert line of 20% (0 active of 12 members)');
    // Where a direct message is refused the alert is posted in the community, addressed to the admins.
    expect(sent[0]?.fallback_json).toContain('⚠️ For the admins <@boss> <@deputy>');
  });

  it('the speaking rate falling week on week alerts once a day while it lasts, and once more in one line when it recovers', async () => {
    const clock = new FixedClock(at(-15));
    const t = await app({ clock });
    for (let i = 0; i < 12; i++) await join(t, `m${i}`);
    // Week one: 8 of 12 members speak every day; week two: 3 of them.
    for (let d = -14; d <= -1; d++) {
      clock.set(at(d));
      for (let i = 0; i < (d < -7 ? 8 : 3); i++) await chatter(t, `m${i}`);
    }
    clock.set(T0);
    await runDaily(t, 'w2');
    await runDaily(t, 'w2-again');
    let sent = await alerts(t);
    // The active rate (3 of 12, 25 %) is above its line: only the week-on-week alert.
    expect(sent).toHaveLength(1);
    expect(sent[0]?.reply_json).toContain('截至 2026-11-22 的一周发言率 25%，比上周的 67% 下降 63%（预警线：降幅超过 30%）');
    // Still down the next day: one more alert, for that day.
    for (const u of ['m0', 'm1', 'm2']) await chatter(t, u);
    clock.set(at(1));
    await runDaily(t, 'next');
    sent = await alerts(t);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.reply_json).toContain('截至 2026-11-23 的一周发言率');
    // A lively week: the alert ends, in one line, once.
    for (let d = 1; d <= 7; d++) {
      clock.set(at(d));
      for (let i = 0; i < 10; i++) await chatter(t, `m${i}`);
    }
    clock.set(at(8));
    await runDaily(t, 'lively');
    await runDaily(t, 'lively-again');
    clock.set(at(9));
    for (let i = 0; i < 10; i++) await chatter(t, `m${i}`);
    clock.set(at(10));
    await runDaily(t, 'after');
    const texts = (await alerts(t)).map((a) => (JSON.parse(a.reply_json) as { text: string }).text);
    const recovered = texts.filter((x) => x.includes('周环比下降预警解除'));
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatch(/截至 2026-11-\d\d 的一周发言率 \d+%（上周 \d+%），周环比下降预警解除。/);
    expect(texts.filter((x) => x.includes('下降') && !x.includes('解除')).length).toBeGreaterThanOrEqual(2);
  });

  it('a low active rate ends with one recovery line, and opens again when it falls again', async () => {
    const clock = new FixedClock(at(-1));
    const t = await app({ clock, config: { analytics: { alerts: { weekDropAbove: 0 } } } });
    for (let i = 0; i < 10; i++) await join(t, `m${i}`);
    clock.set(T0);
    await runDaily(t, 'low');
    expect(await alerts(t)).toHaveLength(1);
    for (let i = 0; i < 5; i++) await chatter(t, `m${i}`);
    clock.set(at(1));
    await runDaily(t, 'ok');
    await runDaily(t, 'ok-again');
    // 2026-11-24: nobody active, the alert opens again; 2026-11-25 is healthy again.
    clock.set(at(2));
    await runDaily(t, 'low-again');
    for (let i = 0; i < 5; i++) await chatter(t, `m${i}`);
    clock.set(at(3));
    await runDaily(t, 'ok-again-2');
    const texts = (await alerts(t)).map((a) => (JSON.parse(a.reply_json) as { text: string }).text);
    expect(texts).toHaveLength(4);
    expect(texts[0]).toContain('2026-11-22 日活跃率 0%');
    expect(texts[1]).toContain('✅ 2026-11-23 日活跃率回到 50%（预警线 20%；日活 5 人 / 成员 10 人），预警解除。');
    expect(texts[2]).toContain('2026-11-24 日活跃率 0%');
    expect(texts[3]).toContain('✅ 2026-11-25 日活跃率回到 50%');
  });

  it('10 members leaving within 5 minutes alerts at once, once that day; the same leaves spread wider do not', async () => {
    const clock = new FixedClock(T0);
    const t = await app({ clock });
    for (let i = 0; i < 22; i++) await join(t, `m${i}`);
    // Nine leaves in three minutes, then a pause.
    for (let i = 0; i < 9; i++) {
      clock.advance(20_000);
      await leave(t, `m${i}`);
    }
    clock.advance(10 * 60_000);
    await leave(t, 'm9');
    expect(await alerts(t)).toHaveLength(0);
    // m9 and nine more within 90 seconds: the tenth is the spike.
    for (let i = 10; i < 18; i++) {
      clock.advance(10_000);
      await leave(t, `m${i}`);
    }
    expect(await alerts(t)).toHaveLength(0);
    clock.advance(10_000);
    await leave(t, 'm18');
    const sent = await alerts(t);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.reply_json).toContain('5 分钟内有 10 人退群（预警线 10 人）');
    // More leaves the same day: no second alert.
    for (const u of ['m19', 'm20']) await leave(t, u);
    expect(await alerts(t)).toHaveLength(1);
    expect(communityDay(clock.now(), { timezone: 'Asia/Shanghai', dayStartHour: 0 })).toBe(TODAY);
  });

  it('a raid of joins alerts too (threshold from config)', async () => {
    const clock = new FixedClock(T0);
    const t = await app({ clock, config: { analytics: { alerts: { joins: 5 } } } });
    for (let i = 0; i < 4; i++) await join(t, `r${i}`);
    expect(await alerts(t)).toHaveLength(0);
    await join(t, 'r4');
    const sent = await alerts(t);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.reply_json).toContain('5 分钟内有 5 人入群（预警线 5 人），可能是有人刷群');
  });
});
