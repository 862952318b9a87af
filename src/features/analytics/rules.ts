/**
 * Community metrics, defined once, without I/O: the service loads a
 * community's history and these functions say what the numbers are.
 *
 * Days are community days (its timezone and day-start hour, see
 * core/community-day.ts). A period is a run of whole days ending today
 * (today; the last 7 days; the last 30 days) and is compared with the run of
 * the same length just before it.
 */
import { addDays, communityDay, dayStart, daysBetween, type Day, type DayRules } from '../../core/community-day.js';

/** The seed benchmarks of the operators' playbooks, shown beside the numbers. */
export const BENCHMARKS = {
  /** Daily active members over members: healthy above this. */
  dailyActiveRate: 0.15,
  /** Members who took part in an activity over members: good above this. */
  participationRate: 0.3,
  /** Messages and commands per 100 members per day: about this many. */
  interactionsPer100: 15,
  /** Retention of a join cohort: good above this. */
  retention: 0.5,
} as const;

export interface MembershipEvent {
  kind: 'join' | 'leave';
  at: number;
}

export interface MemberHistory {
  memberId: number;
  /** When the bot first saw the member (a message, a command, or the join itself). */
  firstSeen: number;
  /** The joins and leaves the platform delivered, oldest first. */
  events: readonly MembershipEvent[];
}

/** A stretch of membership: [from, to), `to` null while it lasts; `joined` when it began with a delivered join. */
export interface Spell {
  from: number;
  to: number | null;
  joined: boolean;
}

/**
 * A member's spells. Members are present from first sight (a member first
 * seen chatting was there before the bot); a join while present and a leave
 * while absent change nothing (a platform may repeat them); a join after a
 * leave starts a new spell (a rejoin counts as a join).
 */
export function spellsOf(h: MemberHistory): Spell[] {
  const out: Spell[] = [];
  let open: Spell | null = null;
  let started = false;
  const firstSight = (): void => {
    if (!started) open = { from: h.firstSeen, to: null, joined: false };
    started = true;
  };
  const events = [...h.events].sort((a, b) => a.at - b.at);
  for (const e of events) {
    if (e.kind === 'join') {
      // The join that made the bot see the member is their first spell's start.
      if (e.at > h.firstSeen) firstSight();
      started = true;
      open ??= { from: e.at, to: null, joined: true };
    } else {
      firstSight();
      if (open) {
        open.to = e.at;
        out.push(open);
        open = null;
      }
    }
  }
  firstSight();
  if (open) out.push(open);
  return out;
}

/** Present just before `at` (at a period's end: the members it ended with). */
function presentBefore(spells: readonly Spell[], at: number): boolean {
  return spells.some((s) => s.from < at && (s.to === null || s.to >= at));
}

export interface ActivityRow {
  memberId: number;
  day: Day;
  /** Chat messages the bot saw (on WeCom: only those addressed to it). */
  messages: number;
  /** Commands, check-ins, buttons. */
  commands: number;
}

export interface CommunityHistory {
  members: readonly MemberHistory[];
  activity: readonly ActivityRow[];
  checkins: readonly { memberId: number; day: Day }[];
  /** Lottery entries and quiz answers, by instant. */
  participations: readonly { memberId: number; at: number }[];
}

export interface MetricRules extends DayRules {
  /** False where the bot sees only what is addressed to it (WeCom): active means interacted, speaking is not measurable. */
  seesAllMessages: boolean;
}

export type PeriodKind = 'today' | 'week' | 'month';

export interface Period {
  from: Day;
  to: Day;
}

const PERIOD_DAYS: Record<PeriodKind, number> = { today: 1, week: 7, month: 30 };

/** The period of that kind ending `today`: today; the last 7 days; the last 30 days. */
export function periodOf(kind: PeriodKind, today: Day): Period {
  return { from: addDays(today, 1 - PERIOD_DAYS[kind]), to: today };
}

/** The period of the same length just before. */
export function previousPeriod(p: Period): Period {
  const days = daysBetween(p.from, p.to) + 1;
  return { from: addDays(p.from, -days), to: addDays(p.to, -days) };
}

export interface PeriodMetrics {
  period: Period;
  days: number;
  /** Members present at the period's end. */
  members: number;
  /** Distinct active members per day, averaged over the period's days. */
  dau: number;
  /** Distinct active members in the 7 / 30 days ending with the period's last day. */
  wau: number;
  mau: number;
  checkedIn: number;
  /** Null where the bot does not see every message. */
  spoke: number | null;
  participated: number;
  /** Messages and commands counted over the period. */
  interactions: number;
  joins: number;
  leaves: number;
}

export function measure(h: CommunityHistory, period: Period, rules: MetricRules): PeriodMetrics {
  const days = daysBetween(period.from, period.to) + 1;
  const inRange = (day: Day, from: Day, to: Day): boolean => day >= from && day <= to;
  const inPeriod = (day: Day): boolean => inRange(day, period.from, period.to);
  const start = dayStart(period.from, rules).getTime();
  const end = dayStart(addDays(period.to, 1), rules).getTime();

  let members = 0;
  let joins = 0;
  let leaves = 0;
  for (const m of h.members) {
    const spells = spellsOf(m);
    if (presentBefore(spells, end)) members++;
    for (const s of spells) {
      if (s.joined && s.from >= start && s.from < end) joins++;
      if (s.to !== null && s.to >= start && s.to < end) leaves++;
    }
  }

  const distinct = (rows: readonly { memberId: number; day: Day }[], keep: (day: Day) => boolean): number => new Set(rows.filter((r) => keep(r.day)).map((r) => r.memberId)).size;
  const active = h.activity.filter((r) => r.messages + r.commands > 0);
  const activeByDay = new Map<Day, Set<number>>();
  for (const r of active) if (inPeriod(r.day)) (activeByDay.get(r.day) ?? activeByDay.set(r.day, new Set()).get(r.day))?.add(r.memberId);
  const activeDays = [...activeByDay.values()].reduce((n, set) => n + set.size, 0);
  const participations = h.participations.map((p) => ({ memberId: p.memberId, day: communityDay(new Date(p.at), rules) }));

  return {
    period,
    days,
    members,
    dau: activeDays / days,
    wau: distinct(active, (day) => inRange(day, addDays(period.to, -6), period.to)),
    mau: distinct(active, (day) => inRange(day, addDays(period.to, -29), period.to)),
    checkedIn: distinct(h.checkins, inPeriod),
    spoke: rules.seesAllMessages ? distinct(active.filter((r) => r.messages > 0), inPeriod) : null,
    participated: distinct(participations, inPeriod),
    interactions: active.filter((r) => inPeriod(r.day)).reduce((n, r) => n + r.messages + r.commands, 0),
    joins,
    leaves,
  };
}

export interface Rates {
  dailyActiveRate: number;
  weeklyActiveRate: number;
  monthlyActiveRate: number;
  checkinRate: number;
  /** Null: not measurable on this platform. */
  speakingRate: number | null;
  participationRate: number;
  interactionsPer100: number;
  netGrowth: number;
}

/** The headline rates; a community without members has rates of 0. */
export function ratesOf(m: PeriodMetrics): Rates {
  const per = (n: number): number => (m.members === 0 ? 0 : n / m.members);
  return {
    dailyActiveRate: per(m.dau),
    weeklyActiveRate: per(m.wau),
    monthlyActiveRate: per(m.mau),
    checkinRate: per(m.checkedIn),
    speakingRate: m.spoke === null ? null : per(m.spoke),
    participationRate: per(m.participated),
    interactionsPer100: (per(m.interactions) * 100) / m.days,
    netGrowth: m.joins - m.leaves,
  };
}

export interface Ratio {
  active: number;
  of: number;
}

export interface CohortRow {
  /** The Monday of the cohort's week. */
  week: Day;
  /** Joins in that week (a member who joined twice that week counts twice). */
  size: number;
  /** Null until some member of the cohort has had that whole day. */
  d1: Ratio | null;
  d7: Ratio | null;
  d30: Ratio | null;
}

export const RETENTION_DAYS = [1, 7, 30] as const;

function mondayOf(day: Day): Day {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/**
 * Retention by join cohort: of the members who joined on day d, those active
 * on day d+N (N = 1, 7, 30). A join counts once day d+N is over; cohorts are
 * grouped by the week of d, the newest first, `weeks` of them ending with
 * today's week.
 */
export function retention(h: CommunityHistory, today: Day, rules: DayRules, weeks = 8): CohortRow[] {
  const activeOn = new Set(h.activity.filter((r) => r.messages + r.commands > 0).map((r) => `${r.memberId}|${r.day}`));
  const thisWeek = mondayOf(today);
  const rows = new Map<Day, CohortRow>();
  for (let i = 0; i < weeks; i++) {
    const week = addDays(thisWeek, -7 * i);
    rows.set(week, { week, size: 0, d1: null, d7: null, d30: null });
  }
  for (const m of h.members) {
    for (const s of spellsOf(m)) {
      if (!s.joined) continue;
      const joinDay = communityDay(new Date(s.from), rules);
      const row = rows.get(mondayOf(joinDay));
      if (!row) continue;
      row.size++;
      for (const n of RETENTION_DAYS) {
        const target = addDays(joinDay, n);
        if (target >= today) continue;
        const key = `d${n}` as const;
        const ratio = (row[key] ??= { active: 0, of: 0 });
        ratio.of++;
        if (activeOn.has(`${m.memberId}|${target}`)) ratio.active++;
      }
    }
  }
  return [...rows.values()];
}
