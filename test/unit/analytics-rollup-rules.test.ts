import { describe, expect, it } from 'vitest';
import { addDays, dayStart } from '../../src/core/community-day.js';
import {
  isSpike,
  lowActiveRate,
  measure,
  measureRollups,
  rollupDays,
  sparkline,
  weekOnWeek,
  type ActivityRow,
  type DailyRollup,
  type CommunityHistory,
  type MemberHistory,
  type MetricRules,
  type Period,
} from '../../src/features/analytics/rules.js';

/** A small seeded generator, so a failing history can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A scripted community over `days` days: joins, leaves and rejoins at any hour, chatter, commands, check-ins, participations. */
function scripted(seed: number, first: string, days: number, rules: MetricRules): CommunityHistory {
  const r = rng(seed);
  const pick = (n: number): number => Math.floor(r() * n);
  const dayList = Array.from({ length: days }, (_, i) => addDays(first, i));
  const instant = (dayIndex: number): number => dayStart(dayList[dayIndex] as string, rules).getTime() + pick(86_400_000);
  const members: MemberHistory[] = [];
  const activity = new Map<string, ActivityRow>();
  const checkins = new Map<string, { memberId: number; day: string }>();
  const participations: Array<{ memberId: number; at: number }> = [];
  for (let id = 1; id <= 40; id++) {
    const seen = instant(pick(days));
    const events: MemberHistory['events'][number][] = [];
    if (r() < 0.7) events.push({ kind: 'join', at: seen });
    let t = seen;
    for (let k = 0; k < 3; k++) {
      t += pick(20) * 86_400_000 + pick(86_400_000);
      events.push({ kind: r() < 0.5 ? 'leave' : 'join', at: t });
    }
    members.push({ memberId: id, firstSeen: seen, events });
    for (let d = 0; d < days; d++) {
      if (r() < 0.25) {
        const day = dayList[d] as string;
        const messages = r() < 0.5 ? 0 : pick(5);
        const commands = pick(3);
        activity.set(`${id}|${day}`, { memberId: id, day, messages, commands });
      }
      if (r() < 0.1) checkins.set(`${id}|${dayList[d]}`, { memberId: id, day: dayList[d] as string });
      if (r() < 0.02) participations.push({ memberId: id, at: instant(d) });
    }
  }
  return { members, activity: [...activity.values()], checkins: [...checkins.values()], participations: participations.sort((a, b) => a.at - b.at) };
}

const ZONES: MetricRules[] = [
  { timezone: 'Asia/Shanghai', dayStartHour: 0, seesAllMessages: true },
  // Daylight saving ends on Nov 1 and starts on Mar 8 2026 there; the day starts at 04:00.
  { timezone: 'America/New_York', dayStartHour: 4, seesAllMessages: true },
  { timezone: 'UTC', dayStartHour: 0, seesAllMessages: false },
];

describe('daily rollups', () => {
  it('every period measured from the rollups equals the same period measured from the raw records', () => {
    const first = '2026-10-01';
    for (const [z, rules] of ZONES.entries()) {
      for (const seed of [1, 2]) {
        const h = scripted(seed * 10 + z, first, 120, rules);
        const from = addDays(first, 29);
        const to = addDays(first, 119);
        const rows = rollupDays(h, from, to, rules);
        expect(rows).toHaveLength(91);
        expect(rows[0]?.day).toBe(from);
        for (let end = addDays(from, 29); end <= to; end = addDays(end, 10)) {
          for (const days of [1, 7, 30]) {
            const period: Period = { from: addDays(end, 1 - days), to: end };
            expect(measureRollups(rows, period, rules), `${rules.timezone} seed ${seed} ${end} ${days}`).toEqual(measure(h, period, rules));
          }
        }
      }
    }
  });

  it('a day rolled up alone equals the same day rolled up with its neighbours (re-running a day is the same)', () => {
    const rules = ZONES[1] as MetricRules;
    const h = scripted(7, '2026-10-01', 90, rules);
    const all = rollupDays(h, '2026-10-30', '2026-12-29', rules);
    for (const day of ['2026-10-30', '2026-11-01', '2026-11-02', '2026-12-29']) {
      expect(rollupDays(h, day, day, rules)).toEqual([all.find((r) => r.day === day)]);
    }
  });

  it('a missing day, or a period length with no stored window, is no answer (the raw records are read instead)', () => {
    const rules = ZONES[0] as MetricRules;
    const rows = rollupDays(scripted(1, '2026-10-01', 60, rules), '2026-11-01', '2026-11-29', rules);
    expect(measureRollups(rows, { from: '2026-11-20', to: '2026-11-26' }, rules)).toBeDefined();
    expect(measureRollups(rows.filter((r) => r.day !== '2026-11-22'), { from: '2026-11-20', to: '2026-11-26' }, rules)).toBeUndefined();
    expect(measureRollups(rows, { from: '2026-11-20', to: '2026-11-21' }, rules)).toBeUndefined();
  });
});

describe('alerts', () => {
  const rules = { activeRateBelow: 0.2, minMembers: 10 };
  it('a day below the active-rate line alerts; at the line, or in a community too small to judge, it does not', () => {
    expect(lowActiveRate({ members: 100, active: 19 }, rules)).toBeCloseTo(0.19);
    expect(lowActiveRate({ members: 100, active: 20 }, rules)).toBeUndefined();
    expect(lowActiveRate({ members: 9, active: 0 }, rules)).toBeUndefined();
    expect(lowActiveRate({ members: 0, active: 0 }, { activeRateBelow: 0.2, minMembers: 0 })).toBeUndefined();
  });

  /** 14 days ending 2026-11-28: the first week's days get `a`, the second's `b`. */
  const fortnight = (a: Partial<DailyRollup>, b: Partial<DailyRollup>): DailyRollup[] =>
    Array.from({ length: 14 }, (_, i) => {
      const zero = { members: 50, joins: 0, leaves: 0, messages: 0, commands: 0 } as DailyRollup;
      for (const k of ['active', 'speakers', 'checkins', 'participants'] as const) for (const w of ['', '7', '30'] as const) (zero as Record<string, unknown>)[`${k}${w}`] = 0;
      return { ...zero, ...(i < 7 ? a : b), day: addDays('2026-11-15', i) };
    });

  it('week on week: the speaking rate from the 7-day speakers of each week\'s last day; interactions per 100 members a day elsewhere', () => {
    const rows = fortnight({ speakers7: 20, messages: 70, commands: 0 }, { speakers7: 10, messages: 14, commands: 21 });
    const speaking = weekOnWeek(rows, '2026-11-28', true, 10);
    expect(speaking).toMatchObject({ metric: 'speaking', thisWeek: 0.2, lastWeek: 0.4 });
    expect(speaking?.drop).toBeCloseTo(0.5);
    // 35 interactions a day this week over 50 members: 70 per 100; last week 70 a day: 140.
    const interactions = weekOnWeek(rows, '2026-11-28', false, 10);
    expect(interactions).toMatchObject({ metric: 'interactions', thisWeek: 70, lastWeek: 140 });
    expect(interactions?.drop).toBeCloseTo(0.5);
    // A rise is a negative drop.
    expect(weekOnWeek(fortnight({ speakers7: 10 }, { speakers7: 20 }), '2026-11-28', true, 10)?.drop).toBeCloseTo(-1);
  });

  it('week on week: nothing to compare when a day is missing, last week was empty, or the community is too small', () => {
    const rows = fortnight({ speakers7: 20 }, { speakers7: 10 });
    expect(weekOnWeek(rows.filter((r) => r.day !== '2026-11-17'), '2026-11-28', true, 10)).toBeUndefined();
    expect(weekOnWeek(rows, '2026-11-29', true, 10)).toBeUndefined();
    expect(weekOnWeek(fortnight({ speakers7: 0 }, { speakers7: 10 }), '2026-11-28', true, 10)).toBeUndefined();
    expect(weekOnWeek(rows, '2026-11-28', true, 51)).toBeUndefined();
  });

  it('a spike is at least the threshold; a threshold of 0 is off', () => {
    expect(isSpike(10, 10)).toBe(true);
    expect(isSpike(9, 10)).toBe(false);
    expect(isSpike(100, 0)).toBe(false);
  });
});

describe('sparkline', () => {
  it('maps the lowest value to ▁ and the highest to █, evenly between', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([10, 40, 10])).toBe('▁█▁');
    expect(sparkline([3, 3])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });
});
