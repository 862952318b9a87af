/**
 * Issue #15, moderation: the word filter on members' messages, strikes on the
 * ladder with expiry, duplicate deliveries, admins exempt, /filter and /mod,
 * private warnings (ephemeral on the playground, a DM through the outbox on
 * Discord and WeCom), and never the offending text in a reply or the log.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import type { ChatEvent, Platform } from '../../src/core/chat-event.js';
import { testApps, type TestApp } from '../helpers/app.js';

// 2026-11-23 10:00 in Asia/Shanghai.
const clock = (): FixedClock => new FixedClock('2026-11-23T02:00:00Z');
const app = testApps();
const DAY = 86_400_000;

interface DeliveryRow {
  recipient: string | null;
  reply_json: string;
  fallback_json: string | null;
  source: string;
}
const deliveries = async (t: TestApp): Promise<DeliveryRow[]> =>
  t.app.store.sql.prepare<[], DeliveryRow>("SELECT recipient, reply_json, fallback_json, source FROM deliveries WHERE source LIKE 'moderation:%' ORDER BY id").all();
const strikeCount = async (t: TestApp): Promise<number> => ((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM moderation_strikes').get()) as { n: number }).n;

let n = 0;
const platformEvent = (platform: Platform, userId: string, text: string, opts: { addressed?: boolean; admin?: boolean; deliveryId?: string } = {}): ChatEvent => ({
  type: 'message',
  deliveryId: opts.deliveryId ?? `mod-${process.pid}-${++n}`,
  community: { platform, externalId: `${platform}-group` },
  actor: { platformUserId: userId, displayName: userId, isAdmin: opts.admin ?? false },
  text,
  addressed: opts.addressed ?? false,
});

describe('the word filter on members’ messages', () => {
  it('warns privately, records a strike and logs the rule with the word masked, never the text', async () => {
    const t = await app({ clock: clock() });
    const replies = await t.chat.send('alice', '你这个傻 逼，快走开');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.ephemeral).toBe(true);
    expect(replies[0]?.text).toContain('触发了群规过滤（「傻＊」）');
    expect(replies[0]?.text).toContain('30 天内第 1 次');
    const strikes = await t.chat.say('admin', '/mod strikes alice');
    expect(strikes).toContain('规则 list:');
    expect(strikes).toContain('「傻＊」');
    const log = await t.chat.say('admin', '/modlog');
    expect(log).toContain('警告 alice，执行者 机器人');
    expect(log).toContain('「傻＊」');
    for (const text of [strikes, log]) {
      expect(text).not.toContain('傻逼');
      expect(text).not.toContain('快走开');
    }
    // Not stored anywhere either.
    const rows = JSON.stringify(await t.app.store.sql.prepare('SELECT * FROM moderation_strikes').all()) + JSON.stringify(await t.app.store.sql.prepare('SELECT * FROM moderation_log').all());
    expect(rows).not.toContain('傻逼');
  });

  it.each([['敏感的 傻-逼'], ['傻\u200b逼'], ['ＳＢ是傻.逼'], ['傻傻逼逼'], ['操你媽'], ['加 v 信 领红包']])('catches the disguised %j', async (text) => {
    const t = await app({ clock: clock() });
    expect(await t.chat.say('alice', text)).toContain('触发了群规过滤');
  });

  it.each([['前方路口交通拥堵'], ['这个操作很可靠'], ['今天天气不错，一起去爬山吧'], ['Essex is lovely']])('leaves %j alone', async (text) => {
    const t = await app({ clock: clock() });
    expect(await t.chat.say('alice', text)).not.toContain('群规');
    expect(await strikeCount(t)).toBe(0);
  });

  it('never touches an admin’s message', async () => {
    const t = await app({ clock: clock() });
    expect(await t.chat.say('admin', '傻逼')).not.toContain('群规');
    expect(await strikeCount(t)).toBe(0);
  });

  it('acts once on a delivery that arrives twice', async () => {
    const t = await app({ clock: clock() });
    const first = await t.chat.say('alice', '傻逼', { deliveryId: 'same-1' });
    const again = await t.chat.say('alice', '傻逼', { deliveryId: 'same-1' });
    expect(first).toContain('第 1 次');
    expect(again).toBe(first);
    expect(await strikeCount(t)).toBe(1);
    expect(await t.chat.say('admin', '/mod log')).toContain('管理日志（最近 1 条）');
  });

  it('is off with moderation.enabled false', async () => {
    const t = await app({ clock: clock(), config: { moderation: { enabled: false } } });
    expect(await t.chat.say('alice', '傻逼')).not.toContain('群规');
    expect(await strikeCount(t)).toBe(0);
  });
});

describe('the ladder and strike expiry', () => {
  it('counts active strikes, logs the steps no sender can do, and forgets expired strikes', async () => {
    const c = clock();
    const t = await app({ clock: c, config: { moderation: { ladder: ['warn', 'timeout', 'kick'], strikeDays: 7 } } });
    expect(await t.chat.say('alice', '傻逼')).toContain('7 天内第 1 次');
    c.advance(DAY);
    expect(await t.chat.say('alice', '傻逼')).toContain('7 天内第 2 次');
    const warned = await t.chat.say('admin', '/warn alice 刷屏');
    expect(warned).toContain('已警告 alice：7 天内第 3 次违规');
    expect(warned).toContain('移出群聊');
    expect(warned).toContain('机器人在这个平台上还做不到');
    const log = await t.chat.say('admin', '/mod log');
    expect(log).toContain('未执行：撤回消息、禁言 10 分钟');
    expect(log).toContain('未执行：撤回消息）');
    expect(log).toContain('原因：刷屏');
    expect(log).toContain('执行者 admin');
    // The warned member gets it privately (a DM, or the group fallback that names no text).
    const dms = await deliveries(t);
    expect(dms).toHaveLength(1);
    expect(dms[0]?.recipient).toBe('alice');
    expect(JSON.parse(dms[0]?.reply_json ?? '{}').text).toContain('管理员警告：刷屏');
    // Six days after the first strike, all three count; a day later the first has expired.
    c.advance(5 * DAY + 60_000);
    expect(await t.chat.say('admin', '/strikes alice')).toContain('#1');
    c.advance(DAY);
    const left = await t.chat.say('admin', '/strikes alice');
    expect(left).not.toContain('#1 ');
    expect(left).toContain('#2');
    expect(await t.chat.say('alice', '傻逼')).toContain('7 天内第 3 次');
  });

  it('a pardon clears the active strikes and starts the ladder again', async () => {
    const t = await app({ clock: clock() });
    await t.chat.say('alice', '傻逼');
    await t.chat.say('alice', '草泥马');
    expect(await t.chat.say('admin', '/mod pardon alice')).toContain('已撤销 alice 的 2 条违规记录');
    expect(await t.chat.say('admin', '/pardon alice')).toContain('没有需要撤销');
    expect(await t.chat.say('admin', '/strikes alice')).toContain('没有未过期的违规记录');
    expect(await t.chat.say('alice', '傻逼')).toContain('第 1 次');
    expect(await t.chat.say('admin', '/modlog')).toContain('撤销违规 alice，执行者 admin');
  });
});

describe('/filter', () => {
  it('adds, lists, tests and removes a community’s words and allow entries', async () => {
    const t = await app({ clock: clock() });
    expect(await t.chat.say('alice', '我们去团建吧')).not.toContain('群规');
    const added = await t.chat.say('admin', '/filter add 团 建');
    expect(added).toMatch(/已添加敏感词「团＊」（规则 c:\d+）/);
    expect(added).not.toContain('团建');
    expect(await t.chat.say('alice', '我们去团-建吧')).toContain('「团＊」');
    expect(await t.chat.say('admin', '/敏感词 添加 !团建活动')).toContain('已添加放行词');
    expect(await t.chat.say('bob', '周五有团建活动')).not.toContain('群规');
    expect(await t.chat.say('admin', '/filter test 周五团建')).toMatch(/会触发：c:\d+「团＊」/);
    expect(await t.chat.say('admin', '/filter test 周五有团建活动')).toContain('不会触发');
    const list = await t.chat.say('admin', '/filter list');
    expect(list).toMatch(/默认词库：\d+ 个敏感词，\d+ 个放行词/);
    expect(list).toContain('团＊＊＊（放行）');
    expect(await t.chat.say('admin', '/filter add 团建')).toContain('已经在本群的列表里了');
    expect(await t.chat.say('admin', '/filter remove 团建')).toContain('已删除');
    expect(await t.chat.say('alice', '周末我们去团建吧')).not.toContain('群规');
    expect(await t.chat.say('admin', '/filter remove 团建')).toContain('没有「团＊」');
    expect(await t.chat.say('admin', '/filter remove 傻逼')).toContain('在默认词库里');
    expect(await t.chat.say('admin', '/filter add 傻逼')).toContain('已经在默认词库里');
    expect(await t.chat.say('admin', '/modlog')).toMatch(/删除词条 ，执行者 admin，规则 c:\d+（「团＊」）/);
  });

  it('refuses single characters and empty entries when they are added', async () => {
    const t = await app({ clock: clock() });
    expect(await t.chat.say('admin', '/filter add 操')).toContain('不接受单个字');
    expect(await t.chat.say('admin', '/filter add ～～')).toContain('什么都不剩');
    expect(await t.chat.say('admin', '/filter add 操 你')).toContain('已添加');
  });

  it('is for admins only', async () => {
    const t = await app({ clock: clock() });
    expect(await t.chat.say('alice', '/filter add 团建')).toContain('管理员');
    expect(await t.chat.say('alice', '/warn bob 捣乱')).toContain('管理员');
  });

  it('/help grows by one line, and stays within a screen', async () => {
    const t = await app({ clock: clock() });
    const help = await t.chat.say('admin', '/help');
    expect(help).toContain('/mod add|remove|list|test|warn|strikes|pardon|spam|log');
    expect(help.split('\n').filter((l) => l.includes('/mod'))).toHaveLength(1);
    expect(help.split('\n').length).toBeLessThanOrEqual(30);
    expect(await t.chat.say('alice', '/help')).not.toContain('/mod');
  });
});

describe('platforms', () => {
  it('Discord: the warning goes by DM through the outbox, nothing is said in the channel', async () => {
    const t = await app({ clock: clock() });
    const { replies } = await t.app.router.handle(platformEvent('discord', 'u1', '傻逼'));
    expect(replies).toEqual([]);
    const [dm] = await deliveries(t);
    expect(dm?.recipient).toBe('u1');
    expect(JSON.parse(dm?.reply_json ?? '{}').text).toContain('"傻＊"');
    const fallback = JSON.parse(dm?.fallback_json ?? '{}') as { text: string };
    expect(fallback.text).toContain('<@u1>');
    expect(fallback.text).not.toContain('傻');
    // A second delivery of the same message: one strike, one DM.
    await t.app.router.handle(platformEvent('discord', 'u1', '傻逼', { deliveryId: 'dup' }));
    await t.app.router.handle(platformEvent('discord', 'u1', '傻逼', { deliveryId: 'dup' }));
    expect(await deliveries(t)).toHaveLength(2);
    expect(await strikeCount(t)).toBe(2);
  });

  it('WeCom: a flagged @-mention gets a public notice without details, the DM carries them, and /filter says what the bot sees', async () => {
    const t = await app({ clock: clock() });
    const { replies } = await t.app.router.handle(platformEvent('wecom', 'w1', '加微信领红包', { addressed: true }));
    expect(replies.map((r) => r.text).join()).toContain('详情已私下告知');
    expect(replies.map((r) => r.text).join()).not.toContain('加');
    expect((await deliveries(t))[0]?.recipient).toBe('w1');
    const list = await t.app.router.handle({ ...platformEvent('wecom', 'boss', '/filter list', { addressed: true, admin: true }) });
    expect(list.replies.map((r) => r.text).join()).toContain('只能看到@它的消息');
  });
});
