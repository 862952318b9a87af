import { describe, expect, it } from 'vitest';
import { privateReplies } from '../../src/core/capabilities.js';
import { checkName, ineligibility, itemRef, nameKey, parseCodes, type ItemRules, type MemberFacts } from '../../src/features/shop/rules.js';

const item: ItemRules = { price: 50, perMember: null, minLevel: 0, startsAt: null, endsAt: null, left: null };
const member: MemberFacts = { now: 1_000, level: 0, balance: 100, bought: 0 };

describe('shop eligibility', () => {
  it('allows an unrestricted item the member can afford', () => {
    expect(ineligibility(item, member)).toBeUndefined();
    expect(ineligibility({ ...item, price: 100 }, member)).toBeUndefined();
    expect(ineligibility({ ...item, price: 0 }, { ...member, balance: 0 })).toBeUndefined();
  });

  it('the sale window: closed before starts, open from starts, closed from ends', () => {
    expect(ineligibility({ ...item, startsAt: 1_001 }, member)).toEqual({ reason: 'notStarted', startsAt: 1_001 });
    expect(ineligibility({ ...item, startsAt: 1_000 }, member)).toBeUndefined();
    expect(ineligibility({ ...item, endsAt: 1_001 }, member)).toBeUndefined();
    expect(ineligibility({ ...item, endsAt: 1_000 }, member)).toEqual({ reason: 'ended', endsAt: 1_000 });
  });

  it('level, per-member limit, stock and balance, each at its boundary', () => {
    expect(ineligibility({ ...item, minLevel: 1 }, member)).toEqual({ reason: 'level', minLevel: 1 });
    expect(ineligibility({ ...item, minLevel: 1 }, { ...member, level: 1 })).toBeUndefined();
    expect(ineligibility({ ...item, perMember: 2 }, { ...member, bought: 1 })).toBeUndefined();
    expect(ineligibility({ ...item, perMember: 2 }, { ...member, bought: 2 })).toEqual({ reason: 'limit', perMember: 2 });
    expect(ineligibility({ ...item, left: 1 }, member)).toBeUndefined();
    expect(ineligibility({ ...item, left: 0 }, member)).toEqual({ reason: 'soldOut' });
    expect(ineligibility({ ...item, price: 101 }, member)).toEqual({ reason: 'balance', price: 101, balance: 100 });
  });

  it('says first what the member can do least about: window, level, limit, stock, then points', () => {
    const all: ItemRules = { price: 500, perMember: 1, minLevel: 3, startsAt: 2_000, endsAt: 3_000, left: 0 };
    const poor: MemberFacts = { now: 1_000, level: 0, balance: 0, bought: 1 };
    expect(ineligibility(all, poor)?.reason).toBe('notStarted');
    expect(ineligibility(all, { ...poor, now: 3_000 })?.reason).toBe('ended');
    expect(ineligibility(all, { ...poor, now: 2_000 })?.reason).toBe('level');
    expect(ineligibility(all, { ...poor, now: 2_000, level: 3 })?.reason).toBe('limit');
    expect(ineligibility(all, { ...poor, now: 2_000, level: 3, bought: 0 })?.reason).toBe('soldOut');
    expect(ineligibility({ ...all, left: 1 }, { ...poor, now: 2_000, level: 3, bought: 0 })?.reason).toBe('balance');
  });
});

describe('shop names, references and codes', () => {
  it('names: trimmed, at most 40 characters, no markup, mentions, invisible characters or bare numbers', () => {
    expect(checkName('  咖啡  券 ')).toEqual({ ok: true, name: '咖啡 券' });
    expect(checkName('"Steam 礼品卡"')).toEqual({ ok: true, name: 'Steam 礼品卡' });
    expect(checkName('')).toEqual({ ok: false, problem: 'empty' });
    expect(checkName('字'.repeat(40)).ok).toBe(true);
    expect(checkName('字'.repeat(41))).toEqual({ ok: false, problem: 'tooLong' });
    for (const bad of ['<@123>', '**粗**', '`代码`', '[链接](x)', '@everyone', 'a|b', '隐\u202e藏', '零\u200b宽', '换\n行', 'a\\b']) {
      expect(checkName(bad), bad).toEqual({ ok: false, problem: 'unsafe' });
    }
    expect(checkName('42')).toEqual({ ok: false, problem: 'numeric' });
    expect(checkName('#42')).toEqual({ ok: false, problem: 'numeric' });
    expect(checkName('４２')).toEqual({ ok: false, problem: 'numeric' });
    expect(checkName('42 号礼包').ok).toBe(true);
  });

  it('an item reference is an id (3, #3, full-width) or a case- and width-folded name', () => {
    expect(itemRef('3')).toEqual({ id: 3 });
    expect(itemRef('#3')).toEqual({ id: 3 });
    expect(itemRef('３')).toEqual({ id: 3 });
    expect(itemRef('Ｓｔｅａｍ  Card')).toEqual({ key: 'steam card' });
    expect(nameKey('Steam Card')).toBe(nameKey('steam  card'));
  });

  it('codes: split on spaces, commas and new lines; repeats counted once; refused when empty, too many, too long or invisible', () => {
    expect(parseCodes('A-1, B-2\nC-3，A-1、D-4')).toEqual({ ok: true, codes: ['A-1', 'B-2', 'C-3', 'D-4'], repeated: 1 });
    expect(parseCodes(' , \n')).toEqual({ ok: false, problem: 'none' });
    expect(parseCodes(Array.from({ length: 501 }, (_, i) => `C${i}`).join(' '))).toEqual({ ok: false, problem: 'tooMany' });
    expect(parseCodes(Array.from({ length: 500 }, (_, i) => `C${i}`).join(' ')).ok).toBe(true);
    expect(parseCodes('x'.repeat(101))).toMatchObject({ ok: false, problem: 'tooLong' });
    expect(parseCodes('AB\u200bC')).toEqual({ ok: false, problem: 'unprintable' });
  });

  it('a reply may carry a code only where it reaches the member alone', () => {
    expect(privateReplies('playground', 'message')).toBe(true);
    expect(privateReplies('discord', 'command')).toBe(true);
    expect(privateReplies('discord', 'action')).toBe(true);
    expect(privateReplies('discord', 'message')).toBe(false);
    expect(privateReplies('wecom', 'message')).toBe(false);
  });
});
