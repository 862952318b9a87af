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
export function presentBefore(spells: readonly Spell[], at: number): boolean {
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
  // Computed once: a luxon date per row would dominate a year of records.
  const weekFrom = addDays(period.to, -6);
  const monthFrom = addDays(period.to, -29);

  return {
    period,
    days,
    members,
    dau: activeDays / days,
    wau: distinct(active, (day) => inRange(day, weekFrom, period.to)),
    mau: distinct(active, (day) => inRange(day, monthFrom, period.to)),
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

export function mondayOf(day: Day): Day {
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

/** A rolled-up day as retention reads it: its joins, and the numerators counted on it (`retainedN`: the joins of N days before that were active this day). */
export interface JoinDay {
  day: Day;
  joins: number;
  retained1: number;
  retained7: number;
  retained30: number;
}

/**
 * The table `retention` gives, from the rolled-up days instead of the raw
 * records: `days` holds every day of the cohort weeks up to today (today
 * and any later day of its week with their joins so far; a day not there
 * had none).
 */
export function retentionFromDays(days: readonly JoinDay[], today: Day, weeks = 8): CohortRow[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const thisWeek = mondayOf(today);
  const rows = new Map<Day, CohortRow>();
  for (let i = 0; i < weeks; i++) {
    const week = addDays(thisWeek, -7 * i);
    rows.set(week, { week, size: 0, d1: null, d7: null, d30: null });
  }
  for (let day = addDays(thisWeek, -7 * (weeks - 1)); day <= addDays(thisWeek, 6); day = addDays(day, 1)) {
    const joins = byDay.get(day)?.joins ?? 0;
    const row = rows.get(mondayOf(day));
    if (joins === 0 || !row) continue;
    row.size += joins;
    for (const n of RETENTION_DAYS) {
      const target = addDays(day, n);
      if (target >= today) continue;
      const ratio = (row[`d${n}`] ??= { active: 0, of: 0 });
      ratio.of += joins;
      ratio.active += byDay.get(target)?.[`retained${n}`] ?? 0;
    }
  }
  return [...rows.values()];
}

// ── daily rollups ──────────────────────────────────────────────────────

/** The windows a rollup row keeps distinct counts for: the lengths of the periods (today, week, month). */
export const ROLLUP_WINDOWS = [1, 7, 30] as const;
/** A day's rollup reads the raw records of the 30 days ending with it. */
export const ROLLUP_LOOKBACK_DAYS = 29;

type Windowed<K extends string> = Record<K | `${K}7` | `${K}30`, number>;

/** One community day, rolled up: what `measure` needs of a day, with the distinct counts of the windows ending on it. */
export type DailyRollup = { day: Day; members: number; joins: number; leaves: number; messages: number; commands: number } & Windowed<'active'> &
  Windowed<'speakers'> &
  Windowed<'checkins'> &
  Windowed<'participants'>;

/**
 * The rollups of the days [from, to], computed from a history holding every
 * member's joins and leaves and the activity, check-ins and participations of
 * [from - 29, to]. The same definitions as `measure` (spells, community days),
 * computed for all the days in one pass: per member and kind, the sorted days
 * with a record; a member counts in the window of length k ending on day D
 * when one of those days falls in [D - k + 1, D].
 */
export function rollupDays(h: CommunityHistory, from: Day, to: Day, rules: DayRules): DailyRollup[] {
  const base = addDays(from, -ROLLUP_LOOKBACK_DAYS);
  const span = daysBetween(base, to) + 1;
  if (span <= ROLLUP_LOOKBACK_DAYS) return [];
  // Day arithmetic on plain numbers: ISO dates as UTC midnights, instants placed between the days' start instants.
  const baseMs = Date.parse(`${base}T00:00:00Z`);
  const index = (day: Day): number => Math.round((Date.parse(`${day}T00:00:00Z`) - baseMs) / 86_400_000);
  const starts = Array.from({ length: span + 1 }, (_, i) => dayStart(addDays(base, i), rules).getTime());
  const dayOf = (at: number): number => {
    if (at < (starts[0] ?? 0)) return -1;
    let lo = 0;
    let hi = span;
    // The last i with starts[i] <= at (span: after the last day).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? Infinity) <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const zeros = (): number[] => new Array<number>(span + 1).fill(0);

  // Members present at each day's end: a spell covers the days from its start's day up to the day before its end's day.
  const present = zeros();
  const joins = zeros();
  const leaves = zeros();
  for (const m of h.members) {
    for (const s of spellsOf(m)) {
      const a = Math.max(0, dayOf(s.from));
      const b = s.to === null ? span : Math.min(span, dayOf(s.to));
      if (a < b) {
        present[a] = (present[a] ?? 0) + 1;
        present[b] = (present[b] ?? 0) - 1;
      }
      const j = dayOf(s.from);
      if (s.joined && j >= 0 && j < span) joins[j] = (joins[j] ?? 0) + 1;
      if (s.to !== null) {
        const l = dayOf(s.to);
        if (l >= 0 && l < span) leaves[l] = (leaves[l] ?? 0) + 1;
      }
    }
  }
  for (let i = 1; i <= span; i++) present[i] = (present[i] ?? 0) + (present[i - 1] ?? 0);

  /** Per kind, per member, the day indexes with a record. */
  const kinds = { active: new Map<number, Set<number>>(), speakers: new Map<number, Set<number>>(), checkins: new Map<number, Set<number>>(), participants: new Map<number, Set<number>>() };
  type Kind = keyof typeof kinds;
  const mark = (kind: Kind, memberId: number, i: number): void => {
    if (i < 0 || i >= span) return;
    const map = kinds[kind];
    (map.get(memberId) ?? map.set(memberId, new Set()).get(memberId))?.add(i);
  };
  const messages = zeros();
  const commands = zeros();
  for (const r of h.activity) {
    if (r.messages + r.commands <= 0) continue;
    const i = index(r.day);
    mark('active', r.memberId, i);
    if (r.messages > 0) mark('speakers', r.memberId, i);
    if (i >= 0 && i < span) {
      messages[i] = (messages[i] ?? 0) + r.messages;
      commands[i] = (commands[i] ?? 0) + r.commands;
    }
  }
  for (const c of h.checkins) mark('checkins', c.memberId, index(c.day));
  for (const p of h.participations) mark('participants', p.memberId, dayOf(p.at));

  const counts = {} as Record<Kind, Record<(typeof ROLLUP_WINDOWS)[number], number[]>>;
  for (const kind of Object.keys(kinds) as Kind[]) {
    const byWindow = { 1: zeros(), 7: zeros(), 30: zeros() };
    for (const days of kinds[kind].values()) {
      const sorted = [...days].sort((a, b) => a - b);
      for (const [n, d] of sorted.entries()) {
        const next = sorted[n + 1] ?? Infinity;
        for (const k of ROLLUP_WINDOWS) {
          // Window ends D in [d, d + k - 1] see this record; those from `next` on see a later one.
          const diff = byWindow[k];
          const end = Math.min(d + k, next, span);
          diff[d] = (diff[d] ?? 0) + 1;
          diff[end] = (diff[end] ?? 0) - 1;
        }
      }
    }
    for (const k of ROLLUP_WINDOWS) for (let i = 1; i <= span; i++) byWindow[k][i] = (byWindow[k][i] ?? 0) + (byWindow[k][i - 1] ?? 0);
    counts[kind] = byWindow;
  }

  const out: DailyRollup[] = [];
  for (let i = ROLLUP_LOOKBACK_DAYS; i < span; i++) {
    const at = (a: number[]): number => a[i] ?? 0;
    const row = { day: addDays(base, i), members: at(present), joins: at(joins), leaves: at(leaves), messages: at(messages), commands: at(commands) } as DailyRollup;
    for (const kind of Object.keys(kinds) as Kind[]) {
      row[kind] = at(counts[kind][1]);
      row[`${kind}7`] = at(counts[kind][7]);
      row[`${kind}30`] = at(counts[kind][30]);
    }
    out.push(row);
  }
  return out;
}

/**
 * A period's metrics from the rollups of its days (one row per day, any
 * order), the same numbers `measure` gives from the raw records. Undefined
 * when a day is missing or the period's length has no stored window.
 */
export function measureRollups(rows: readonly DailyRollup[], period: Period, rules: MetricRules): PeriodMetrics | undefined {
  const days = daysBetween(period.from, period.to) + 1;
  const window = ROLLUP_WINDOWS.find((k) => k === days);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const inPeriod: DailyRollup[] = [];
  for (let i = 0; i < days; i++) {
    const row = byDay.get(addDays(period.from, i));
    if (!row) return undefined;
    inPeriod.push(row);
  }
  const last = byDay.get(period.to);
  if (window === undefined || !last) return undefined;
  const sum = (f: (r: DailyRollup) => number): number => inPeriod.reduce((n, r) => n + f(r), 0);
  const windowed = (kind: 'active' | 'speakers' | 'checkins' | 'participants'): number => (window === 1 ? last[kind] : last[`${kind}${window}`]);
  return {
    period,
    days,
    members: last.members,
    dau: sum((r) => r.active) / days,
    wau: last.active7,
    mau: last.active30,
    checkedIn: windowed('checkins'),
    spoke: rules.seesAllMessages ? windowed('speakers') : null,
    participated: windowed('participants'),
    interactions: sum((r) => r.messages + r.commands),
    joins: sum((r) => r.joins),
    leaves: sum((r) => r.leaves),
  };
}

// ── alerts ─────────────────────────────────────────────────────────────

export interface AlertRules {
  /** Alert when a day's active members over members fall below this share. */
  activeRateBelow: number;
  /** Communities smaller than this get no active-rate alert (a handful of members swings the rate by itself). */
  minMembers: number;
}

/** The daily active rate of a rolled-up day when it is below the threshold; undefined when all is well. */
export function lowActiveRate(row: Pick<DailyRollup, 'members' | 'active'>, rules: AlertRules): number | undefined {
  if (row.members < Math.max(1, rules.minMembers)) return undefined;
  const rate = row.active / row.members;
  return rate < rules.activeRateBelow ? rate : undefined;
}

/** What the week-on-week alert compares: the speaking rate where the bot sees every message, else interactions. */
export type WeekMetric = 'speaking' | 'interactions';

export interface WeekComparison {
  metric: WeekMetric;
  /** Speaking: distinct speakers over members, as a share. Interactions: messages and commands per 100 members a day. */
  thisWeek: number;
  lastWeek: number;
  /** (lastWeek − thisWeek) / lastWeek: positive when it fell. */
  drop: number;
}

/**
 * The week ending `day` against the week before, from the daily rollups (the
 * 14 days ending `day`, in any order). Undefined when a day of either week is
 * missing, when the community is smaller than `minMembers`, or when last week
 * had nothing to compare with.
 */
export function weekOnWeek(rows: readonly DailyRollup[], day: Day, seesAllMessages: boolean, minMembers: number): WeekComparison | undefined {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const week = (end: Day): DailyRollup[] | undefined => {
    const out: DailyRollup[] = [];
    for (let i = 0; i < 7; i++) {
      const row = byDay.get(addDays(end, -i));
      if (!row) return undefined;
      out.push(row);
    }
    return out;
  };
  const current = week(day);
  const previous = week(addDays(day, -7));
  if (!current || !previous) return undefined;
  // The week's last day: its member count, and its 7-day distinct speakers.
  const end = (w: DailyRollup[]): DailyRollup => w[0] as DailyRollup;
  if (end(current).members < Math.max(1, minMembers) || end(previous).members < 1) return undefined;
  const metric: WeekMetric = seesAllMessages ? 'speaking' : 'interactions';
  const value = (w: DailyRollup[]): number =>
    metric === 'speaking' ? end(w).speakers7 / end(w).members : (100 * w.reduce((n, r) => n + r.messages + r.commands, 0)) / 7 / end(w).members;
  const thisWeek = value(current);
  const lastWeek = value(previous);
  if (lastWeek <= 0) return undefined;
  return { metric, thisWeek, lastWeek, drop: (lastWeek - thisWeek) / lastWeek };
}

/** A spike: at least `threshold` distinct members joined (or left) within the window ending now. */
export function isSpike(count: number, threshold: number): boolean {
  return threshold > 0 && count >= threshold;
}

// ── history ────────────────────────────────────────────────────────────

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A sparkline of the values, the lowest ▁ and the highest █ (all ▁ when they are equal). */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  const top = BLOCKS.length - 1;
  return values.map((v) => BLOCKS[max === min ? 0 : Math.round(((v - min) / (max - min)) * top)]).join('');
}
