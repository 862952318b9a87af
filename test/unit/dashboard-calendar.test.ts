import { describe, expect, it } from 'vitest';
import { calendarWindow, dashboardCalendar } from '../../src/features/dashboard/calendar.js';
import type { Firing } from '../../src/features/schedule/calendar.js';

const TZ = 'Asia/Shanghai';
const rules = { dailyCap: 2, promoMaxShare: 0.3, promoMaxConsecutiveDays: 2 };
const at = (iso: string): Date => new Date(iso);
const post = (iso: string, extra: Partial<Firing> = {}): Firing => ({ at: at(iso), promo: false, postId: 1, text: 'post', ...extra });

describe('the dashboard content calendar', () => {
  // Wednesday 2026-11-25 10:00 in Shanghai.
  const now = at('2026-11-25T02:00:00Z');
  const window = calendarWindow(now, TZ);

  it('covers this community week and the next, from Monday 00:00 local', () => {
    expect(window.start.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(window.end.toISOString()).toBe('2026-12-06T16:00:00.000Z');
  });

  it('groups by local day, marks days over the cap, what already posted, each kind, and the promo share', () => {
    const firings: Firing[] = [
      post('2026-11-22T15:59:00Z'), // Sunday 23:59 local: the week before, left out
      post('2026-11-22T16:00:00Z', { text: 'midnight' }), // Monday 00:00 local
      post('2026-11-25T01:00:00Z', { postId: null, text: 'announce' }),
      post('2026-11-25T03:00:00Z', { postId: null, text: 'quiz', quizScheduleId: 4 }),
      post('2026-11-25T12:00:00Z', { postId: 2, text: 'sale', promo: true }),
      post('2026-12-01T12:00:00Z', { postId: null, text: 'prize', lotteryId: 9 }),
      post('2026-12-06T16:00:00Z'), // the Monday after next: left out
    ];
    const view = dashboardCalendar(firings, window, now, TZ, rules, 'zh-CN');
    expect(view.from).toBe('2026-11-23');
    expect(view.to).toBe('2026-12-06');
    expect(view.days.map((d) => [d.day, d.label, d.count, d.over])).toEqual([
      ['2026-11-23', '11月23日 周一', 1, false],
      ['2026-11-25', '11月25日 周三', 3, true],
      ['2026-12-01', '12月1日 周二', 1, false],
    ]);
    expect(view.days[1]?.items).toEqual([
      { time: '09:00', kind: 'announcement', id: null, title: 'announce', promo: false, past: true },
      { time: '11:00', kind: 'quiz', id: 4, title: 'quiz', promo: false, past: false },
      { time: '20:00', kind: 'post', id: 2, title: 'sale', promo: true, past: false },
    ]);
    expect(view.days[2]?.items[0]?.kind).toBe('lottery');
    expect({ promo: view.promo, total: view.total, promoPercent: view.promoPercent, cap: view.promoCapPercent, dailyCap: view.dailyCap }).toEqual({ promo: 1, total: 5, promoPercent: 20, cap: 30, dailyCap: 2 });
  });

  it('with no caps and no posts', () => {
    const view = dashboardCalendar([], window, now, TZ, { dailyCap: null, promoMaxShare: null, promoMaxConsecutiveDays: null }, 'en');
    expect(view).toMatchObject({ days: [], promo: 0, total: 0, promoPercent: 0, dailyCap: null, promoCapPercent: null });
    const one = dashboardCalendar([post('2026-11-24T04:00:00Z')], window, now, TZ, { dailyCap: null, promoMaxShare: null, promoMaxConsecutiveDays: null }, 'en');
    expect(one.days[0]).toMatchObject({ label: 'Tue 24 Nov', count: 1, over: false });
  });
});
