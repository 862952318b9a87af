import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/core/community-day.js';
import { measure, periodOf, previousPeriod, ratesOf, retention, spellsOf, type ActivityRow, type CommunityHistory, type MemberHistory, type MetricRules } from '../../src/features/analytics/rules.js';

const UTC: MetricRules = { timezone: 'UTC', dayStartHour: 0, seesAllMessages: true };
const at = (iso: string): number => new Date(iso).getTime();
const noon = (day: string): number => at(`${day}T12:00:00Z`);
const empty: CommunityHistory = { members: [], activity: [], checkins: [], participations: [] };
const joined = (memberId: number, day: string): MemberHistory => ({ memberId, firstSeen: noon(day), events: [{ kind: 'join', at: noon(day) }] });
const act = (memberId: number, day: string, messages = 1, commands = 0): ActivityRow => ({ memberId, day, messages, commands });

describe('periods', () => {
  it('today, the last 7 days and the last 30 days, each against the run of the same length before it', () => {
    expect(periodOf('today', '2026-11-30')).toEqual({ from: '2026-11-30', to: '2026-11-30' });
    expect(periodOf('week', '2026-11-30')).toEqual({ from: '2026-11-24', to: '2026-11-30' });
    expect(previousPeriod(periodOf('week', '2026-11-30'))).toEqual({ from: '2026-11-17', to: '2026-11-23' });
    expect(previousPeriod(periodOf('month', '2026-11-30'))).toEqual({ from: '2026-10-02', to: '2026-10-31' });
  });
});

describe('membership spells', () => {
  it('a member who leaves and rejoins has two spells; repeated joins and leaves change nothing', () => {
    const h: MemberHistory = {
      memberId: 1,
      firstSeen: noon('2026-11-01'),
      events: [
        { kind: 'join', at: noon('2026-11-01') },
        { kind: 'join', at: noon('2026-11-02') },
        { kind: 'leave', at: noon('2026-11-03') },
        { kind: 'leave', at: noon('2026-11-04') },
        { kind: 'join', at: noon('2026-11-05') },
      ],
    };
    expect(spellsOf(h)).toEqual([
      { from: noon('2026-11-01'), to: noon('2026-11-03'), joined: true },
      { from: noon('2026-11-05'), to: null, joined: true },
    ]);
  });

  it('a member first seen chatting was there before: present from first sight, and that is no join', () => {
    expect(spellsOf({ memberId: 1, firstSeen: noon('2026-11-01'), events: [] })).toEqual([{ from: noon('2026-11-01'), to: null, joined: false }]);
    expect(spellsOf({ memberId: 1, firstSeen: noon('2026-11-01'), events: [{ kind: 'leave', at: noon('2026-11-02') }] })).toEqual([{ from: noon('2026-11-01'), to: noon('2026-11-02'), joined: false }]);
  });
});

describe('headline metrics on a scripted week', () => {
  // Ten members from before the week; two join during it, one of the ten leaves, one leaves and comes back.
  const old = Array.from({ length: 10 }, (_, i) => joined(i + 1, '2026-10-01'));
  old[9] = { ...old[9]!, events: [...old[9]!.events, { kind: 'leave', at: noon('2026-11-26') }] };
  old[8] = { ...old[8]!, events: [...old[8]!.events, { kind: 'leave', at: noon('2026-11-25') }, { kind: 'join', at: noon('2026-11-27') }] };
  const history: CommunityHistory = {
    members: [...old, joined(11, '2026-11-28'), joined(12, '2026-11-30')],
    activity: [
      // Today: members 1, 2, 3 (3 only ran a command); in the week also 4 and 5; 6 was active 20 days ago.
      act(1, '2026-11-30', 5),
      act(2, '2026-11-30', 3),
      act(3, '2026-11-30', 0, 2),
      act(4, '2026-11-26', 4),
      act(5, '2026-11-24', 1),
      act(1, '2026-11-25', 2),
      act(6, '2026-11-10', 7),
      // The week before: only member 1 on two days.
      act(1, '2026-11-20', 1),
      act(1, '2026-11-21', 1),
    ],
    checkins: [
      { memberId: 1, day: '2026-11-30' },
      { memberId: 2, day: '2026-11-29' },
      { memberId: 1, day: '2026-11-20' },
    ],
    participations: [
      { memberId: 2, at: noon('2026-11-27') },
      { memberId: 2, at: noon('2026-11-28') },
      { memberId: 7, at: noon('2026-11-29') },
      { memberId: 8, at: noon('2026-11-01') },
    ],
  };

  it('today: members at the end of the day, active, speaking and interactions', () => {
    const m = measure(history, periodOf('today', '2026-11-30'), UTC);
    expect(m).toMatchObject({ members: 11, dau: 3, wau: 5, mau: 6, checkedIn: 1, spoke: 2, participated: 0, interactions: 10, joins: 1, leaves: 0 });
    const r = ratesOf(m);
    expect(r.dailyActiveRate).toBeCloseTo(3 / 11);
    expect(r.speakingRate).toBeCloseTo(2 / 11);
    expect(r.interactionsPer100).toBeCloseTo((10 / 11) * 100);
  });

  it('week: DAU averaged over the days, distinct members for the rates, growth counts rejoins', () => {
    const m = measure(history, periodOf('week', '2026-11-30'), UTC);
    // Active member-days: 24th {5}, 25th {1}, 26th {4}, 30th {1,2,3} = 6 over 7 days.
    expect(m.dau).toBeCloseTo(6 / 7);
    expect(m).toMatchObject({ members: 11, wau: 5, mau: 6, checkedIn: 2, spoke: 4, participated: 2, interactions: 17, joins: 3, leaves: 2 });
    expect(ratesOf(m).netGrowth).toBe(1);
    expect(ratesOf(m).participationRate).toBeCloseTo(2 / 11);
    const before = measure(history, previousPeriod(periodOf('week', '2026-11-30')), UTC);
    expect(before).toMatchObject({ members: 10, dau: 2 / 7, checkedIn: 1, joins: 0, leaves: 0 });
  });

  it('members present at a period end exclude those who had left by then', () => {
    expect(measure(history, periodOf('today', '2026-11-26'), UTC)).toMatchObject({ members: 8, leaves: 1, joins: 0 });
  });

  it('a community without members has rates of 0', () => {
    expect(ratesOf(measure(empty, periodOf('week', '2026-11-30'), UTC))).toMatchObject({ dailyActiveRate: 0, interactionsPer100: 0, netGrowth: 0 });
  });
});

describe('day boundaries', () => {
  it('in the community timezone and day-start hour: 03:59 in Shanghai with day-start 4 is still yesterday', () => {
    const rules: MetricRules = { timezone: 'Asia/Shanghai', dayStartHour: 4, seesAllMessages: true };
    const h: CommunityHistory = {
      ...empty,
      members: [
        { memberId: 1, firstSeen: at('2026-11-29T19:59:00Z'), events: [{ kind: 'join', at: at('2026-11-29T19:59:00Z') }] }, // 03:59 on the 30th
        { memberId: 2, firstSeen: at('2026-11-29T20:00:00Z'), events: [{ kind: 'join', at: at('2026-11-29T20:00:00Z') }] }, // 04:00 on the 30th
      ],
      participations: [{ memberId: 1, at: at('2026-11-29T19:59:00Z') }],
    };
    expect(measure(h, periodOf('today', '2026-11-29'), rules)).toMatchObject({ joins: 1, members: 1, participated: 1 });
    expect(measure(h, periodOf('today', '2026-11-30'), rules)).toMatchObject({ joins: 1, members: 2, participated: 0 });
  });

  it('in a DST zone, the 25-hour day keeps its last hour (America/New_York, 2026-11-01)', () => {
    const rules: MetricRules = { timezone: 'America/New_York', dayStartHour: 0, seesAllMessages: true };
    // 23:30 EST on Nov 1 is 04:30Z on Nov 2; 00:30 EDT on Nov 1 is 04:30Z on Nov 1.
    const late = at('2026-11-02T04:30:00Z');
    const early = at('2026-11-01T04:30:00Z');
    const h: CommunityHistory = {
      ...empty,
      members: [
        { memberId: 1, firstSeen: late, events: [{ kind: 'join', at: late }] },
        { memberId: 2, firstSeen: early, events: [{ kind: 'join', at: early }] },
        { memberId: 3, firstSeen: at('2026-11-01T03:30:00Z'), events: [{ kind: 'join', at: at('2026-11-01T03:30:00Z') }] }, // 23:30 EDT, Oct 31
      ],
    };
    expect(measure(h, periodOf('today', '2026-11-01'), rules)).toMatchObject({ joins: 2, members: 3 });
    expect(measure(h, periodOf('today', '2026-10-31'), rules)).toMatchObject({ joins: 1, members: 1 });
    expect(measure(h, periodOf('today', '2026-11-02'), rules)).toMatchObject({ joins: 0, members: 3 });
    // The 23-hour day in March: 23:30 EDT on Mar 8 is 03:30Z on Mar 9.
    const march: CommunityHistory = { ...empty, members: [{ memberId: 1, firstSeen: at('2026-03-09T03:30:00Z'), events: [{ kind: 'join', at: at('2026-03-09T03:30:00Z') }] }] };
    expect(measure(march, periodOf('today', '2026-03-08'), rules).joins).toBe(1);
    expect(measure(march, periodOf('today', '2026-03-09'), rules).joins).toBe(0);
  });
});

describe('where the bot sees only what is addressed to it (WeCom)', () => {
  it('active means interacted (a command counts), and the speaking rate is not measurable', () => {
    const rules: MetricRules = { timezone: 'Asia/Shanghai', dayStartHour: 0, seesAllMessages: false };
    const h: CommunityHistory = { ...empty, members: [joined(1, '2026-11-01'), joined(2, '2026-11-01')], activity: [act(1, '2026-11-30', 0, 1)] };
    const m = measure(h, periodOf('today', '2026-11-30'), rules);
    expect(m).toMatchObject({ dau: 1, spoke: null, interactions: 1 });
    expect(ratesOf(m).speakingRate).toBeNull();
    expect(ratesOf(m).dailyActiveRate).toBe(0.5);
  });
});

describe('retention by join cohort', () => {
  it('D1/D7/D30 of weekly cohorts, counting only days that are over, rejoins included', () => {
    const today = '2026-11-30'; // a Monday
    const h: CommunityHistory = {
      ...empty,
      members: [
        joined(1, '2026-11-23'),
        joined(2, '2026-11-24'),
        joined(3, '2026-11-29'),
        joined(4, '2026-10-26'),
        // Joined Oct 27, left, and rejoined on Nov 24: two cohort entries.
        { memberId: 5, firstSeen: noon('2026-10-27'), events: [{ kind: 'join', at: noon('2026-10-27') }, { kind: 'leave', at: noon('2026-11-01') }, { kind: 'join', at: noon('2026-11-24') }] },
        // First seen chatting: no cohort.
        { memberId: 6, firstSeen: noon('2026-11-24'), events: [] },
      ],
      activity: [act(1, '2026-11-24'), act(2, '2026-11-25'), act(5, '2026-11-25'), act(3, '2026-11-30'), act(4, '2026-10-27'), act(4, '2026-11-02'), act(5, '2026-11-03'), act(5, '2026-11-26')],
    };
    const rows = retention(h, today, UTC, 8);
    expect(rows.map((r) => r.week)).toEqual(Array.from({ length: 8 }, (_, i) => addDays(today, -7 * i)));
    expect(rows[0]).toEqual({ week: '2026-11-30', size: 0, d1: null, d7: null, d30: null });
    // Week of Nov 23: members 1, 2, 5's rejoin and 3 (Sunday the 29th, whose day 1 is today and not over yet);
    // the other three were active the next day; nobody's day 7 is over (member 1's is today).
    expect(rows[1]).toEqual({ week: '2026-11-23', size: 4, d1: { active: 3, of: 3 }, d7: null, d30: null });
    // Week of Oct 26: members 4 and 5; D1: 4 yes, 5 no; D7: both; D30: Nov 25 (4) no, Nov 26 (5) yes.
    expect(rows[5]).toEqual({ week: '2026-10-26', size: 2, d1: { active: 1, of: 2 }, d7: { active: 2, of: 2 }, d30: { active: 1, of: 2 } });
  });
});
