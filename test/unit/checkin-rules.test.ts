import { describe, expect, it } from 'vitest';
import { checkinPoints, decideStreak, milestoneReached, type CheckinRules } from '../../src/features/checkin/rules.js';

const rules: CheckinRules = {
  basePoints: 10,
  streakBonuses: [
    { days: 3, points: 5 },
    { days: 7, points: 20 },
  ],
  milestones: [7, 30],
  freeze: { enabled: false, cost: 50, maxHeld: 3 },
};
const state = (lastDay: string, streak: number, freezes = 0) => ({ lastDay, streak, bestStreak: streak, total: streak, freezes });

describe('check-in rules', () => {
  it('a first check-in starts a streak of 1', () => {
    expect(decideStreak(undefined, '2026-11-23', rules)).toEqual({ kind: 'checkin', streak: 1, freezesUsed: 0, lostStreak: 0 });
  });

  it('the next day continues the streak', () => {
    expect(decideStreak(state('2026-11-22', 4), '2026-11-23', rules)).toMatchObject({ kind: 'checkin', streak: 5 });
  });

  it('a second check-in on the same day is refused with the current streak', () => {
    expect(decideStreak(state('2026-11-23', 4), '2026-11-23', rules)).toEqual({ kind: 'already', streak: 4 });
  });

  it('a missed day resets the streak to 1 and reports the lost streak', () => {
    expect(decideStreak(state('2026-11-21', 6), '2026-11-23', rules)).toEqual({ kind: 'checkin', streak: 1, freezesUsed: 0, lostStreak: 6 });
  });

  it('freezes bridge missed days when enabled and enough are held', () => {
    const withFreeze = { ...rules, freeze: { enabled: true, cost: 50, maxHeld: 3 } };
    expect(decideStreak(state('2026-11-20', 6, 2), '2026-11-23', withFreeze)).toEqual({ kind: 'checkin', streak: 7, freezesUsed: 2, lostStreak: 0 });
    // One freeze does not cover two missed days.
    expect(decideStreak(state('2026-11-20', 6, 1), '2026-11-23', withFreeze)).toMatchObject({ streak: 1, freezesUsed: 0, lostStreak: 6 });
    // Freezes held while the feature is off are not used.
    expect(decideStreak(state('2026-11-21', 6, 3), '2026-11-23', rules)).toMatchObject({ streak: 1, freezesUsed: 0 });
  });

  it('bonuses are paid on the day the streak reaches their length', () => {
    expect(checkinPoints(1, rules)).toEqual({ base: 10, bonus: 0, total: 10 });
    expect(checkinPoints(3, rules)).toEqual({ base: 10, bonus: 5, total: 15 });
    expect(checkinPoints(4, rules)).toEqual({ base: 10, bonus: 0, total: 10 });
    expect(checkinPoints(7, rules)).toEqual({ base: 10, bonus: 20, total: 30 });
  });

  it('milestones are named only on their day', () => {
    expect(milestoneReached(7, rules)).toBe(7);
    expect(milestoneReached(8, rules)).toBeUndefined();
  });
});
