import { describe, expect, it } from 'vitest';
import { discountedPrice, levelFor, rolesLost } from '../../src/features/points/levels.js';

const levels = [
  { min: 0, name: { 'zh-CN': '新手', en: 'Newcomer' } },
  { min: 100, name: { 'zh-CN': '进阶', en: 'Regular' } },
  { min: 500, name: { 'zh-CN': '专家', en: 'Expert' } },
];

describe('levels', () => {
  it('thresholds are inclusive', () => {
    expect(levelFor(0, levels).name.en).toBe('Newcomer');
    expect(levelFor(99, levels).name.en).toBe('Newcomer');
    expect(levelFor(100, levels).name['zh-CN']).toBe('进阶');
    expect(levelFor(499, levels).index).toBe(1);
    expect(levelFor(500, levels).index).toBe(2);
  });

  it('names the next level while there is one', () => {
    expect(levelFor(120, levels).next).toEqual({ min: 500, name: { 'zh-CN': '专家', en: 'Expert' } });
    expect(levelFor(9999, levels).next).toBeUndefined();
  });
});

describe('level perks', () => {
  const perks = [
    { min: 0, name: { 'zh-CN': '新手', en: 'Newcomer' } },
    { min: 100, name: { 'zh-CN': '进阶', en: 'Regular' }, badge: '🌱', shopDiscount: 10, role: 'r1' },
    { min: 300, name: { 'zh-CN': '熟手', en: 'Skilled' }, shopDiscount: 5, role: 'r1' },
    { min: 500, name: { 'zh-CN': '专家', en: 'Expert' }, badge: '⭐', shopDiscount: 25, role: 'r2' },
  ];

  it('a level shows its badge, or that of the highest level below with one; the best discount held wins', () => {
    expect(levelFor(0, perks)).toMatchObject({ shopDiscount: 0 });
    expect(levelFor(0, perks).badge).toBeUndefined();
    expect(levelFor(100, perks)).toMatchObject({ badge: '🌱', shopDiscount: 10 });
    expect(levelFor(300, perks)).toMatchObject({ badge: '🌱', shopDiscount: 10 });
    expect(levelFor(500, perks)).toMatchObject({ badge: '⭐', shopDiscount: 25 });
  });

  it('a discounted price is rounded down to a whole point', () => {
    expect(discountedPrice(95, 0)).toBe(95);
    expect(discountedPrice(95, 10)).toBe(85);
    expect(discountedPrice(95, 25)).toBe(71);
    expect(discountedPrice(100, 10)).toBe(90);
    expect(discountedPrice(1, 50)).toBe(0);
    expect(discountedPrice(100, 100)).toBe(0);
    expect(discountedPrice(100_000_000, 33)).toBe(67_000_000);
  });

  it('a drop loses the roles of levels no longer held, except one a held level carries too', () => {
    expect(rolesLost(perks, 3, 2)).toEqual(['r2']);
    // Skilled and Regular share r1: dropping from Skilled to Regular keeps it.
    expect(rolesLost(perks, 2, 1)).toEqual([]);
    expect(rolesLost(perks, 3, 0)).toEqual(['r1', 'r2']);
    expect(rolesLost(perks, 1, 1)).toEqual([]);
    expect(rolesLost(perks, 0, 3)).toEqual([]);
  });
});
