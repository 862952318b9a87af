import { describe, expect, it } from 'vitest';
import { levelFor } from '../../src/features/points/levels.js';

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
