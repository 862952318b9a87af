import { describe, expect, it } from 'vitest';
import { CommandRegistry, resolveArgs, type ArgContext, type Invocation } from '../../src/core/commands/registry.js';
import type { CommandSpec } from '../../src/core/commands/spec.js';
import type { MemberInfo } from '../../src/core/context.js';
import { UserError } from '../../src/core/errors.js';
import { I18n } from '../../src/core/i18n.js';
import { coreMessages } from '../../src/core/messages.js';

const noop = () => ({ text: '' });
const specs: CommandSpec[] = [
  { name: 'checkin', aliases: ['签到', '打卡'], description: 'test.command', role: 'member', handler: noop },
  {
    name: 'leaderboard',
    aliases: ['排行榜'],
    description: 'test.command',
    role: 'member',
    args: [{ name: 'period', type: 'choice', choices: { week: 'choice.period.week', month: 'choice.period.month', all: 'choice.period.all' }, choiceAliases: { 本周: 'week', 总榜: 'all' }, description: 'test.command' }],
    handler: noop,
  },
  {
    name: 'grant',
    aliases: ['加分'],
    description: 'test.command',
    role: 'admin',
    args: [
      { name: 'member', type: 'member', required: true, description: 'test.command' },
      { name: 'points', type: 'int', required: true, min: 1, max: 1000, description: 'test.command' },
      { name: 'reason', type: 'text', required: true, description: 'test.command' },
    ],
    handler: noop,
  },
  {
    name: 'lottery',
    aliases: ['抽奖'],
    description: 'test.command',
    role: 'member',
    defaultSubcommand: 'list',
    subcommands: [
      { name: 'list', description: 'test.command', role: 'member', handler: noop },
      { name: 'join', aliases: ['参与'], shortcuts: ['参与抽奖'], description: 'test.command', role: 'member', args: [{ name: 'id', type: 'int', required: true, description: 'test.command' }], handler: noop },
      {
        name: 'create',
        description: 'test.command',
        role: 'admin',
        args: [
          { name: 'prize', type: 'text', required: true, description: 'test.command' },
          { name: 'winners', type: 'int', named: true, min: 1, max: 100, description: 'test.command' },
          { name: 'ends', type: 'when', named: true, description: 'test.command' },
        ],
        handler: noop,
      },
      {
        name: 'edit',
        description: 'test.command',
        role: 'admin',
        args: [
          { name: 'id', type: 'int', required: true, description: 'test.command' },
          { name: 'ends', type: 'when', named: true, clearable: true, description: 'test.command' },
        ],
        handler: noop,
      },
    ],
  },
];
specs.push({
  name: 'poll',
  aliases: ['投票'],
  description: 'test.command',
  role: 'member',
  defaultSubcommand: 'list',
  argumentSubcommand: 'vote',
  subcommands: [
    { name: 'list', description: 'test.command', role: 'member', handler: noop },
    {
      name: 'vote',
      description: 'test.command',
      role: 'member',
      args: [
        { name: 'id', type: 'int', required: true, description: 'test.command' },
        { name: 'points', type: 'int', required: true, description: 'test.command' },
      ],
      handler: noop,
    },
  ],
});
specs.push({
  name: 'schedule',
  description: 'test.command',
  role: 'admin',
  args: [
    { name: 'when', type: 'when', required: true, description: 'test.command' },
    { name: 'text', type: 'text', required: true, description: 'test.command' },
  ],
  handler: noop,
});
const registry = new CommandRegistry(specs);
const alice: MemberInfo = { id: 1, communityId: 1, platformUserId: 'u1', displayName: 'Alice', joinedAt: new Date(0) };
/** 2026-06-01 12:00 in Asia/Shanghai. */
const NOW = new Date('2026-06-01T04:00:00Z');
const resolve: ArgContext = { member: async (ref) => (ref === '<@u1>' || ref === '@Alice' || ref === 'Alice' ? alice : undefined), now: NOW, timezone: 'Asia/Shanghai' };

function invocation(text: string, addressed = true): Invocation {
  const parsed = registry.parseText(text, addressed);
  if (parsed.kind !== 'command') throw new Error(`expected a command, got ${parsed.kind}`);
  return parsed.invocation;
}

async function userError(fn: () => unknown): Promise<UserError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('command parsing', () => {
  it.each([['/checkin'], ['／checkin'], ['!checkin'], ['！checkin'], ['/签到'], ['／打卡'], ['/CHECKIN'], ['／ｃｈｅｃｋｉｎ']])('%s is check-in', (text) => {
    expect(invocation(text).command.name).toBe('checkin');
  });

  it('bare Chinese aliases count only when the bot is addressed', () => {
    expect(invocation('签到', true).command.name).toBe('checkin');
    expect(registry.parseText('签到', false).kind).toBe('none');
    // Bare English names are ordinary chat, even when addressed.
    expect(registry.parseText('checkin please', true).kind).toBe('none');
  });

  it('ordinary chat is not a command, and unknown prefixed words are reported', () => {
    expect(registry.parseText('hello there', true).kind).toBe('none');
    expect(registry.parseText('/dance', true)).toEqual({ kind: 'unknown', name: 'dance' });
    expect(registry.parseText('   ', true).kind).toBe('none');
  });

  it('choices accept Chinese aliases', async () => {
    const args = (await resolveArgs(invocation('/排行榜 本周'), resolve));
    expect(args.string('period')).toBe('week');
    expect((await resolveArgs(invocation('/leaderboard ALL'), resolve)).string('period')).toBe('all');
    const err = await userError(() => resolveArgs(invocation('/leaderboard year'), resolve));
    expect(err.key).toBe('core.badChoice');
  });

  it('member, integer and rest-of-line text arguments', async () => {
    const args = (await resolveArgs(invocation('/grant <@u1> 50 helped   a newcomer'), resolve));
    expect(args.member('member').id).toBe(1);
    expect(args.int('points')).toBe(50);
    expect(args.string('reason')).toBe('helped   a newcomer');
    expect((await resolveArgs(invocation('/加分 @Alice ５０ 好'), resolve)).int('points')).toBe(50);
  });

  it('quoted text arguments keep their spaces', async () => {
    const args = (await resolveArgs(invocation('/grant Alice 5 "well done"'), resolve));
    expect(args.string('reason')).toBe('well done');
  });

  it('bad arguments are refused with a catalog key', async () => {
    expect((await userError(() => resolveArgs(invocation('/grant Alice abc why'), resolve))).key).toBe('core.notAnInteger');
    expect((await userError(() => resolveArgs(invocation('/grant Alice -5 why'), resolve))).key).toBe('core.outOfRange');
    expect((await userError(() => resolveArgs(invocation('/grant Alice 5000 why'), resolve))).key).toBe('core.outOfRange');
    expect((await userError(() => resolveArgs(invocation('/grant Nobody 5 why'), resolve))).key).toBe('core.unknownMember');
    const missing = await userError(() => resolveArgs(invocation('/grant Alice 5'), resolve));
    expect(missing.key).toBe('core.missingArg');
    const i18n = new I18n();
    i18n.add(coreMessages);
    expect(i18n.t('en', missing.key, missing.params)).toBe('Missing argument reason. Usage: /grant <member> <points> <reason>');
    expect(i18n.t('zh-CN', missing.key, missing.params)).toBe('缺少参数「原因」。用法：/grant <成员> <积分> <原因>');
  });

  it('too many arguments are refused', () => {
    const parsed = registry.parseText('/checkin now please', true);
    expect(parsed.kind).toBe('invalid');
  });

  it('subcommands, their aliases, shortcuts and the default subcommand', async () => {
    expect(invocation('/lottery').path).toEqual(['lottery', 'list']);
    expect(invocation('/抽奖 参与 12').path).toEqual(['lottery', 'join']);
    expect((await resolveArgs(invocation('/lottery join 12'), resolve)).int('id')).toBe(12);
    expect(invocation('参与抽奖 7', true).path).toEqual(['lottery', 'join']);
    const bad = registry.parseText('/lottery explode', true);
    expect(bad.kind).toBe('invalid');
  });

  it('a group with an argument subcommand reads unknown first words as that subcommand\'s arguments', async () => {
    const inv = invocation('投票 3 2', true);
    expect(inv.path).toEqual(['poll', 'vote']);
    const args = (await resolveArgs(inv, resolve));
    expect([args.int('id'), args.int('points')]).toEqual([3, 2]);
    expect(invocation('/poll').path).toEqual(['poll', 'list']);
    expect(invocation('/poll vote 1 2').path).toEqual(['poll', 'vote']);
    // Without one, an unknown first word is still an unknown subcommand.
    expect(registry.parseText('/lottery 3', true).kind).toBe('invalid');
  });

  it('a named argument may have a quoted value with spaces', async () => {
    const args = (await resolveArgs(invocation('/lottery create winners="3" Big prize'), resolve));
    expect(args.int('winners')).toBe(3);
    const inv = invocation('/lottery create "A keyboard" winners=2');
    expect((await resolveArgs(inv, resolve)).string('prize')).toBe('A keyboard');
    const after = (await resolveArgs(invocation('/lottery create A new keyboard winners=2'), resolve));
    expect(after.string('prize')).toBe('A new keyboard');
    expect(after.int('winners')).toBe(2);
  });

  it('named arguments go anywhere', async () => {
    const args = (await resolveArgs(invocation('/lottery create winners=3 A new keyboard'), resolve));
    expect(args.int('winners')).toBe(3);
    expect(args.string('prize')).toBe('A new keyboard');
  });

  it('when arguments are times in the community timezone, relative to the command', async () => {
    const args = (await resolveArgs(invocation('/schedule 21:30 hello there'), resolve));
    expect(args.when('when').toISOString()).toBe('2026-06-01T13:30:00.000Z');
    expect(args.string('text')).toBe('hello there');
    expect((await resolveArgs(invocation('/schedule +10m hi'), resolve)).when('when').toISOString()).toBe('2026-06-01T04:10:00.000Z');
    expect((await resolveArgs(invocation('/lottery create prize ends=+1h'), resolve)).when('ends').toISOString()).toBe('2026-06-01T05:00:00.000Z');
    // Another community's clock and timezone: the same words, another instant.
    const ny = (await resolveArgs(invocation('/schedule 21:30 hi'), { ...resolve, timezone: 'America/New_York' }));
    expect(ny.when('when').toISOString()).toBe('2026-06-02T01:30:00.000Z');
  });

  it('a clearable when argument reads none, - or 无 as cleared (null), a time as a time, and is undefined when not given', async () => {
    for (const word of ['none', 'NONE', '-', '－', '无']) expect((await resolveArgs(invocation(`/lottery edit 3 ends=${word}`), resolve)).clearableWhen('ends')).toBeNull();
    expect((await resolveArgs(invocation('/lottery edit 3 ends=+1h'), resolve)).clearableWhen('ends')?.toISOString()).toBe('2026-06-01T05:00:00.000Z');
    expect((await resolveArgs(invocation('/lottery edit 3'), resolve)).clearableWhen('ends')).toBeUndefined();
    // Only where declared: elsewhere the words are not a time.
    expect((await userError(() => resolveArgs(invocation('/lottery create prize ends=none'), resolve))).key).toBe('time.when.unrecognized');
  });

  it('a day and a time of day in two words make one when argument', async () => {
    const args = (await resolveArgs(invocation('/schedule 明天 21:30 see you'), resolve));
    expect(args.when('when').toISOString()).toBe('2026-06-02T13:30:00.000Z');
    expect(args.string('text')).toBe('see you');
    const dated = (await resolveArgs(invocation('/schedule 2026-12-01 20:00 party'), resolve));
    expect(dated.when('when').toISOString()).toBe('2026-12-01T12:00:00.000Z');
    // A time already complete keeps the next word as text.
    expect((await resolveArgs(invocation('/schedule 21:30 22:00 news'), resolve)).string('text')).toBe('22:00 news');
    expect((await resolveArgs(invocation('/schedule "明天 9:00" hi'), resolve)).when('when').toISOString()).toBe('2026-06-02T01:00:00.000Z');
  });

  it('bad when arguments are refused with the time errors, naming the argument', async () => {
    const i18n = new I18n();
    i18n.add(coreMessages);
    const zh = async (text: string): Promise<string> => {
      const err = await userError(() => resolveArgs(invocation(text), resolve));
      return i18n.t('zh-CN', err.key, err.params);
    };
    // Labels of the test's arguments.
    i18n.add({ 'arg.ends': { 'zh-CN': '截止时间', en: 'when' }, 'arg.when': { 'zh-CN': '时间', en: 'when' }, 'arg.prize': { 'zh-CN': '奖品', en: 'prize' }, 'arg.winners': { 'zh-CN': '人数', en: 'n' } });
    expect((await zh('/schedule soonish text'))).toBe('看不懂时间「soonish」。可以写 21:30、明天 9:00、+10m、10分钟后、2026-12-01T20:00。');
    expect((await zh('/lottery create x ends=whenever'))).toContain('看不懂截止时间（ends=）「whenever」');
    expect((await zh('/lottery create x ends=2020-01-01T00:00'))).toBe('这个截止时间已经过去了：2020-01-01 00:00 (Asia/Shanghai)。');
    expect((await zh('/schedule 明天 text'))).toBe('「明天」缺少具体时间，例如「明天 20:00」。');
    expect((await zh('/schedule 25:00 text'))).toBe('时间「25:00」里的小时不对：25');
    expect((await zh('/schedule +400d text'))).toBe('最晚只能到 2027-06-02 12:00 (Asia/Shanghai)。');
  });

  it('structured (slash) calls map options by name', async () => {
    const inv = registry.fromStructured(['grant'], { member: '<@u1>', points: 5, reason: 'ok' });
    expect(inv && (await resolveArgs(inv, resolve)).int('points')).toBe(5);
    expect(registry.fromStructured(['lottery', 'join'], { id: 3 })?.path).toEqual(['lottery', 'join']);
    expect(registry.fromStructured(['nope'], {})).toBeUndefined();
  });

  it('a name used by two commands is a startup error', () => {
    expect(() => new CommandRegistry([...specs, { name: 'sign', aliases: ['签到'], description: 'test.command', role: 'member', handler: noop }])).toThrow(/签到/);
  });
});
