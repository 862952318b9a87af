import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { Reply } from '../../src/core/reply.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { sleep, waitFor } from '../helpers/wait.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });

const DAY = 86_400_000;
// 10:00 in Asia/Shanghai, the default community timezone.
const T0 = '2026-11-23T02:00:00.000Z';

const feed = async (t: TestApp) => (await t.app.playground?.feed.list('demo')) ?? [];
const join = (t: TestApp, user: string) => t.app.router.handle({ ...t.chat.event(user, ''), type: 'memberJoined' } as ChatEvent);
const leave = (t: TestApp, user: string) => t.app.router.handle({ ...t.chat.event(user, ''), type: 'memberLeft' } as ChatEvent);
/** Plain group chatter: the bot is not addressed. */
const chatter = (t: TestApp, user: string, text: string) => t.app.router.handle({ ...t.chat.event(user, text), addressed: false } as ChatEvent);
const posts = async (t: TestApp, source?: string): Promise<Reply[]> =>
  ((await t.app.store.sql.prepare('SELECT source, reply_json FROM deliveries ORDER BY id').all()) as Array<{ source: string; reply_json: string }>)
    .filter((r) => source === undefined || r.source === source)
    .map((r) => JSON.parse(r.reply_json) as Reply);
const memberId = async (t: TestApp, name: string) => ((await t.app.store.sql.prepare('SELECT id FROM members WHERE display_name = ?').get(name)) as { id: number }).id;
const balanceOf = async (t: TestApp, name: string) => ((await t.app.store.sql.prepare('SELECT COALESCE(SUM(delta), 0) AS n FROM points_ledger WHERE member_id = ?').get((await memberId(t, name)))) as { n: number }).n;
const ledger = async (t: TestApp, name: string, reason: string) =>
  ((await t.app.store.sql.prepare('SELECT delta FROM points_ledger WHERE member_id = ? AND reason = ? ORDER BY id').all(await memberId(t, name), reason)) as Array<{ delta: number }>).map((r) => r.delta);
const activity = async (t: TestApp, name: string) => t.app.store.sql.prepare('SELECT day, messages, commands, points, capped FROM member_activity WHERE member_id = ? ORDER BY day').all((await memberId(t, name)));
/** Member rows for a scripted history: active on the given community days. */
async function activeOn(t: TestApp, name: string, days: string[]): Promise<void> {
  const id = (await memberId(t, name));
  const stmt = t.app.store.sql.prepare('INSERT INTO member_activity (community_id, member_id, day, messages) VALUES (1, ?, ?, 1) ON CONFLICT (community_id, member_id, day) DO UPDATE SET messages = member_activity.messages + 1');
  for (const day of days) await stmt.run(id, day);
}
const dayOf = (offset: number) => new Date(new Date('2026-11-23T00:00:00Z').getTime() + offset * DAY).toISOString().slice(0, 10);

describe('welcome flow', () => {
  it('a single join gets one welcome post through the timer: mention, rules, how to check in, the newcomer bonus', async () => {
    const t = (await app({ config: { lifecycle: { welcome: { delaySeconds: 1 }, followups: { offsetsSeconds: [2] } } } }));
    await t.app.start();
    expect((await join(t, 'bob')).replies).toEqual([]);
    const [post] = await waitFor(async () => ((await feed(t)).length ? (await feed(t)) : undefined), 10_000, 'the welcome');
    expect(post?.reply.text).toContain('欢迎 <@bob> 加入');
    expect(post?.reply.text).toContain('群规');
    expect(post?.reply.text).toContain('签到');
    expect(post?.reply.text).toContain('新人礼：已送你 20 积分');
    expect(post?.reply.mentions).toEqual({ bob: 'bob' });
    expect((await balanceOf(t, 'bob'))).toBe(20);
    // The onboarding follow-up fires through its own timer (offset shortened to 2 s here).
    const tip = await waitFor(async () => (await feed(t)).find((p) => p.reply.text.includes('新人小贴士')), 10_000, 'the follow-up');
    expect(tip.reply.text).toContain('<@bob>');
  });

  it('50 joins within a minute become ONE welcome post naming them all', async () => {
    const clock = new FixedClock(T0);
    // The batch timer is armed 55 s ahead (the most a minute batch allows); the test fires it once all 50 have joined instead of
    // racing a 1-second real timer against 50 joins on a busy machine.
    const t = (await app({ clock, config: { lifecycle: { welcome: { delaySeconds: 55 } } } }));
    await t.app.start();
    for (let i = 0; i < 50; i++) {
      await join(t, `user${i}`);
      clock.advance(500);
    }
    clock.advance(55_000);
    await t.app.jobs.run('welcome-batch', 1);
    await waitFor(async () => (await feed(t)).length > 0, 10_000, 'the batched welcome');
    await sleep(500);
    expect((await feed(t))).toHaveLength(1);
    const post = (await feed(t))[0]?.reply;
    expect(post?.text).toContain('欢迎 50 位新朋友加入');
    expect(Object.keys(post?.mentions ?? {})).toHaveLength(50);
    expect(post?.text).toContain('<@user0>');
    expect(post?.text).toContain('<@user49>');
    expect(post?.text).toContain('每位新朋友都收到了 20 积分新人礼');
    // Running the job again posts nothing more.
    await t.app.jobs.run('welcome-batch', 1);
    expect((await posts(t, 'welcome'))).toHaveLength(1);
  });

  it('up to the threshold, joins in the same minute are welcomed one by one; a member who left at once is skipped', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    for (const u of ['ann', 'ben', 'cat']) await join(t, u);
    await leave(t, 'cat');
    await t.app.jobs.run('welcome-batch', 1);
    const texts = (await posts(t, 'welcome')).map((p) => p.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('<@ann>');
    expect(texts[1]).toContain('<@ben>');
  });

  it('a join after the batch of its minute went out reopens it; a configured template replaces the built-in welcome', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock, config: { lifecycle: { welcome: { text: { 'zh-CN': '{mention} 来了！送你 {bonus} 分', en: '{mention} is here! {bonus} points' } } } } }));
    await join(t, 'ann');
    await t.app.jobs.run('welcome-batch', 1);
    clock.advance(10_000);
    await join(t, 'ben');
    expect(await t.app.store.sql.prepare('SELECT id, status FROM welcome_batches').all()).toEqual([{ id: 1, status: 'open' }]);
    await t.app.jobs.run('welcome-batch', 1);
    expect((await posts(t, 'welcome')).map((p) => p.text)).toEqual(['<@ann> 来了！送你 20 分', '<@ben> 来了！送你 20 分']);
  });

  it('a rejoin gets a welcome back and no second newcomer bonus', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    await join(t, 'bob');
    await t.app.jobs.run('welcome-batch', 1);
    clock.advance(5 * DAY);
    await leave(t, 'bob');
    clock.advance(DAY);
    await join(t, 'bob');
    await t.app.jobs.run('welcome-batch', 2);
    expect((await ledger(t, 'bob', 'newcomer'))).toEqual([20]);
    const texts = (await posts(t, 'welcome')).map((p) => p.text);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain('欢迎 <@bob> 回来');
    expect(texts[1]).not.toContain('新人礼');
    // A rejoin does not start the onboarding follow-ups again.
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM followups').get())).toEqual({ n: 3 });
  });
});

describe('onboarding follow-ups', () => {
  it('fire on day 1, 3 and 7 with the next tip the member has not done, and are skipped after a leave', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    await join(t, 'bob');
    const rows = (await t.app.store.sql.prepare('SELECT id, step, due_at, status FROM followups ORDER BY step').all()) as Array<{ id: number; step: number; due_at: number; status: string }>;
    expect(rows.map((r) => (r.due_at - clock.now().getTime()) / DAY)).toEqual([1, 3, 7]);
    // SQLite is the source of truth: the reconciler would arm exactly these.
    expect((await t.app.lifecycle.desired()).timers.map((d) => d.jobId)).toEqual(expect.arrayContaining(['followup-1', 'followup-2', 'followup-3']));

    clock.advance(DAY);
    await t.app.jobs.run('lifecycle-followup', 1);
    await t.app.jobs.run('lifecycle-followup', 1);
    let tips = (await posts(t, 'followup'));
    expect(tips).toHaveLength(1);
    expect(tips[0]?.text).toContain('<@bob> 新人小贴士');
    expect(tips[0]?.text).toContain('发送「签到」');

    await t.chat.say('bob', '/checkin');
    clock.advance(2 * DAY);
    await t.app.jobs.run('lifecycle-followup', 2);
    tips = (await posts(t, 'followup'));
    expect(tips).toHaveLength(2);
    // Checked in already: the next tip instead.
    expect(tips[1]?.text).toContain('打个招呼');

    await leave(t, 'bob');
    clock.advance(4 * DAY);
    await t.app.jobs.run('lifecycle-followup', 3);
    expect((await posts(t, 'followup'))).toHaveLength(2);
    expect(await t.app.store.sql.prepare('SELECT status, tip FROM followups ORDER BY step').all()).toEqual([
      { status: 'sent', tip: 'checkin' },
      { status: 'sent', tip: 'chat' },
      { status: 'skipped', tip: null },
    ]);
  });
});

describe('activity', () => {
  it('every message and command counts; activity points respect cooldown, minimum length, duplicates, emoji-only and the daily cap', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock, config: { lifecycle: { activity: { dailyCap: 6 } } } }));
    await chatter(t, 'ann', 'first hello'); // ann is new: 1 point a message, cap 3
    clock.advance(8 * DAY);
    const step = async (text: string, seconds = 61): Promise<number> => {
      clock.advance(seconds * 1000);
      const before = (await balanceOf(t, 'ann'));
      const result = await chatter(t, 'ann', text);
      expect(result.replies).toEqual([]);
      return (await balanceOf(t, 'ann')) - before;
    };
    expect(await step('hello everyone')).toBe(2);
    expect(await step('right after that', 5)).toBe(0); // cooldown
    expect(await step('right after that')).toBe(0); // the same text again
    expect(await step('ok')).toBe(0); // too short
    expect(await step('😀😀😀👍 [微笑]')).toBe(0); // emoji only
    expect(await step('something new')).toBe(2);
    expect(await step('and another one')).toBe(2);
    expect(await step('over the cap now')).toBe(0);
    await t.chat.say('ann', '/points');
    await t.chat.say('ann', 'talking to the bot counts as activity, earns nothing');
    const [, today] = (await activity(t, 'ann')) as Array<Record<string, number>>;
    expect(today).toMatchObject({ messages: 9, commands: 1, points: 6, capped: 1 });
    expect(await t.chat.say('ann', '/activity')).toContain('你今天的活跃积分：6/6');
  });

  it('new members earn at a reduced rate; the all-sources daily cap limits activity points (check-in is exempt)', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock, config: { lifecycle: { activity: { dailyEarnCap: 13 } } } }));
    await chatter(t, 'newbie', 'hello, I am new here');
    expect((await balanceOf(t, 'newbie'))).toBe(1);
    await chatter(t, 'carl', 'carl was here');
    clock.advance(8 * DAY);
    await t.chat.say('carl', '/checkin'); // 10 points, not limited by the cap
    clock.advance(61_000);
    await chatter(t, 'carl', 'chatting after the check-in');
    clock.advance(61_000);
    await chatter(t, 'carl', 'and some more chatting');
    clock.advance(61_000);
    await chatter(t, 'carl', 'this earns nothing now');
    // 1 on his first (newcomer) day; then 10 check-in + 2 + 1 reaches the cap of 13.
    expect((await ledger(t, 'carl', 'activity'))).toEqual([1, 2, 1]);
    expect((await ledger(t, 'carl', 'checkin'))).toEqual([10]);
  });

  it('with pointsForAddressed, messages to the bot earn points too, except ones another feature answered', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock, config: { lifecycle: { activity: { pointsForAddressed: true } } } }));
    await t.chat.say('ann', 'hello bot, nice to meet you');
    expect((await ledger(t, 'ann', 'activity'))).toEqual([1]);
    // As if an earlier listener (a quiz) had answered the message: counted, no points.
    clock.advance(120_000);
    const event = t.chat.event('ann', 'my answer is banana');
    await t.app.store.unit(async () => {
      const now = clock.now();
      const community = (await t.app.identity.community(event.community, now));
      const member = (await t.app.identity.member(community, event.actor, now));
      const ctx = { event, now, day: dayOf(0), community, member, isAdmin: false, locale: community.locale, t: t.app.i18n.translator(community.locale), afterCommit: () => undefined };
      await t.app.lifecycle.onMessage(ctx, true);
    });
    expect((await ledger(t, 'ann', 'activity'))).toEqual([1]);
    expect((await activity(t, 'ann'))).toMatchObject([{ messages: 2, points: 1 }]);
  });

  it('/stats farming lists members who hit the caps on most of the last 7 days (admin only)', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    for (const u of ['admin', 'farmer', 'casual']) await chatter(t, u, 'hello world');
    const capped = t.app.store.sql.prepare('INSERT INTO member_activity (community_id, member_id, day, messages, points, capped) VALUES (1, ?, ?, 30, 20, 1) ON CONFLICT (community_id, member_id, day) DO UPDATE SET capped = 1');
    for (const d of [-1, -2, -3, -5, -6]) await capped.run((await memberId(t, 'farmer')), dayOf(d));
    for (const d of [-1, -2, -9, -10]) await capped.run((await memberId(t, 'casual')), dayOf(d));
    const out = await t.chat.say('admin', '/stats farming');
    expect(out).toContain('farmer：5 天');
    expect(out).not.toContain('casual');
    expect(await t.chat.say('farmer', '/stats farming')).toContain('只有管理员');
  });
});

describe('segments and nudges', () => {
  it('counts segments on a scripted 30-day history and stores the snapshot', async () => {
    const clock = new FixedClock(new Date(new Date(T0).getTime() - 40 * DAY));
    const t = (await app({ clock }));
    for (const u of ['admin', 'core', 'active', 'silent', 'casual', 'gone']) await chatter(t, u, 'hello world');
    clock.set(new Date(new Date(T0).getTime() - 2 * DAY));
    await chatter(t, 'newbie', 'hello world');
    clock.set(T0);
    await activeOn(t, 'core', Array.from({ length: 25 }, (_, i) => dayOf(-29 + i)));
    await activeOn(t, 'active', [dayOf(-1), dayOf(-3), dayOf(-5), dayOf(-6)]);
    await activeOn(t, 'silent', [dayOf(-10)]);
    await activeOn(t, 'casual', [dayOf(-1)]);
    await t.chat.say('admin', '/grant core 600 great work');
    await leave(t, 'gone');
    const out = await t.chat.say('admin', '/stats members');
    expect(out).toContain('新成员 1 · 活跃 1 · 核心 1 · 沉默 1 · 流失 1 · 其他 2');
    const snapshot = t.app.store.sql.prepare('SELECT segment, count FROM segment_snapshots WHERE day = ? ORDER BY segment').all(dayOf(0));
    expect(await snapshot).toEqual([
      { segment: 'active', count: 1 },
      { segment: 'casual', count: 2 },
      { segment: 'churned', count: 1 },
      { segment: 'core', count: 1 },
      { segment: 'new', count: 1 },
      { segment: 'silent', count: 1 },
    ]);
  });

  it('where the bot sees only what is addressed to it (WeCom), nobody is nudged by default and /stats says what "active" means there', async () => {
    const clock = new FixedClock(new Date(new Date(T0).getTime() - 20 * DAY));
    const t = (await app({ clock }));
    const wecom = { platform: 'wecom' as const, externalId: 'wrGroup1', name: '企微群' };
    const inWecom = (user: string, text: string, addressed: boolean): Promise<unknown> =>
      t.app.router.handle({ ...t.chat.event(user, text), community: wecom, addressed } as ChatEvent);
    // Members who once talked to the bot in both communities, then went quiet (as far as the bot can see).
    for (const u of ['admin', 'm1', 'm2', 'm3']) {
      await chatter(t, u, 'hello world');
      await inWecom(u, '签到', true);
    }
    clock.set(T0);
    await t.app.jobs.run('lifecycle-daily', 0, { runKey: `daily-${clock.now().getTime()}` });
    const nudged = (communityId: number): Promise<unknown[]> =>
      t.app.store.sql.prepare('SELECT member_id FROM nudges WHERE community_id = ?').all(communityId);
    const wecomId = ((await t.app.store.sql.prepare("SELECT id FROM communities WHERE platform = 'wecom'").get()) as { id: number }).id;
    expect(await nudged(wecomId)).toEqual([]);
    expect((await nudged(1)).length).toBeGreaterThan(0); // the playground community sees every message: nudges as before
    const stats = (await t.app.router.handle({ ...t.chat.event('admin', '/stats members'), community: wecom } as ChatEvent)).replies.map((r) => r.text).join('\n');
    expect(stats).toContain('「活跃」指与机器人互动');
    expect(stats).toContain('发言率无法统计');
    expect(stats).toContain('默认不发沉默提醒');
    expect(await t.chat.say('admin', '/stats members')).not.toContain('发言率无法统计');
  });

  it('with lifecycle.nudges.onMentionOnlyPlatforms on, WeCom communities are nudged too', async () => {
    const clock = new FixedClock(new Date(new Date(T0).getTime() - 20 * DAY));
    const t = (await app({ clock, config: { lifecycle: { nudges: { onMentionOnlyPlatforms: true } } } }));
    const wecom = { platform: 'wecom' as const, externalId: 'wrGroup2', name: '企微群' };
    for (const u of ['m1', 'm2']) await t.app.router.handle({ ...t.chat.event(u, '签到'), community: wecom, addressed: true } as ChatEvent);
    clock.set(T0);
    await t.app.jobs.run('lifecycle-daily', 0, { runKey: `daily-${clock.now().getTime()}` });
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM nudges').get())).toEqual({ n: 2 });
  });

  it('where the platform has no DMs, the daily run nudges at most 10 silent members in one post, skips /quiet, recent nudges and leavers, once a day, and measures the effect', async () => {
    const clock = new FixedClock(new Date(new Date(T0).getTime() - 20 * DAY));
    // A playground sender without direct messages (like a WeCom group with only a webhook).
    const t = (await app({ clock, senders: [{ platform: 'playground', send: async () => undefined }] }));
    const silent = Array.from({ length: 12 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    for (const u of ['admin', ...silent, 'hush', 'nudged', 'gone']) await chatter(t, u, 'hello world');
    expect(await t.chat.say('hush', '/quiet')).toContain('已开启免打扰');
    clock.set(T0);
    await chatter(t, 'admin', 'still here today');
    await t.app.store.sql.prepare('INSERT INTO nudges (community_id, member_id, day, nudged_at) VALUES (1, ?, ?, ?)').run((await memberId(t, 'nudged')), dayOf(-5), new Date(T0).getTime() - 5 * DAY);
    await leave(t, 'gone');

    await t.app.jobs.run('lifecycle-daily', 0, { runKey: `daily-${clock.now().getTime()}` });
    await t.app.jobs.run('lifecycle-daily', 0, { runKey: `daily-${clock.now().getTime()}` });
    const nudgePosts = (await posts(t, 'nudge'));
    expect(nudgePosts).toHaveLength(1);
    const mentioned = Object.values(nudgePosts[0]?.mentions ?? {});
    expect(mentioned).toEqual(silent.slice(0, 10));
    expect(nudgePosts[0]?.text).toContain('好久不见');
    expect(nudgePosts[0]?.text).toContain('<@s00>');

    // s00 comes back the next day: the nudge worked for one of ten.
    clock.advance(DAY);
    await chatter(t, 's00', 'I am back!');
    clock.advance(4 * DAY);
    await chatter(t, 's01', 'too late to count');
    expect(await t.chat.say('admin', '/stats members')).toContain('近 30 天沉默提醒 11 人次，其中 1 人次在 3 天内回来（9%）'); // 10 today + the scripted one

    // Opting back in makes the member eligible again.
    expect(await t.chat.say('hush', '/免打扰 off')).toContain('已关闭免打扰');
    await t.app.jobs.run('lifecycle-daily', 0, { runKey: `daily-${clock.now().getTime()}` });
    const second = (await posts(t, 'nudge'))[1];
    expect(Object.values(second?.mentions ?? {})).toContain('s10');
    expect(Object.values(second?.mentions ?? {})).not.toContain('hush'); // spoke today with /免打扰
    expect(Object.values(second?.mentions ?? {})).not.toContain('s02'); // nudged 5 days ago
  });
});

describe('the nudge text per community', () => {
  it('/rules nudge: an admin sets it (placeholders checked, {mentions} required, nothing changed on a refusal), the daily run uses it, reset restores the built-in one', async () => {
    const clock = new FixedClock(new Date(new Date(T0).getTime() - 20 * DAY));
    const t = await app({ clock, senders: [{ platform: 'playground', send: async () => undefined }] });
    for (const u of ['admin', 'q1', 'q2']) await chatter(t, u, 'hello world');
    expect(await t.chat.say('admin', '/群规 提醒语')).toContain('（内置提醒语）');
    expect(await t.chat.say('q1', '/rules nudge 回来玩 {mentions}')).toContain('只有管理员');
    expect(await t.chat.say('admin', '/群规 提醒语 {name} 回来玩')).toBe('提醒语里有不认识的占位符 {name}，只能用 {mentions}。提醒语没有修改。');
    expect(await t.chat.say('admin', '/群规 提醒语 大家回来玩呀')).toBe('提醒语必须包含 {mentions}，否则被提醒的人收不到提及。提醒语没有修改。');
    expect(await t.chat.say('admin', '/群规 提醒语')).toContain('（内置提醒语）');
    expect(await t.chat.say('admin', '/群规 提醒语 {mentions} 本周五有抽奖，回来看看吧！')).toBe('✅ 沉默提醒语已更新，预览：\n<@admin> 本周五有抽奖，回来看看吧！');
    clock.set(T0);
    await chatter(t, 'admin', 'still here');
    await t.app.jobs.run('lifecycle-daily', 0, { runKey: 'custom' });
    const [custom] = await posts(t, 'nudge');
    expect(custom?.text).toMatch(/^<@q1> <@q2> 本周五有抽奖，回来看看吧！$/);
    expect(await t.chat.say('admin', '/群规 提醒语 重置')).toBe('✅ 已恢复默认沉默提醒语。');
    expect(await t.chat.say('admin', '/群规 提醒语 重置')).toBe('沉默提醒语没有用指令修改过，已经是默认的了。');
  });
});

describe('newcomer tips per community', () => {
  it('/rules tip: an admin sets one tip ({mention} allowed, anything else refused and nothing changed), the follow-up uses it, reset restores the built-in one', async () => {
    const clock = new FixedClock(T0);
    const t = await app({ clock });
    expect(await t.chat.say('admin', '/群规 引导语 签到')).toContain('（内置引导语）');
    expect(await t.chat.say('q1', '/rules tip checkin hi {mention}')).toContain('只有管理员');
    expect(await t.chat.say('admin', '/群规 引导语 签到 {name} 快来签到')).toBe('引导语里有不认识的占位符 {name}，只能用 {mention}。引导语没有修改。');
    expect(await t.chat.say('admin', '/群规 引导语 签到')).toContain('（内置引导语）');
    expect(await t.chat.say('admin', '/群规 引导语 吃饭 快来')).toContain('签到');
    expect(await t.chat.say('admin', '/群规 引导语 签到 {mention} 每天发「签到」领 10 积分，满 7 天换周边！')).toBe('✅ 新人引导语已更新，预览：\n<@admin> 每天发「签到」领 10 积分，满 7 天换周边！');
    expect(await t.chat.say('admin', '/群规 引导语 签到')).toContain('每天发「签到」领 10 积分');
    await join(t, 'bob');
    clock.advance(DAY);
    await t.app.jobs.run('lifecycle-followup', 1);
    const [tip] = await posts(t, 'followup');
    expect(tip?.text).toBe('<@bob> 新人小贴士：\n<@bob> 每天发「签到」领 10 积分，满 7 天换周边！');
    expect(await t.chat.say('admin', '/群规 引导语 签到 重置')).toBe('✅ 已恢复默认新人引导语。');
    expect(await t.chat.say('admin', '/群规 引导语 签到 重置')).toBe('这条引导语没有用指令修改过，已经是默认的了。');
  });
});

describe('direct messages', () => {
  it('where the platform has DMs, each silent member gets a personal nudge, and follow-ups go privately', async () => {
    const clock = new FixedClock(new Date(new Date(T0).getTime() - 20 * DAY));
    const t = (await app({ clock }));
    for (const u of ['admin', 'quiet1', 'quiet2']) await chatter(t, u, 'hello world');
    clock.set(T0);
    await chatter(t, 'admin', 'still here today');
    await t.app.jobs.run('lifecycle-daily', 0, { runKey: `daily-${clock.now().getTime()}` });
    const rows = (await t.app.store.sql.prepare("SELECT recipient, reply_json FROM deliveries WHERE source = 'nudge' ORDER BY id").all()) as Array<{ recipient: string; reply_json: string }>;
    expect(rows.map((r) => r.recipient)).toEqual(['quiet1', 'quiet2']);
    expect((JSON.parse(rows[0]?.reply_json ?? '{}') as Reply).text).toContain('<@quiet1>');
    await join(t, 'newbie');
    const followup = (await t.app.store.sql.prepare("SELECT id FROM followups WHERE member_id = ? ORDER BY id LIMIT 1").get((await memberId(t, 'newbie')))) as { id: number };
    clock.advance(DAY);
    await t.app.jobs.run('lifecycle-followup', followup.id);
    expect(await t.app.store.sql.prepare("SELECT recipient FROM deliveries WHERE source = 'followup'").all()).toEqual([{ recipient: 'newbie' }]);
  });
});

describe('rules acceptance and the newcomer lottery entry', () => {
  it('the welcome carries an accept action; an unaccepted member is reminded once; accepting or leaving skips the reminder', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock, config: { lifecycle: { rules: { acceptance: true, reminderSeconds: 3600 } } } }));
    for (const user of ['bob', 'carol', 'dave']) await join(t, user);
    const batch = (await t.app.store.sql.prepare('SELECT id FROM welcome_batches').get()) as { id: number };
    await t.app.jobs.run('welcome-batch', batch.id);
    expect((await posts(t, 'welcome'))[0]?.actions).toEqual([{ label: '我已阅读并接受群规', command: 'accept', style: 'success' }]);
    expect(await t.chat.say('carol', '/accept')).toContain('已记录你接受了群规');
    expect(await t.chat.say('carol', '接受群规')).toContain('之前已经接受过');
    await leave(t, 'dave');
    clock.advance(3600_000);
    for (const user of ['bob', 'carol', 'dave']) {
      await t.app.jobs.run('rules-reminder', (await memberId(t, user)));
      await t.app.jobs.run('rules-reminder', (await memberId(t, user)));
    }
    const reminders = (await posts(t, 'rules-reminder'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain('<@bob>');
    expect(reminders[0]?.actions?.[0]?.command).toBe('accept');
    // The reminder timer is desired until it has run, and only for the member who still owes it.
    expect((await t.app.lifecycle.desired()).timers.filter((x) => x.job.kind === 'rules-reminder')).toEqual([]);
  });

  it('a first join gets a free entry to the newest open lottery, once per member', async () => {
    const t = (await app({ config: { lottery: { newcomerEntry: true } } }));
    await join(t, 'early'); // no lottery open yet: nothing
    await t.chat.say('admin', '/lottery create 新人礼 winners=1 ends=+1h');
    await join(t, 'bob');
    await leave(t, 'bob');
    await join(t, 'bob');
    const entries = t.app.store.sql.prepare('SELECT member_id, source, cost_paid FROM lottery_entries').all();
    expect(await entries).toEqual([{ member_id: (await memberId(t, 'bob')), source: 'newcomer', cost_paid: 0 }]);
  });
});
