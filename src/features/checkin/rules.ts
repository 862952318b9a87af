/**
 * Check-in rules, pure: the streak after today's check-in, the points it
 * earns, and the milestone it reaches. Days are community days (ISO dates).
 */
import { daysBetween, type Day } from '../../core/community-day.js';

export interface CheckinRules {
  basePoints: number;
  streakBonuses: ReadonlyArray<{ days: number; points: number }>;
  milestones: readonly number[];
  freeze: { enabled: boolean; cost: number; maxHeld: number };
}

export interface StreakState {
  lastDay: Day;
  streak: number;
  bestStreak: number;
  total: number;
  freezes: number;
}

export type StreakDecision =
  | { kind: 'already'; streak: number }
  | { kind: 'checkin'; streak: number; freezesUsed: number; /** A streak longer than 1 was lost. */ lostStreak: number };

export function decideStreak(state: StreakState | undefined, today: Day, rules: CheckinRules): StreakDecision {
  if (!state) return { kind: 'checkin', streak: 1, freezesUsed: 0, lostStreak: 0 };
  const gap = daysBetween(state.lastDay, today);
  // gap < 0 only when the community's timezone moved east; never pay twice for one calendar day.
  if (gap <= 0) return { kind: 'already', streak: state.streak };
  if (gap === 1) return { kind: 'checkin', streak: state.streak + 1, freezesUsed: 0, lostStreak: 0 };
  const missed = gap - 1;
  if (rules.freeze.enabled && state.freezes >= missed) {
    return { kind: 'checkin', streak: state.streak + 1, freezesUsed: missed, lostStreak: 0 };
  }
  return { kind: 'checkin', streak: 1, freezesUsed: 0, lostStreak: state.streak > 1 ? state.streak : 0 };
}

export function checkinPoints(streak: number, rules: CheckinRules): { base: number; bonus: number; total: number } {
  const bonus = rules.streakBonuses.filter((b) => b.days === streak).reduce((sum, b) => sum + b.points, 0);
  return { base: rules.basePoints, bonus, total: rules.basePoints + bonus };
}

export function milestoneReached(streak: number, rules: CheckinRules): number | undefined {
  return rules.milestones.includes(streak) ? streak : undefined;
}
