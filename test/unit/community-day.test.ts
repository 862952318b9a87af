import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addDays, communityDay, daysBetween, monthKey, weekKey } from '../../src/core/community-day.js';

const shanghai = { timezone: 'Asia/Shanghai', dayStartHour: 0 };

describe('community days', () => {
  it('Asia/Shanghai midnight falls at 16:00 UTC the previous calendar day', () => {
    expect(communityDay(new Date('2026-11-23T15:59:59Z'), shanghai)).toBe('2026-11-23');
    expect(communityDay(new Date('2026-11-23T16:00:00Z'), shanghai)).toBe('2026-11-24');
  });

  it('a day-start hour of 4 keeps 03:59 local time in the previous day', () => {
    const rules = { timezone: 'Asia/Shanghai', dayStartHour: 4 };
    expect(communityDay(new Date('2026-11-23T19:59:00Z'), rules)).toBe('2026-11-23'); // 03:59 on the 24th local
    expect(communityDay(new Date('2026-11-23T20:00:00Z'), rules)).toBe('2026-11-24'); // 04:00 local
  });

  it('DST changes in America/New_York do not shift days', () => {
    const ny = { timezone: 'America/New_York', dayStartHour: 0 };
    // Spring forward on 2026-03-08: 23:30 local on the 7th is 04:30Z on the 8th (EST, UTC-5).
    expect(communityDay(new Date('2026-03-08T04:30:00Z'), ny)).toBe('2026-03-07');
    // 00:30 on the 9th local is 04:30Z (EDT, UTC-4).
    expect(communityDay(new Date('2026-03-09T04:30:00Z'), ny)).toBe('2026-03-09');
    // Fall back on 2026-11-01: 23:59 local on Nov 1 is 04:59Z on Nov 2 (EST).
    expect(communityDay(new Date('2026-11-02T04:59:00Z'), ny)).toBe('2026-11-01');
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2);
    expect(daysBetween('2026-10-31', '2026-11-02')).toBe(2);
  });

  it('DST and a day-start hour together', () => {
    const ny = { timezone: 'America/New_York', dayStartHour: 3 };
    // 02:59 local on Nov 1 (EST, after the repeated hour) is before the 03:00 day start: still Oct 31.
    expect(communityDay(new Date('2026-11-01T07:59:00Z'), ny)).toBe('2026-10-31');
    expect(communityDay(new Date('2026-11-01T08:00:00Z'), ny)).toBe('2026-11-01');
  });

  it('week keys start on Monday and month keys are the calendar month', () => {
    expect(weekKey('2026-11-23')).toBe('2026-W48'); // a Monday
    expect(weekKey('2026-11-29')).toBe('2026-W48'); // the Sunday after
    expect(weekKey('2026-11-30')).toBe('2026-W49');
    expect(weekKey('2027-01-01')).toBe('2026-W53');
    expect(monthKey('2026-11-30')).toBe('2026-11');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('an unknown timezone throws', () => {
    expect(() => communityDay(new Date(), { timezone: 'Mars/Olympus', dayStartHour: 0 })).toThrow(/invalid timezone/);
  });

  it('the cached day agrees with a direct computation across DST changes and day starts', () => {
    const direct = (at: Date, timezone: string, dayStartHour: number): string => {
      const local = DateTime.fromJSDate(at, { zone: timezone });
      return (local.hour < dayStartHour ? local.minus({ days: 1 }) : local).toISODate() as string;
    };
    for (const timezone of ['America/New_York', 'Europe/Berlin', 'Asia/Shanghai']) {
      for (const dayStartHour of [0, 2, 3, 23]) {
        // Every 7 minutes through both 2026 DST changes in the US and the EU.
        for (const [from, to] of [['2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'], ['2026-10-24T00:00:00Z', '2026-11-03T00:00:00Z']] as const) {
          for (let t = Date.parse(from); t < Date.parse(to); t += 7 * 60_000) {
            const at = new Date(t);
            expect(communityDay(at, { timezone, dayStartHour }), `${timezone} ${dayStartHour} ${at.toISOString()}`).toBe(direct(at, timezone, dayStartHour));
          }
        }
      }
    }
  });
});
