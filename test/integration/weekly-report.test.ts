import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { T0, at, chatter, join, leave } from '../helpers/analytics.js';

// Recipients: the weekly report goes to the admins by direct message (the playground shows DMs in its feed).
const app = testApps({
  jobs: { reconcileIntervalMs: 60_000 },
  analytics: { alerts: { leaves: 2, windowSeconds: 300, recipients: { 'playground:demo': ['admin'] } } },
});

const weekly = (t: TestApp, runKey: string) => t.app.jobs.run('analytics-weekly', 0, { runKey });
const reports = async (t: TestApp) =>
  (await t.app.store.sql.prepare("SELECT dedupe_key, recipient, reply_json FROM deliveries WHERE source = 'analytics-weekly' ORDER BY id").all()) as Array<{
    dedupe_key: string;
    recipient: string | null;
    reply_json: string;
  }>;

/**
 * The reported week is Mon 2026-11-16 to Sun 2026-11-22 (the report runs Monday 2026-11-23 at 09:00 Asia/Shanghai;
 * T0 is 10:00 there). The week before: a, b, c, d, f and g chat. This week: a chats three times, b once; the admin
 * opens a lottery that a, b and the newcomer e enter and a poll that a and e vote in; f and g leave within a minute
 * (a leave spike alert); c and d go silent.
 */
async function scriptedWeek(t: TestApp, clock: FixedClock): Promise<void> {
  clock.set(at(-14)); // Mon Nov 9
  for (const u of ['a', 'b', 'c', 'd', 'f', 'g']) await join(t, u);
  clock.set(at(-10)); // Fri Nov 13
  for (const u of ['a', 'b', 'c', 'd', 'f', 'g']) await chatter(t, u);
  clock.set(at(-6)); // Tue Nov 17
  for (let i = 0; i < 3; i++) await chatter(t, 'a');
  await chatter(t, 'b');
  expect(await t.chat.say('admin', '/lottery create 机械键盘 winners=1 ends=+7d')).toContain('机械键盘');
  expect(await t.chat.say('a', '/lottery join 1')).toContain('参与成功');
  expect(await t.chat.say('b', '/lottery join 1')).toContain('参与成功');
  clock.set(at(-5)); // Wed Nov 18: e is new
  await join(t, 'e');
  expect(await t.chat.say('e', '/lottery join 1')).toContain('参与成功');
  clock.set(at(-4)); // Thu Nov 19
  expect(await t.chat.say('admin', '/poll create "周末活动？" 爬山 | 看电影')).toContain('#1');
  expect(await t.chat.say('a', '/poll vote 1 1')).toContain('已投票');
  expect(await t.chat.say('e', '/poll vote 1 2')).toContain('已投票');
  clock.set(at(-3)); // Fri Nov 20
  await leave(t, 'f');
  clock.set(at(-3, 30_000));
  await leave(t, 'g');
  clock.set(T0);
}

describe('the weekly report (周报)', () => {
  it('reports the scripted week with its exact numbers, once per week, privately to the admins with its chart', async () => {
    const clock = new FixedClock(at(-14));
    const t = await app({ clock });
    await scriptedWeek(t, clock);

    await weekly(t, 'tick-1');
    const rows = await reports(t);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dedupe_key: 'analytics-weekly-1-2026-11-16-admin', recipient: 'admin' });
    const reply = JSON.parse(rows[0]?.reply_json ?? '{}') as Reply;
    expect(reply.title).toBe('📅 周报 · demo（2026-11-16 至 2026-11-22）');
    const lines = reply.text.split('\n');
    expect(lines).toEqual([
      '**核心数据**（对比前一周）',
      // Members at the week's end: admin, a, b, c, d, e (f and g left).
      '👥 成员 6 人 · 新增 1 · 退出 2 · 净增 -1 ↓7',
      // Active member-days: Tue a, b, admin; Wed e; Thu admin, a, e: 7 over 7 days, 1/6 = 17%; the week before
      // 6 over 7 days of 6 members = 14%.
      '日均日活 1 人 · 日活跃率 17% ↑3%（健康线 15%）',
      // WAU: admin, a, b, e of 6; the week before all 6 of 6. MAU: the 8 seen in 30 days (f and g since left) over 6; 6 of 6 before.
      '周活 4 人（67% ↓33%）· 月活 8 人（133% ↑33%）',
      '签到率 0% →（0 人）',
      '发言率 33% ↓67%（2 人）',
      '活动参与率 50% ↑50%（3 人，良好线 30%）',
      // 11 interactions (a 5, admin 2, b 2, e 2) per 6 members per 7 days; the week before 6 per 6 per 7.
      '每百人每天互动 26.2 次 ↑11.9（参考 15）',
      // Tuesday: a, b and admin of the 7 members then (f and g had not left).
      '🏆 最活跃的一天：2026-11-17，日活 3 人（43%）',
      // a: three messages, the lottery and the vote; a tie in member order (b was first seen before admin and e).
      '⭐ 本周最活跃：a（5 次）、b（2 次）、admin（2 次）、e（2 次）',
      '🎯 **活动复盘**（参与率按成员 6 人计；新人：活动开始前 7 天内才入群）',
      '- 抽奖「机械键盘」：3 人参与 · 参与率 50% · 新人 1 / 老成员 2',
      '- 投票「周末活动？」：2 人投票 · 参与率 33% · 新人 1 / 老成员 1',
      '😶 沉默成员：2 人上周活跃、本周没有动静（c、d）',
      '⚠️ 本周预警 1 次：退群激增 1 次',
    ]);
    expect(reply.image?.name).toBe('weekly-1-2026-11-16.png');
    expect(reply.image?.alt).toBe('2026-11-16 至 2026-11-22 的日活、周活、月活与日活跃率走势图');
    expect(Buffer.from(reply.image?.pngBase64 ?? '', 'base64').subarray(1, 4).toString()).toBe('PNG');

    // A duplicate tick, a later tick the same day, and a restart's late run post nothing more.
    await weekly(t, 'tick-2');
    clock.set(at(0, 3600_000));
    await weekly(t, 'tick-3');
    expect(await reports(t)).toHaveLength(1);
    // The next week's moment reports the next week.
    clock.set(at(7));
    await weekly(t, 'tick-4');
    expect((await reports(t)).map((r) => r.dedupe_key)).toEqual(['analytics-weekly-1-2026-11-16-admin', 'analytics-weekly-1-2026-11-23-admin']);

    // The outbox delivers it to the admin's direct messages: the playground feed shows the image.
    await t.app.start();
    const feed = await waitFor(async () => ((await t.app.playground?.feed.list('demo')) ?? []).find((p) => p.reply.title?.includes('周报')), 15_000, 'the report in the feed');
    expect(feed.reply.title).toContain('✉️ → admin');
    expect(feed.reply.image?.pngBase64.length).toBeGreaterThan(1000);
  });

  it('sends nothing before the moment, and nothing when the report is off', async () => {
    const clock = new FixedClock(at(-1)); // Sunday
    const t = await app({ clock });
    await chatter(t, 'a');
    await weekly(t, 'sunday');
    expect(await reports(t)).toHaveLength(0);
    const off = await app({ clock: new FixedClock(T0), config: { analytics: { weeklyReport: { enabled: false } } } });
    await chatter(off, 'a');
    await off.app.jobs.run('analytics-weekly', 0, { runKey: 'off' });
    expect(await reports(off)).toHaveLength(0);
  });

  it('/stats report (数据 周报) sends the week so far to the caller privately, admins only, in English too', async () => {
    const clock = new FixedClock(T0);
    const t = await app({ clock, config: { community: { overrides: { 'playground:demo': { locale: 'en' } } } } });
    await chatter(t, 'a');
    expect(await t.chat.say('admin', '/stats report')).toBe('📬 The report is on its way to your direct messages.');
    const [row] = await reports(t);
    expect(row?.recipient).toBe('admin');
    const reply = JSON.parse(row?.reply_json ?? '{}') as Reply;
    expect(reply.title).toBe('📅 Weekly report · demo (2026-11-17 to 2026-11-23)');
    // The admin's own /stats report counts after the report was made.
    expect(reply.text).toContain('⭐ Most active: a (1)\n');
    expect(reply.image?.alt).toBe('Daily, weekly and monthly actives and the daily active rate, 2026-11-17 to 2026-11-23');
    expect(await t.chat.say('a', '/stats report')).toContain('admin');
    expect(await reports(t)).toHaveLength(1);
  });

  it('/stats report where no direct message can be sent (a WeCom group without the app) says so and posts no numbers', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    const wecom = { platform: 'wecom' as const, externalId: 'wrReport', name: '企微群' };
    const result = await t.app.router.handle({ ...t.chat.event('admin', '数据 周报'), community: wecom, addressed: true } as ChatEvent);
    expect(result.replies.map((r) => r.text)).toEqual(['📬 这里无法私下发送周报（需要先配置企业微信自建应用），为免在群里公开数据，这次不发送。']);
    expect(result.replies[0]?.image).toBeUndefined();
    expect(await reports(t)).toHaveLength(0);
  });
});
