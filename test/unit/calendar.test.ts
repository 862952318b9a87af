import { describe, expect, it } from 'vitest';
import { check, isPromo, memberText, type CalendarRules, type Firing } from '../../src/features/schedule/calendar.js';

const tz = 'Asia/Shanghai';
const rules: CalendarRules = { dailyCap: 2, promoMaxShare: 0.3, promoMaxConsecutiveDays: 2 };
const at = (iso: string): Date => new Date(`${iso}+08:00`);
const firing = (iso: string, promo = false): Firing => ({ at: at(iso), promo, postId: 1, text: '' });

describe('the #promo tag', () => {
  it.each([
    ['限时特价 #promo 快来', '限时特价 快来'],
    ['#promo 新品上架', '新品上架'],
    ['新品 #PROMO', '新品'],
    ['第一行 #promo\n第二行', '第一行\n第二行'],
    ['#promotion 不是标记', '#promotion 不是标记'],
    ['价格#promo', '价格#promo'],
  ])('%j is shown as %j', (stored, shown) => expect(memberText(stored)).toBe(shown));

  it('marks promo posts by a standalone tag only', () => {
    expect(isPromo('新品 #promo')).toBe(true);
    expect(isPromo('#promotion')).toBe(false);
  });
});

describe('the calendar rules', () => {
  it('the daily cap names the first day that goes over', () => {
    const v = check([firing('2026-11-24T09:00'), firing('2026-11-24T12:00')], [at('2026-11-23T20:00'), at('2026-11-24T20:00')], false, tz, rules);
    expect(v).toMatchObject({ rule: 'dailyCap', count: 3, cap: 2 });
    expect(v?.rule === 'dailyCap' && v.day.toISOString()).toBe(at('2026-11-24T20:00').toISOString());
  });

  it('no promo post is always allowed; the share is of the week of the first new firing', () => {
    expect(check([], [at('2026-11-24T09:00')], true, tz, rules)).toMatchObject({ rule: 'promoShare', promo: 1, total: 1 });
    const week = ['2026-11-23T09:00', '2026-11-24T09:00', '2026-11-25T09:00'].map((d) => firing(d));
    expect(check(week, [at('2026-11-26T09:00')], true, tz, rules)).toBeUndefined(); // 1/4
    // Last week's posts do not count for this week.
    expect(check([firing('2026-11-22T09:00'), firing('2026-11-21T09:00'), firing('2026-11-20T09:00')], [at('2026-11-26T09:00')], true, tz, rules)).toMatchObject({ rule: 'promoShare' });
  });

  it('promo days in a row: a gap breaks the run, a day in the middle joins two', () => {
    const off = { ...rules, promoMaxShare: null };
    expect(check([firing('2026-11-23T09:00', true)], [at('2026-11-25T09:00')], true, tz, off)).toBeUndefined();
    expect(check([firing('2026-11-23T09:00', true), firing('2026-11-25T09:00', true)], [at('2026-11-24T21:00')], true, tz, off)).toMatchObject({ rule: 'promoStreak', days: 3, max: 2 });
    expect(check([firing('2026-11-23T09:00', true)], [at('2026-11-24T09:00')], false, tz, off)).toBeUndefined();
  });

  it('null turns each rule off', () => {
    const none: CalendarRules = { dailyCap: null, promoMaxShare: null, promoMaxConsecutiveDays: null };
    expect(check([firing('2026-11-24T09:00', true), firing('2026-11-24T10:00', true)], [at('2026-11-24T11:00'), at('2026-11-25T11:00')], true, tz, none)).toBeUndefined();
  });
});
