/**
 * Issue #11 (items 14, 17-20): what members read. Wrong quiz answers, /help,
 * errors in the community's language with the real limits, the promo cap and
 * level-up announcements, as conversations.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/core/reply.js';
import { testApps, type TestApp } from '../helpers/app.js';

const banksDir = mkdtempSync(join(tmpdir(), 'qunbot-texts-banks-'));
writeFileSync(
  join(banksDir, 'capitals.yaml'),
  `name: Capitals
questions:
  - id: c1
    question: 中国的首都是哪里？
    answer: [北京, Beijing]
    points: 10
    seconds: 30
  - id: c2
    question: 法国的首都是哪里？
    answer: [巴黎, Paris]
    points: 10
    seconds: 30
`,
);

// 2026-11-23 10:00 in Asia/Shanghai, a Monday.
const clock = (): FixedClock => new FixedClock('2026-11-23T02:00:00Z');
const app = testApps({ quiz: { banksDir, shuffle: false, defaults: { bank: 'capitals' } } });
const deliveries = async (t: TestApp, source: string): Promise<Reply[]> =>
  ((await t.app.store.sql.prepare('SELECT reply_json FROM deliveries WHERE source = ? ORDER BY id').all(source)) as Array<{ reply_json: string }>).map((r) => JSON.parse(r.reply_json) as Reply);
const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;
/** ASCII words inside <…> placeholders of a text. */
const asciiPlaceholders = (text: string): string[] => [...text.matchAll(/<([^>@\n]*)>/g)].map((m) => m[1] as string).filter((p) => /[A-Za-z]{2,}/.test(p));

describe('a wrong quiz answer (item 14)', () => {
  it('first mode: a wrong free-text answer is "not correct", with no second try, never "I did not understand"', async () => {
    const t = (await app({ clock: clock() }));
    expect(await t.chat.say('admin', '/quiz start capitals questions=2 mode=first')).toContain('已开始');
    const wrong = await t.chat.say('alice', '南京');
    expect(wrong).not.toContain('我没听懂');
    expect(wrong).toContain('答错了');
    expect(wrong).toContain('不能再答');
    expect(await t.chat.say('alice', '北京')).toContain('已经回答过第 1 题');
    expect(await t.chat.say('bob', '北京')).toContain('bob 答对了第 1 题');
  });

  it('all mode: a wrong free-text answer is recorded (one answer per question), never "I did not understand"', async () => {
    const t = (await app({ clock: clock() }));
    await t.chat.say('admin', '/quiz start capitals questions=1 mode=all');
    const wrong = await t.chat.say('alice', '南京');
    expect(wrong).not.toContain('我没听懂');
    expect(wrong).toContain('每题只能答一次');
    expect(await t.chat.say('alice', '北京')).toContain('已经回答过第 1 题');
  });

  it('English: "Not correct"', async () => {
    const t = (await app({ clock: clock(), config: { community: { locale: { playground: 'en' } } } }));
    await t.chat.say('admin', '/quiz start capitals questions=1 mode=first');
    expect(await t.chat.say('alice', 'Nanjing')).toContain('Not correct');
  });
});

describe('/help (item 17)', () => {
  it('zh-CN admin help on the playground: grouped, short, only what works here, placeholders in Chinese', async () => {
    const t = (await app({ clock: clock() }));
    const help = await t.chat.say('admin', '/帮助');
    expect(help).toContain('成员指令');
    expect(help).toContain('管理员指令');
    expect(help).not.toContain('/bind');
    expect(help).not.toContain('/freeze');
    expect(asciiPlaceholders(help)).toEqual([]);
    expect(help).toContain('/grant <成员> <积分> <原因>');
    // One line per command, members and admins grouped: a screenful even with every feature on.
    expect(help.split('\n').length).toBeLessThanOrEqual(30);
    const member = await t.chat.say('alice', '/help');
    expect(member).not.toContain('/grant');
    expect(member).not.toContain('管理员指令');
  });

  it('an unknown command lists only the commands that work here, like /help', async () => {
    const t = (await app({ clock: clock() }));
    const reply = await t.chat.say('admin', '/nosuch');
    expect(reply).toContain('没有「nosuch」这个指令');
    expect(reply).toContain('/checkin');
    expect(reply).toContain('/grant');
    expect(reply).not.toContain('/bind');
    expect(reply).not.toContain('/freeze');
    expect(await t.chat.say('alice', '/nosuch')).not.toContain('/grant');
  });

  it('shows /freeze when streak freezes are on', async () => {
    const t = (await app({ clock: clock(), config: { checkin: { freeze: { enabled: true } } } }));
    expect(await t.chat.say('alice', '/help')).toContain('/freeze');
  });

  it('English help is grouped', async () => {
    const t = (await app({ clock: clock(), config: { community: { locale: { playground: 'en' } } } }));
    const help = await t.chat.say('admin', '/help');
    expect(help).toContain('Members');
    expect(help).toContain('Admins');
    expect(help).toContain('/grant <member> <points> <reason>');
    expect(help.indexOf('Members')).toBeLessThan(help.indexOf('Admins'));
  });

  it('/help <command> gives usage, aliases and description', async () => {
    const t = (await app({ clock: clock() }));
    const grant = await t.chat.say('admin', '/help grant');
    expect(grant).toContain('/grant <成员> <积分> <原因>');
    expect(grant).toContain('加分');
    expect(grant).toContain('给成员加分');
    expect(grant).toContain('原因（会记录在账本中）');
    expect(await t.chat.say('admin', '/帮助 加分')).toContain('/grant <成员> <积分> <原因>');
    expect(await t.chat.say('admin', '/help nosuch')).toContain('没有「nosuch」这个指令');
  });
});

describe('errors in the community language, with the real limits (item 18)', () => {
  it('zh-CN: field names, choices and argument names are Chinese; winners=0 names the configured maximum', async () => {
    const t = (await app({ clock: clock() }));
    await t.chat.say('alice', '/checkin');
    const hour = await t.chat.say('admin', '/schedule once 25:00 hi');
    expect(hour).toContain('小时');
    expect(hour).not.toMatch(/hour/);
    const cron = await t.chat.say('admin', '/schedule add "0 25 * * *" bad');
    expect(cron).toContain('小时「25」');
    expect(cron).not.toMatch(/hour/);
    const period = await t.chat.say('alice', '/leaderboard yearly');
    expect(period).toContain('本周');
    expect(period).not.toMatch(/period|week/);
    const winners = await t.chat.say('admin', '/lottery create 奖品 winners=0 ends=+1h');
    expect(winners).toContain('1 到 100');
    expect(winners).not.toContain('1000');
    const missing = await t.chat.say('admin', '/grant alice 5');
    expect(missing).toContain('原因');
    expect(missing).not.toMatch(/reason|member/);
  });

  it('en: the same errors in English', async () => {
    const t = (await app({ clock: clock(), config: { community: { locale: { playground: 'en' } } } }));
    expect(await t.chat.say('admin', '/schedule once 25:00 hi')).toContain('hour');
    expect(await t.chat.say('admin', '/lottery create prize winners=0 ends=+1h')).toContain('1 to 100');
  });
});

describe('the promo cap (item 19)', () => {
  it('a refusal shows the share the new post would make', async () => {
    const t = (await app({ clock: clock(), config: { posts: { promoMaxShare: 0.3 } } }));
    expect(await t.chat.say('admin', '/schedule once +1h news')).toContain('已安排');
    // Daily at 20:00 from Monday: 7 promo posts of 8 this week.
    const refused = await t.chat.say('admin', '/schedule add "0 20 * * *" 每日特价 #promo');
    expect(refused).toContain('88%（7/8）');
    expect(refused).toContain('30%');
  });

  it('no promo post is always allowed: a lone one is 100% (1/1) of its week (issue #15)', async () => {
    const t = (await app({ clock: clock(), config: { posts: { promoMaxShare: 0.3 } } }));
    expect(await t.chat.say('admin', '/schedule once +1h 新品 #promo')).toContain('100%（1/1）');
  });
});

describe('level-ups, whatever the source (item 20)', () => {
  const levels = { points: { levels: [{ min: 0, name: { 'zh-CN': '新手', en: 'Newcomer' } }, { min: 20, name: { 'zh-CN': '进阶', en: 'Regular' } }] } };

  it('a /grant that crosses a level announces it once, to the community, mentioning the member', async () => {
    const t = (await app({ clock: clock(), config: levels }));
    await t.chat.say('alice', '/checkin');
    const reply = await t.chat.say('admin', '/grant alice 15 活动奖励');
    const posts = (await deliveries(t, 'level-up'));
    expect(count(reply, '升级') + posts.length).toBe(1);
    expect(posts[0]?.text).toContain('<@alice>');
    expect(posts[0]?.text).toContain('进阶');
    await t.chat.say('admin', '/grant alice 5 again');
    expect((await deliveries(t, 'level-up'))).toHaveLength(1);
  });

  it('a chat activity award that crosses a level posts once', async () => {
    const t = (await app({ clock: clock(), config: { ...levels, lifecycle: { welcome: { newcomerBonus: 0 } } } }));
    await t.chat.say('alice', '/checkin'); // 10
    const chat = (text: string) => {
      const event = t.chat.event('alice', text);
      if (event.type === 'message') event.addressed = false; // plain group chat, not addressed to the bot
      return t.app.router.handle(event);
    };
    for (let i = 0; i < 12; i++) {
      await chat(`今天天气不错 ${i}`);
      if (t.app.clock instanceof FixedClock) t.app.clock.advance(61_000);
    }
    expect((await t.app.points.standing(1)).earned).toBeGreaterThanOrEqual(20);
    const posts = (await deliveries(t, 'level-up'));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.text).toContain('进阶');
  });

  it('winning a first-mode quiz question tells the level-up in the winning reply, not as a post too', async () => {
    const t = (await app({ clock: clock(), config: { points: { levels: [levels.points.levels[0], { min: 10, name: { 'zh-CN': '进阶', en: 'Regular' } }] } } }));
    await t.chat.say('admin', '/quiz start capitals questions=1 mode=first');
    const won = await t.chat.say('bob', '北京');
    expect(won).toContain('bob 答对了第 1 题');
    expect(count(won, '升级')).toBe(1);
    expect((await deliveries(t, 'level-up'))).toHaveLength(0);
  });

  it('check-in still announces once, in its reply', async () => {
    const t = (await app({ clock: clock(), config: levels }));
    await t.chat.say('admin', '/grant alice 1 x').catch(() => undefined);
    await t.chat.say('alice', '/help');
    await t.chat.say('admin', '/grant alice 15 gift');
    expect((await deliveries(t, 'level-up'))).toHaveLength(0);
    const reply = await t.chat.say('alice', '/checkin');
    expect(count(reply, '升级')).toBe(1);
    expect((await deliveries(t, 'level-up'))).toHaveLength(0);
  });
});
