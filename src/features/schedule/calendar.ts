/**
 * The content calendar's rules, as pure functions over a list of firings:
 * the daily cap (每日推送 1–2 次), the promo share of a week (促销内容不超过
 * 20–30%) and the most days in a row with a promo post (避免连续几天都是促销).
 * The service gathers the firings (posts made, posts planned) and asks here.
 */
import { DateTime } from 'luxon';

/** One post in the calendar: made already (a delivery) or planned (a one-off or a recurring firing). */
export interface Firing {
  at: Date;
  promo: boolean;
  /** The scheduled post's id; null for an announcement or another feature's post. */
  postId: number | null;
  text: string;
  /** A scheduled quiz's opening (the quiz schedule's id): another feature's post that counts toward the daily cap. */
  quizScheduleId?: number;
  /** A lottery's warm-up reminder (the lottery's id; `text` is its prize). */
  lotteryId?: number;
}

/** Another feature's posts that count in the calendar: made in [from, to) and, from `now` on, planned. */
export type CalendarSource = (communityId: number, from: Date, to: Date, now: Date) => Promise<Firing[]>;

export interface CalendarRules {
  dailyCap: number | null;
  promoMaxShare: number | null;
  promoMaxConsecutiveDays: number | null;
}

/** A rule the new firings would break, with what the refusal shows. */
export type CalendarViolation =
  | { rule: 'dailyCap'; day: Date; count: number; cap: number }
  | { rule: 'promoShare'; promo: number; total: number; cap: number }
  | { rule: 'promoStreak'; day: Date; days: number; max: number };

const PROMO = /(^|\s)#promo(?![\p{L}\p{N}_])/iu;
const PROMO_TAGS = /(^|\s)#promo(?![\p{L}\p{N}_])[ \t]*/giu;

export const isPromo = (text: string): boolean => PROMO.test(text);

/** What members see: the text without its `#promo` tag (the stored text keeps it). */
export function memberText(text: string): string {
  return text.replace(PROMO_TAGS, '$1').replace(/[ \t]+\n/g, '\n').trim();
}

export const dayKey = (at: Date, timezone: string): string => DateTime.fromJSDate(at, { zone: timezone }).toISODate() ?? '';

export function dayOf(at: Date, timezone: string): { start: Date; end: Date } {
  const start = DateTime.fromJSDate(at, { zone: timezone }).startOf('day');
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

export function periodOf(at: Date, timezone: string, unit: 'week' | 'month'): { start: Date; end: Date } {
  const start = DateTime.fromJSDate(at, { zone: timezone }).startOf(unit);
  return { start: start.toJSDate(), end: start.plus({ [`${unit}s`]: 1 }).toJSDate() };
}


/** The window of existing firings that `check` needs to judge `added`. */
export function checkWindow(added: Date[], timezone: string, rules: CalendarRules): { start: Date; end: Date } {
  const first = added[0] as Date;
  const last = added[added.length - 1] as Date;
  const pad = (rules.promoMaxConsecutiveDays ?? 0) + 1;
  const week = periodOf(first, timezone, 'week');
  const start = DateTime.fromJSDate(week.start, { zone: timezone }).minus({ days: pad }).toJSDate();
  const lastDay = dayOf(last, timezone).end;
  const end = DateTime.fromJSDate(lastDay > week.end ? lastDay : week.end, { zone: timezone }).plus({ days: pad }).toJSDate();
  return { start, end };
}

/**
 * The first rule that `added` (the new post's firings, in time order) would
 * break on top of `existing`, or undefined. The promo share is judged on the
 * community week of the first new firing; no post is always allowed.
 */
export function check(existing: Firing[], added: Date[], promo: boolean, timezone: string, rules: CalendarRules): CalendarViolation | undefined {
  if (added.length === 0) return undefined;
  if (rules.dailyCap !== null) {
    const perDay = countBy(existing.map((f) => dayKey(f.at, timezone)));
    for (const at of added) {
      const key = dayKey(at, timezone);
      const count = (perDay.get(key) ?? 0) + 1;
      perDay.set(key, count);
      if (count > rules.dailyCap) return { rule: 'dailyCap', day: at, count, cap: rules.dailyCap };
    }
  }
  if (!promo) return undefined;
  if (rules.promoMaxShare !== null) {
    const week = periodOf(added[0] as Date, timezone, 'week');
    const inWeek = (at: Date): boolean => at >= week.start && at < week.end;
    const mine = added.filter(inWeek).length;
    const others = existing.filter((f) => inWeek(f.at));
    const total = others.length + mine;
    const promos = others.filter((f) => f.promo).length + mine;
    if (promos > rules.promoMaxShare * total + 1e-9) return { rule: 'promoShare', promo: promos, total, cap: rules.promoMaxShare };
  }
  if (rules.promoMaxConsecutiveDays !== null) {
    const days = new Set(existing.filter((f) => f.promo).map((f) => dayKey(f.at, timezone)));
    for (const at of added) days.add(dayKey(at, timezone));
    for (const at of added) {
      const run = runLength(days, DateTime.fromJSDate(at, { zone: timezone }).startOf('day'));
      if (run > rules.promoMaxConsecutiveDays) return { rule: 'promoStreak', day: at, days: run, max: rules.promoMaxConsecutiveDays };
    }
  }
  return undefined;
}

/** The promo share of a list of firings. */
export function share(firings: Firing[]): { promo: number; total: number } {
  return { promo: firings.filter((f) => f.promo).length, total: firings.length };
}

export function countBy(keys: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of keys) out.set(key, (out.get(key) ?? 0) + 1);
  return out;
}

function runLength(days: Set<string>, day: DateTime): number {
  let n = 1;
  for (let d = day.minus({ days: 1 }); days.has(d.toISODate() ?? ''); d = d.minus({ days: 1 })) n++;
  for (let d = day.plus({ days: 1 }); days.has(d.toISODate() ?? ''); d = d.plus({ days: 1 })) n++;
  return n;
}
