import { describe, expect, it } from 'vitest';
import { contentOf, decideActivity, diffSegments, summarizeTransitions, isEmojiOnly, pickTip, rulesPreview, segmentOf, selectNudges, textHash, unknownPlaceholders, WELCOME_PLACEHOLDERS, type ActivityInput, type ActivityRules, type MemberFacts, type NudgeCandidate, type SegmentRules } from '../../src/features/lifecycle/rules.js';

const rules: ActivityRules = { pointsPerMessage: 2, cooldownSeconds: 60, minLength: 4, dailyCap: 20, newMemberDays: 7, newMemberRate: 0.5, dailyEarnCap: 100, farmingMinDays: 4, pointsForAddressed: false };
const now = new Date('2026-11-23T10:00:00Z');
const base: ActivityInput = { text: 'hello there', now, lastPointAt: null, lastHash: null, activityToday: 0, earnedToday: 0, memberAgeDays: 30 };

describe('activity points', () => {
  it('emoji, stickers and bracket emoticons alone are not content', () => {
    for (const text of ['😀😀😀', '👍🏻', '❤️', '🇨🇳', '👨‍👩‍👧', '<:pepe:123456789>', '<a:dance:42>', '[微笑][呲牙]', '  ', '1️⃣']) expect(isEmojiOnly(text), text).toBe(true);
    for (const text of ['hi 😀', '好的', '[link text here]']) expect(isEmojiOnly(text), text).toBe(false);
    expect(contentOf('早上好 ☀️ 各位')).toBe('早上好各位');
  });

  it('a plain message earns the per-message points', () => {
    expect(decideActivity(base, rules)).toMatchObject({ verdict: 'ok', points: 2, capped: false });
  });

  it('short, emoji-only, repeated and cooling-down messages earn nothing', () => {
    expect(decideActivity({ ...base, text: 'ok!' }, rules).verdict).toBe('short');
    expect(decideActivity({ ...base, text: '好的呀' }, rules).verdict).toBe('short');
    expect(decideActivity({ ...base, text: '你好你好' }, rules).verdict).toBe('ok');
    expect(decideActivity({ ...base, text: '😀😀😀😀😀' }, rules).verdict).toBe('emoji');
    expect(decideActivity({ ...base, lastHash: textHash('Hello  There 😀') }, rules).verdict).toBe('duplicate');
    expect(decideActivity({ ...base, lastPointAt: now.getTime() - 59_000 }, rules).verdict).toBe('cooldown');
    expect(decideActivity({ ...base, lastPointAt: now.getTime() - 60_000 }, rules).verdict).toBe('ok');
  });

  it('the daily activity cap and the all-sources cap stop points and mark the member as capped', () => {
    expect(decideActivity({ ...base, activityToday: 18 }, rules)).toMatchObject({ verdict: 'ok', points: 2, capped: true });
    expect(decideActivity({ ...base, activityToday: 19 }, rules)).toMatchObject({ verdict: 'ok', points: 1, capped: true });
    expect(decideActivity({ ...base, activityToday: 20 }, rules)).toMatchObject({ verdict: 'cap', points: 0, capped: true });
    expect(decideActivity({ ...base, earnedToday: 99 }, rules)).toMatchObject({ verdict: 'ok', points: 1, capped: true });
    expect(decideActivity({ ...base, earnedToday: 100 }, rules)).toMatchObject({ verdict: 'cap', points: 0 });
  });

  it('new members earn at the reduced rate, with a reduced cap', () => {
    expect(decideActivity({ ...base, memberAgeDays: 6 }, rules)).toMatchObject({ verdict: 'ok', points: 1 });
    expect(decideActivity({ ...base, memberAgeDays: 6, activityToday: 10 }, rules)).toMatchObject({ verdict: 'cap', points: 0 });
    expect(decideActivity({ ...base, memberAgeDays: 7 }, rules)).toMatchObject({ points: 2 });
  });
});

describe('segments', () => {
  const seg: SegmentRules = { newDays: 7, activeDays: 3, coreDays: 20, corePoints: 500, silentDays: 3 };
  const today = '2026-11-30';
  const m: MemberFacts = { joinedDay: '2026-10-01', left: false, active7: 0, active30: 0, lastActiveDay: '2026-11-29', earned: 0 };
  it('assigns one segment per member, first match wins', () => {
    expect(segmentOf({ ...m, left: true, active7: 7 }, today, seg)).toBe('churned');
    expect(segmentOf({ ...m, joinedDay: '2026-11-24' }, today, seg)).toBe('new');
    expect(segmentOf({ ...m, joinedDay: '2026-11-23' }, today, seg)).toBe('casual');
    expect(segmentOf({ ...m, active30: 20, active7: 5, earned: 500 }, today, seg)).toBe('core');
    expect(segmentOf({ ...m, active30: 20, active7: 5, earned: 499 }, today, seg)).toBe('active');
    expect(segmentOf({ ...m, active7: 3 }, today, seg)).toBe('active');
    expect(segmentOf({ ...m, lastActiveDay: '2026-11-27' }, today, seg)).toBe('silent');
    expect(segmentOf({ ...m, lastActiveDay: '2026-11-28' }, today, seg)).toBe('casual');
    expect(segmentOf({ ...m, lastActiveDay: null }, today, seg)).toBe('silent');
  });
});

describe('nudge selection and tips', () => {
  const today = '2026-11-30';
  const c = (memberId: number, extra: Partial<NudgeCandidate> = {}): NudgeCandidate => ({ memberId, lastActiveDay: '2026-11-20', joinedDay: '2026-10-01', quiet: false, left: false, lastNudgedDay: null, ...extra });
  const opts = { silentDays: 3, cooldownDays: 14, max: 10 };
  it('picks silent members who did not opt out and were not nudged recently, at most ten, most recently active first', () => {
    const list = [
      ...Array.from({ length: 12 }, (_, i) => c(i + 1)),
      c(20, { quiet: true }),
      c(21, { left: true }),
      c(22, { lastNudgedDay: '2026-11-17' }),
      c(23, { lastNudgedDay: '2026-11-16', lastActiveDay: '2026-11-26' }),
      c(24, { lastActiveDay: '2026-11-28' }),
    ];
    const picked = selectNudges(list, today, opts).map((p) => p.memberId);
    expect(picked).toEqual([23, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it('a follow-up sends the first tip neither done nor sent', () => {
    const tips = ['checkin', 'chat', 'streak', 'points'] as const;
    expect(pickTip(tips, new Set(), new Set())).toBe('checkin');
    expect(pickTip(tips, new Set(['checkin']), new Set())).toBe('chat');
    expect(pickTip(tips, new Set(['chat']), new Set(['checkin']))).toBe('streak');
    expect(pickTip(tips, new Set(['checkin', 'chat', 'streak']), new Set(['points']))).toBeUndefined();
  });
});

describe('per-community texts', () => {
  it('finds unknown placeholders once each, in order; known ones and plain braces pass', () => {
    expect(unknownPlaceholders('{mention} {community} {bonus}', WELCOME_PLACEHOLDERS)).toEqual([]);
    expect(unknownPlaceholders('{name} {mention} {gift} {name}', WELCOME_PLACEHOLDERS)).toEqual(['name', 'gift']);
    expect(unknownPlaceholders('{ mention } {} 《群规》', WELCOME_PLACEHOLDERS)).toEqual([]);
  });

  it('previews the first non-blank lines of the rules and says when there are more', () => {
    expect(rulesPreview('a\r\n\n  \nb  \nc\nd', 3)).toEqual({ lines: ['a', 'b', 'c'], more: true });
    expect(rulesPreview('a\nb\nc\n\n', 3)).toEqual({ lines: ['a', 'b', 'c'], more: false });
  });
});

describe('segment transitions', () => {
  it('remembers first-seen members without a transition, counts changes per pair, forgets leavers and the missing', () => {
    const remembered = new Map<number, string>([
      [1, 'silent'],
      [2, 'silent'],
      [3, 'new'],
      [4, 'active'],
      [5, 'casual'],
      [6, 'core'],
      [7, 'active'],
    ]);
    const diff = diffSegments(remembered, [
      { memberId: 1, segment: 'casual' },
      { memberId: 2, segment: 'casual' },
      { memberId: 3, segment: 'active' },
      { memberId: 4, segment: 'silent' },
      { memberId: 5, segment: 'casual' }, // unchanged: not written
      { memberId: 6, segment: 'churned' }, // left: counted once, forgotten
      { memberId: 8, segment: 'new' }, // first seen: remembered, no transition
      { memberId: 9, segment: 'churned' }, // left before the memory knew them: nothing
    ]); // 7 is gone from the facts: forgotten
    expect(diff.changed).toEqual([
      { memberId: 1, segment: 'casual' },
      { memberId: 2, segment: 'casual' },
      { memberId: 3, segment: 'active' },
      { memberId: 4, segment: 'silent' },
      { memberId: 8, segment: 'new' },
    ]);
    expect(diff.forget).toEqual([6, 7]);
    expect(diff.transitions).toEqual([
      { from: 'active', to: 'silent', count: 1 },
      { from: 'core', to: 'churned', count: 1 },
      { from: 'new', to: 'active', count: 1 },
      { from: 'silent', to: 'casual', count: 2 },
    ]);
  });

  it('an empty memory gives no transitions; an unchanged day writes nothing', () => {
    const today = [{ memberId: 1, segment: 'new' as const }, { memberId: 2, segment: 'silent' as const }];
    const first = diffSegments(new Map(), today);
    expect(first.transitions).toEqual([]);
    expect(first.changed).toHaveLength(2);
    const again = diffSegments(new Map(first.changed.map((c) => [c.memberId, c.segment])), today);
    expect(again).toEqual({ changed: [], forget: [], transitions: [] });
  });

  it('summarizes: silent members back (not churned), new members to active or core, active or core to silent', () => {
    expect(
      summarizeTransitions([
        { from: 'silent', to: 'casual', count: 2 },
        { from: 'silent', to: 'active', count: 1 },
        { from: 'silent', to: 'churned', count: 5 },
        { from: 'new', to: 'active', count: 3 },
        { from: 'new', to: 'core', count: 1 },
        { from: 'new', to: 'silent', count: 7 },
        { from: 'active', to: 'silent', count: 4 },
        { from: 'core', to: 'silent', count: 1 },
        { from: 'casual', to: 'silent', count: 9 },
      ]),
    ).toEqual({ cameBack: 3, newActive: 4, wentSilent: 5 });
    expect(summarizeTransitions([])).toEqual({ cameBack: 0, newActive: 0, wentSilent: 0 });
  });
});
