import { DateTime } from 'luxon';

/**
 * Community days. A community has a timezone and a day-start hour: with
 * day-start 4, 03:59 local time still belongs to the previous day. Days are
 * ISO dates ('2026-11-23') of the community's calendar; comparisons use wall
 * clock time, so DST changes move no check-in to the wrong day.
 */
export interface DayRules {
  timezone: string;
  dayStartHour: number;
}

export type Day = string;

/** The community day last computed per (timezone, day-start), with its bounds: most calls hit it. */
const dayCache = new Map<string, { day: Day; start: number; end: number }>();

export function communityDay(at: Date, rules: DayRules): Day {
  const key = `${rules.timezone}|${rules.dayStartHour}`;
  const t = at.getTime();
  const cached = dayCache.get(key);
  if (cached && t >= cached.start && t < cached.end) return cached.day;
  const local = DateTime.fromJSDate(at, { zone: rules.timezone });
  const date = local.hour < rules.dayStartHour ? local.minus({ days: 1 }) : local;
  const day = date.toISODate() ?? invalidZone(rules.timezone);
  // The bounds are the instants the wall clock reads day-start on this day and the next.
  const start = DateTime.fromISO(day, { zone: rules.timezone }).set({ hour: rules.dayStartHour }).toMillis();
  const end = DateTime.fromISO(day, { zone: rules.timezone }).plus({ days: 1 }).set({ hour: rules.dayStartHour }).toMillis();
  if (t >= start && t < end) dayCache.set(key, { day, start, end });
  return day;
}

/** Whole calendar days from `a` to `b` (b - a). */
export function daysBetween(a: Day, b: Day): number {
  const da = DateTime.fromISO(a, { zone: 'UTC' });
  const db = DateTime.fromISO(b, { zone: 'UTC' });
  return Math.round(db.diff(da, 'days').days);
}

export function addDays(day: Day, n: number): Day {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days: n }).toISODate() ?? day;
}

/** ISO week key of a community day ('2026-W48'); weeks start on Monday. */
const weekKeys = new Map<Day, string>();

export function weekKey(day: Day): string {
  let key = weekKeys.get(day);
  if (key === undefined) {
    const d = DateTime.fromISO(day, { zone: 'UTC' });
    key = `${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}`;
    if (weekKeys.size > 1000) weekKeys.clear();
    weekKeys.set(day, key);
  }
  return key;
}

export function monthKey(day: Day): string {
  return day.slice(0, 7);
}

/** The instant a community day starts: its day-start hour on the wall clock (the bounds communityDay uses). */
export function dayStart(day: Day, rules: DayRules): Date {
  return DateTime.fromISO(day, { zone: rules.timezone }).set({ hour: rules.dayStartHour }).toJSDate();
}

export function isValidTimezone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

function invalidZone(zone: string): never {
  throw new Error(`invalid timezone: ${zone}`);
}
