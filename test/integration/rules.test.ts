/**
 * Issue #15: the community's rules (/rules, 群规) and per-community welcome
 * texts, as conversations: set by admins, from config, shown in the welcome.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { Reply } from '../../src/core/reply.js';
import { testApps, type TestApp } from '../helpers/app.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 } });
const T0 = '2026-11-23T02:00:00.000Z';

const join = (t: TestApp, user: string) => t.app.router.handle({ ...t.chat.event(user, ''), type: 'memberJoined' } as ChatEvent);
const welcomes = async (t: TestApp): Promise<string[]> =>
  ((await t.app.store.sql.prepare("SELECT reply_json FROM deliveries WHERE source = 'welcome' ORDER BY id").all()) as Array<{ reply_json: string }>).map((r) => (JSON.parse(r.reply_json) as Reply).text);
/** Joins `users` and fires the welcome batch of that minute; returns the welcome texts posted. */
async function welcomed(t: TestApp, ...users: string[]): Promise<string[]> {
  const before = (await welcomes(t)).length;
  for (const user of users) await join(t, user);
  const batch = (await t.app.store.sql.prepare('SELECT id FROM welcome_batches ORDER BY id DESC').get()) as { id: number };
  await t.app.jobs.run('welcome-batch', batch.id);
  return (await welcomes(t)).slice(before);
}

const FIVE_RULES = '1. 友善交流，互相尊重\n2. 不刷屏\n3. 不发广告\n4. 不传谣\n5. 违规者移出群聊';

describe('/rules (群规)', () => {
  it('admins set multi-line rules; members read them all; the welcome shows the first 3 lines and how to see the rest', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    await t.app.start();
    expect(await t.chat.say('alice', '/rules')).toBe('本群还没有设置群规。');
    expect(await t.chat.say('admin', '/群规')).toContain('群规 设置 <内容>');
    expect(await t.chat.say('alice', `/rules set ${FIVE_RULES}`)).toMatch(/管理员/);
    expect(await t.chat.say('admin', `/群规 设置 ${FIVE_RULES}`)).toBe('✅ 群规已更新（5 行），欢迎语会显示前 3 行。');
    const shown = await t.chat.say('alice', '群规');
    expect(shown).toContain('群规');
    expect(shown).toContain(FIVE_RULES);

    const [welcome] = await welcomed(t, 'bob');
    expect(welcome).toContain('欢迎 <@bob> 加入');
    expect(welcome).toContain('📜 群规：\n1. 友善交流，互相尊重\n2. 不刷屏\n3. 不发广告\n……发送 /群规 查看全部');
    expect(welcome).not.toContain('4. 不传谣');
    // The hard-coded one-line summary is replaced.
    expect(welcome).not.toContain('友善交流，不刷屏、不发广告');
    expect(welcome).toContain('签到');
  });

  it('a slash command types line breaks as \\n; three lines or fewer need no "see all"; a batched welcome shows them too', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    await t.app.start();
    expect(await t.chat.say('admin', '/rules set 1. Be kind\\n2. No spam')).toContain('（2 行）');
    expect(await t.chat.say('alice', '/rules')).toContain('1. Be kind\n2. No spam');
    const posts = await welcomed(t, 'u1', 'u2', 'u3', 'u4', 'u5', 'u6');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain('欢迎 6 位新朋友');
    expect(posts[0]).toContain('📜 群规：\n1. Be kind\n2. No spam\n');
    expect(posts[0]).not.toContain('查看全部');
  });

  it('rules come from config per language and per community; an admin\'s rules win until cleared', async () => {
    const t = (await app({
          config: {
            lifecycle: { rules: { text: { 'zh-CN': '默认群规第一条', en: 'Default rule one' } } },
            community: { overrides: { 'playground:other': { rules: '另一个群的群规' } } },
          },
        }));
    await t.app.start();
    expect(await t.chat.say('alice', '/rules')).toContain('默认群规第一条');
    expect(await t.chat.say('admin', '/rules clear')).toContain('没有用指令设置过群规');
    await t.chat.say('admin', '/rules set 管理员的群规');
    expect(await t.chat.say('alice', '/rules')).toContain('管理员的群规');
    expect(await t.chat.say('admin', '/rules clear')).toContain('已清除');
    expect(await t.chat.say('alice', '/rules')).toContain('默认群规第一条');
    // Another community reads its own configured rules.
    const other = await t.app.router.handle({ ...t.chat.event('carol', '/rules'), community: { platform: 'playground', externalId: 'other' } });
    expect(other.replies[0]?.text).toBe('另一个群的群规');
  });
});

describe('/rules welcome (欢迎语)', () => {
  it('an unknown placeholder is refused and changes nothing; a valid text replaces the welcome, followed by the rules; reset restores the default', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock }));
    await t.app.start();
    const refused = await t.chat.say('admin', '/rules welcome 欢迎 {mention}！{name} 送你 {bonus} 分，还有{gift}');
    expect(refused).toBe('欢迎语里有不认识的占位符 {name} {gift}，只能用 {mention} {community} {bonus}。欢迎语没有修改。');
    expect(await t.chat.say('admin', '/rules welcome')).toContain('（内置欢迎语）');
    expect(await t.chat.say('alice', '/rules welcome 你好 {mention}')).toMatch(/管理员/);

    expect(await t.chat.say('admin', '/群规 欢迎语 {mention} 来到{community}，送你 {bonus} 分！')).toBe('✅ 欢迎语已更新，预览：\n<@admin> 来到本群，送你 20 分！');
    await t.chat.say('admin', `/rules set ${FIVE_RULES}`);
    const [welcome] = await welcomed(t, 'bob');
    expect(welcome).toBe('<@bob> 来到本群，送你 20 分！\n📜 群规：\n1. 友善交流，互相尊重\n2. 不刷屏\n3. 不发广告\n……发送 /群规 查看全部');

    expect(await t.chat.say('admin', '/rules welcome 重置')).toBe('✅ 已恢复默认欢迎语。');
    expect(await t.chat.say('admin', '/rules welcome reset')).toContain('已经是默认的了');
    clock.advance(120_000);
    const [again] = await welcomed(t, 'carol');
    expect(again).toContain('欢迎 <@carol> 加入');
  });

  it('a welcome text configured for the community is used, and an admin\'s text wins over it', async () => {
    const clock = new FixedClock(T0);
    const t = (await app({ clock, config: { community: { overrides: { 'playground:demo': { welcome: '{mention}，这里是配置的欢迎语' } } } } }));
    await t.app.start();
    expect(await t.chat.say('admin', '/rules welcome')).toContain('{mention}，这里是配置的欢迎语');
    expect(await welcomed(t, 'bob')).toEqual(['<@bob>，这里是配置的欢迎语']);
    await t.chat.say('admin', '/rules welcome {mention}，管理员的欢迎语');
    clock.advance(120_000);
    expect(await welcomed(t, 'carol')).toEqual(['<@carol>，管理员的欢迎语']);
  });
});
