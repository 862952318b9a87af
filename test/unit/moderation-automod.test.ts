/**
 * Issue #15, the AutoMod plan (features/moderation/automod.ts): which rules the bot wants for a word list,
 * within Discord's limits and the room other rules leave, and the writes that make the platform agree.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_AUTOMOD_LIMITS, senderAutomod, type AutomodRuleState } from '../../src/core/sender.js';
import { automodKeyword, spellings, automodWrites, keywordRuleName, MENTION_RULE_NAME, noWrites, planAutomod } from '../../src/features/moderation/automod.js';

const limits = DISCORD_AUTOMOD_LIMITS;
const input = (over: Partial<Parameters<typeof planAutomod>[0]> = {}) => ({ block: ['傻逼', 'fuckyou'], allow: ['路口交通'], mentions: 5, blockMessage: 'blocked', limits, ...over });
const state = (spec: { name: string; trigger: AutomodRuleState['trigger']; keywords?: string[] }, id: string): AutomodRuleState => ({ id, enabled: true, keywords: [], allow: [], mentionLimit: 0, blockMessage: 'x', ...spec });

describe('AutoMod keywords', () => {
  it.each([
    ['傻逼', '*傻逼*'],
    ['fuckyou', 'fuckyou'],
    ['微信号abc', '*微信号abc'],
    ['abc微信', 'abc微信*'],
  ])('%s → %s (letters and digits are word edges, as in the bot’s filter)', (key, keyword) => {
    expect(automodKeyword(key)).toBe(keyword);
  });
});

describe('spellings', () => {
  it('adds the traditional spelling where the list gives the pair, once', () => {
    const variants = new Map([['媽', '妈'], ['貸', '贷']]);
    expect(spellings('操你妈', variants)).toEqual(['操你妈', '操你媽']);
    expect(spellings('网贷妈妈', variants)).toEqual(['网贷妈妈', '网貸媽媽']);
    expect(spellings('傻逼', variants)).toEqual(['傻逼']);
    expect(spellings('操你妈', new Map())).toEqual(['操你妈']);
  });
});

describe('planAutomod', () => {
  it('one keyword rule with the allow-list, and the mention-spam rule from the threshold', () => {
    const plan = planAutomod(input(), []);
    expect(plan.rules).toEqual([
      { name: keywordRuleName(1), trigger: 'keyword', keywords: ['*傻逼*', 'fuckyou'], allow: ['路口交通'], mentionLimit: 0, blockMessage: 'blocked' },
      { name: MENTION_RULE_NAME, trigger: 'mentionSpam', keywords: [], allow: [], mentionLimit: 5, blockMessage: 'blocked' },
    ]);
    expect(plan.overflow).toEqual({ keywords: 0, allow: 0, mentions: false });
  });

  it('splits 2,500 entries over three rules of at most 1,000, and keeps what does not fit in the room other rules leave', () => {
    const block = Array.from({ length: 2500 }, (_, i) => `词${i}`);
    const plan = planAutomod(input({ block }), []);
    expect(plan.rules.filter((r) => r.trigger === 'keyword').map((r) => r.keywords.length)).toEqual([1000, 1000, 500]);
    const others = Array.from({ length: 4 }, (_, i) => state({ name: `theirs ${i}`, trigger: 'keyword' }, `t${i}`));
    const tight = planAutomod(input({ block }), others);
    expect(tight.rules.filter((r) => r.trigger === 'keyword').map((r) => r.keywords.length)).toEqual([1000, 1000]);
    expect(tight.overflow.keywords).toBe(500);
    expect(tight.keywords).toBe(2000);
  });

  it('entries over 60 characters and allow entries beyond 100 stay with the bot’s filter', () => {
    const plan = planAutomod(input({ block: ['傻逼', '长'.repeat(59)], allow: Array.from({ length: 120 }, (_, i) => `放行${i}`) }), []);
    expect(plan.rules[0]?.keywords).toEqual(['*傻逼*']);
    expect(plan.rules[0]?.allow).toHaveLength(100);
    expect(plan.overflow).toMatchObject({ keywords: 1, allow: 20 });
  });

  it('no mention rule when the threshold is off, above 50, or another mention-spam rule holds the one slot', () => {
    expect(planAutomod(input({ mentions: 0 }), []).rules.map((r) => r.trigger)).toEqual(['keyword']);
    expect(planAutomod(input({ mentions: 51 }), []).overflow.mentions).toBe(true);
    const taken = planAutomod(input(), [state({ name: 'Server mentions', trigger: 'mentionSpam' }, 'm')]);
    expect(taken.rules.map((r) => r.trigger)).toEqual(['keyword']);
    expect(taken.overflow.mentions).toBe(true);
  });
});

describe('automodWrites', () => {
  it('writes nothing when the platform already has the rules; touches only the bot’s rules', () => {
    const plan = planAutomod(input(), []);
    const current: AutomodRuleState[] = [...plan.rules.map((r, i) => ({ ...r, keywords: [...r.keywords].reverse(), id: `q${i}`, enabled: true })), state({ name: 'Server rule', trigger: 'keyword', keywords: ['x'] }, 's')];
    expect(noWrites(automodWrites(current, plan.rules))).toBe(true);
    const fewer = planAutomod(input({ block: ['傻逼'], mentions: 0 }), current);
    expect(automodWrites(current, fewer.rules)).toEqual({ create: [], update: [{ id: 'q0', rule: fewer.rules[0] }], remove: ['q1'] });
  });

  it('a disabled rule of the bot’s is enabled again, and a duplicate by name is removed', () => {
    const plan = planAutomod(input({ mentions: 0 }), []);
    const rule = plan.rules[0];
    if (!rule) throw new Error('no rule');
    const current: AutomodRuleState[] = [
      { ...rule, id: 'a', enabled: false },
      { ...rule, id: 'b', enabled: true },
    ];
    expect(automodWrites(current, plan.rules)).toEqual({ create: [], update: [{ id: 'a', rule }], remove: ['b'] });
  });
});

describe('senderAutomod', () => {
  it('is there only for communities the platform says have automatic moderation (a Discord server, not a DM community)', async () => {
    const automod = {
      automodLimits: limits,
      automodAppliesTo: (c: { externalId: string }) => /^\d{15,22}$/.test(c.externalId),
      automodRules: async () => [],
      createAutomodRule: async () => state({ name: 'x', trigger: 'keyword' }, '1'),
      updateAutomodRule: async () => undefined,
      deleteAutomodRule: async () => undefined,
    };
    const community = (externalId: string) => ({ id: 1, platform: 'discord' as const, externalId, name: '', locale: 'en' as const, timezone: 'UTC', dayStartHour: 0 });
    const of = (externalId: string) => senderAutomod(async () => ({ community: community(externalId), sender: { platform: 'discord', send: async () => undefined, automod } }));
    expect(await of('123456789012345678')(1)).toBeDefined();
    expect(await of('dm-123456789012345678')(1)).toBeUndefined();
    expect(await senderAutomod(async () => ({ community: community('123456789012345678'), sender: { platform: 'discord', send: async () => undefined } }))(1)).toBeUndefined();
  });
});
