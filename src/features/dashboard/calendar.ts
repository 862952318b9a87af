/**
 * The content calendar on the dashboard (issue #15: "the same view on the
 * dashboard"): the community's posts of this week and the next, made and
 * planned, a row per day with its count against the daily cap, each post
 * marked promo or not, and the promo share of the two weeks, built from the
 * same firings and rules as `/schedule calendar` (features/schedule).
 */
import { DateTime } from 'luxon';
import type { Locale } from '../../core/i18n.js';
import { dayKey, periodOf, share, type CalendarRules, type Firing } from '../schedule/calendar.js';

export interface CalendarItem {
  /** HH:mm in the community's timezone. */
  time: string;
  kind: 'post' | 'announcement' | 'quiz' | 'lottery';
  /** The post's id (`#12`), the quiz schedule's or the lottery's; null for an announcement. */
  id: number | null;
  title: string;
  promo: boolean;
  /** Already posted (before now). */
  past: boolean;
}

export interface CalendarDay {
  day: string;
  /** The day as the community reads it: `11月23日 周一`, `Mon 23 Nov`. */
  label: string;
  count: number;
  over: boolean;
  items: CalendarItem[];
}

export interface DashboardCalendar {
  from: string;
  to: string;
  dailyCap: number | null;
  /** The promo share allowed, in percent; null when there is no cap. */
  promoCapPercent: number | null;
  promo: number;
  total: number;
  /** Promo posts over all posts of the two weeks, in percent (0 when there are none). */
  promoPercent: number;
  /** Only the days that post, in order. */
  days: CalendarDay[];
}

/** Weeks the dashboard shows: this one and the next. */
export const CALENDAR_WEEKS = 2;

/** The window the dashboard asks the schedule for: the start of this community week, two weeks long. */
export function calendarWindow(now: Date, timezone: string): { start: Date; end: Date } {
  const { start } = periodOf(now, timezone, 'week');
  return { start, end: DateTime.fromJSDate(start, { zone: timezone }).plus({ weeks: CALENDAR_WEEKS }).toJSDate() };
}

export function dashboardCalendar(firings: readonly Firing[], window: { start: Date; end: Date }, now: Date, timezone: string, rules: CalendarRules, locale: Locale): DashboardCalendar {
  const label = (day: string): string => DateTime.fromISO(day, { zone: timezone }).setLocale(locale).toFormat(locale === 'zh-CN' ? 'M月d日 ccc' : 'ccc d LLL');
  const byDay = new Map<string, CalendarItem[]>();
  for (const f of firings) {
    if (f.at < window.start || f.at >= window.end) continue;
    const key = dayKey(f.at, timezone);
    const item: CalendarItem = {
      time: DateTime.fromJSDate(f.at, { zone: timezone }).toFormat('HH:mm'),
      kind: f.quizScheduleId !== undefined ? 'quiz' : f.lotteryId !== undefined ? 'lottery' : f.postId === null ? 'announcement' : 'post',
      id: f.quizScheduleId ?? f.lotteryId ?? f.postId,
      title: f.text,
      promo: f.promo,
      past: f.at.getTime() < now.getTime(),
    };
    byDay.set(key, [...(byDay.get(key) ?? []), item]);
  }
  const inWindow = firings.filter((f) => f.at >= window.start && f.at < window.end);
  const { promo, total } = share(inWindow);
  const last = new Date(window.end.getTime() - 1);
  return {
    from: dayKey(window.start, timezone),
    to: dayKey(last, timezone),
    dailyCap: rules.dailyCap,
    promoCapPercent: rules.promoMaxShare === null ? null : Math.round(rules.promoMaxShare * 100),
    promo,
    total,
    promoPercent: total === 0 ? 0 : Math.round((promo / total) * 100),
    days: [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, items]) => ({ day, label: label(day), count: items.length, over: rules.dailyCap !== null && items.length > rules.dailyCap, items })),
  };
}
