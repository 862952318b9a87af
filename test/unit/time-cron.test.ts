import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_INTERVAL_SECONDS, minIntervalSeconds, parseCron, type CronError, type CronSchedule } from '../../src/core/time/cron.js';

const NOW = new Date('2026-11-23T12:00:00Z'); // Monday 20:00 in Shanghai
const SH = 'Asia/Shanghai';
const NY = 'America/New_York';

function schedule(expr: string, tz = SH): CronSchedule {
  const r = parseCron(expr, tz);
  if (!r.ok) throw new Error(`${expr}: ${r.error.message}`);
  return r.cron;
}

function error(expr: string): CronError {
  const r = parseCron(expr, SH);
  if (r.ok) throw new Error(`${expr}: expected an error`);
  return r.error;
}

const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());

describe('parseCron: next runs in Asia/Shanghai', () => {
  it.each([
    ['0 20 * * 3', ['2026-11-25T12:00:00.000Z', '2026-12-02T12:00:00.000Z', '2026-12-09T12:00:00.000Z']], // Wednesdays 20:00 local
    ['0 20 * * WED', ['2026-11-25T12:00:00.000Z', '2026-12-02T12:00:00.000Z', '2026-12-09T12:00:00.000Z']],
    ['30 8 * * 1-5', ['2026-11-24T00:30:00.000Z', '2026-11-25T00:30:00.000Z', '2026-11-26T00:30:00.000Z']],
    ['0 9 * * mon-fri', ['2026-11-24T01:00:00.000Z', '2026-11-25T01:00:00.000Z', '2026-11-26T01:00:00.000Z']],
    ['0 0 1 * *', ['2026-11-30T16:00:00.000Z', '2026-12-31T16:00:00.000Z', '2027-01-31T16:00:00.000Z']],
    ['0 0 L * *', ['2026-11-29T16:00:00.000Z', '2026-12-30T16:00:00.000Z', '2027-01-30T16:00:00.000Z']],
    ['0 12 * * 5L', ['2026-11-27T04:00:00.000Z', '2026-12-25T04:00:00.000Z', '2027-01-29T04:00:00.000Z']],
    ['0 12 * * 0#1', ['2026-12-06T04:00:00.000Z', '2027-01-03T04:00:00.000Z', '2027-02-07T04:00:00.000Z']],
    ['0 12 * * 7', ['2026-11-29T04:00:00.000Z', '2026-12-06T04:00:00.000Z', '2026-12-13T04:00:00.000Z']],
    ['0 0 1 JAN,jul *', ['2026-12-31T16:00:00.000Z', '2027-06-30T16:00:00.000Z', '2027-12-31T16:00:00.000Z']],
    ['*/20 20 * * *', ['2026-11-23T12:20:00.000Z', '2026-11-23T12:40:00.000Z', '2026-11-24T12:00:00.000Z']],
    ['5/20 * * * *', ['2026-11-23T12:05:00.000Z', '2026-11-23T12:25:00.000Z', '2026-11-23T12:45:00.000Z']],
    ['0 0 29 2 *', ['2028-02-28T16:00:00.000Z', '2032-02-28T16:00:00.000Z', '2036-02-28T16:00:00.000Z']],
    ['0   20  * *   3', ['2026-11-25T12:00:00.000Z', '2026-12-02T12:00:00.000Z', '2026-12-09T12:00:00.000Z']],
    // 6 fields: seconds first
    ['*/15 * * * * *', ['2026-11-23T12:00:15.000Z', '2026-11-23T12:00:30.000Z', '2026-11-23T12:00:45.000Z']],
    ['30 0 21 * * *', ['2026-11-23T13:00:30.000Z', '2026-11-24T13:00:30.000Z', '2026-11-25T13:00:30.000Z']],
    ['0 0 20 * * 3', ['2026-11-25T12:00:00.000Z', '2026-12-02T12:00:00.000Z', '2026-12-09T12:00:00.000Z']],
    // aliases
    ['@daily', ['2026-11-23T16:00:00.000Z', '2026-11-24T16:00:00.000Z', '2026-11-25T16:00:00.000Z']],
    ['@WEEKLY', ['2026-11-28T16:00:00.000Z', '2026-12-05T16:00:00.000Z', '2026-12-12T16:00:00.000Z']],
  ])('%s', (expr, expected) => {
    const cron = schedule(expr);
    expect(iso(cron.nextN(NOW, 3))).toEqual(expected);
    expect(cron.next(NOW).toISOString()).toBe(expected[0]);
  });

  it('next is strictly after the given instant', () => {
    const cron = schedule('0 20 * * 3');
    expect(cron.next(new Date('2026-11-25T12:00:00Z')).toISOString()).toBe('2026-12-02T12:00:00.000Z');
    expect(cron.next(new Date('2026-11-25T11:59:59.999Z')).toISOString()).toBe('2026-11-25T12:00:00.000Z');
  });

  it('keeps the expression and timezone', () => {
    const cron = schedule('  0 20  * * 3 ');
    expect(cron.expression).toBe('0 20 * * 3');
    expect(cron.timezone).toBe(SH);
    expect(schedule('@Daily').expression).toBe('@daily');
  });

  it('nextN of zero is empty', () => {
    expect(schedule('0 20 * * 3').nextN(NOW, 0)).toEqual([]);
  });
});

describe('parseCron: DST in America/New_York', () => {
  it('a run in the spring-forward gap moves forward by the gap', () => {
    expect(iso(schedule('30 2 * * *', NY).nextN(new Date('2026-03-07T12:00:00Z'), 3))).toEqual([
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('a run in the repeated hour fires once, at the first occurrence', () => {
    expect(iso(schedule('30 1 * * *', NY).nextN(new Date('2026-10-31T12:00:00Z'), 3))).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-02T06:30:00.000Z', // 01:30 EST
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  it('hourly runs keep real one-hour spacing through fall-back', () => {
    expect(iso(schedule('0 * * * *', NY).nextN(new Date('2026-11-01T04:30:00Z'), 3))).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });
});

describe('parseCron: errors name the field', () => {
  it.each<[string, CronError['field'], string]>([
    ['61 * * * *', 'minute', '61'],
    ['* 25 * * *', 'hour', '25'],
    ['* * 32 * *', 'dayOfMonth', '32'],
    ['* * 0 * *', 'dayOfMonth', '0'],
    ['* * * 13 *', 'month', '13'],
    ['* * * 0 *', 'month', '0'],
    ['* * * * 8', 'dayOfWeek', '8'],
    ['60 * * * * *', 'second', '60'],
    ['0 61 * * * *', 'minute', '61'],
    ['0 0 0-24 * * *', 'hour', '0-24'],
    ['1,2,75 * * * *', 'minute', '1,2,75'],
    ['1,,2 * * * *', 'minute', '1,,2'],
    ['*/0 * * * *', 'minute', '*/0'],
    ['*/90 * * * *', 'minute', '*/90'],
    ['*/x * * * *', 'minute', '*/x'],
    ['5-1 * * * *', 'minute', '5-1'],
    ['H * * * *', 'minute', 'H'],
    ['abc * * * *', 'minute', 'abc'],
    ['0 0 * FOO *', 'month', 'FOO'],
    ['0 0 * * FUN', 'dayOfWeek', 'FUN'],
    ['0 0 * * 1#6', 'dayOfWeek', '1#6'],
    ['0 0 * * 1#2,3', 'dayOfWeek', '1#2,3'],
    ['0 0 * * L', 'dayOfWeek', 'L'],
    ['0 0 L-2 * *', 'dayOfMonth', 'L-2'],
    ['0 0 30 2 *', 'dayOfMonth', '30'],
    ['0 0 31 4,6 *', 'dayOfMonth', '31'],
    ['* * * *', 'expression', '* * * *'],
    ['0 0 0 * * * 2026', 'expression', '0 0 0 * * * 2026'],
    ['', 'expression', ''],
    ['   ', 'expression', ''],
    ['@fortnightly', 'expression', '@fortnightly'],
  ])('%j → %s', (expr, field, value) => {
    const e = error(expr);
    expect(e.field).toBe(field);
    expect(e.value).toBe(value);
    if (field !== 'expression') expect(e.message).toContain(`${field}: "${value}"`);
  });

  it('says what is wrong', () => {
    expect(error('* 25 * * *').message).toBe('hour: "25" (25 is outside 0-23)');
    expect(error('0 0 30 2 *').message).toBe('dayOfMonth: "30" (day 30 never occurs in February)');
    expect(error('* * * *').message).toMatch(/expected 5 fields .* or 6 .*, got 4/);
  });

  it('an unreachable day of month is fine when the day of week is restricted (OR: any Monday in February)', () => {
    expect(schedule('0 12 30 2 1').next(NOW).toISOString()).toBe('2027-02-01T04:00:00.000Z'); // Monday 1 February
  });

  it('throws on an invalid timezone', () => {
    expect(() => parseCron('0 20 * * 3', 'Mars/Olympus')).toThrow(/invalid timezone/);
  });
});

describe('minIntervalSeconds', () => {
  it.each([
    ['0 20 * * 3', 7 * 86_400],
    ['0 9,18 * * *', 9 * 3_600],
    ['*/5 * * * *', 300],
    ['* * * * *', 60],
    ['*/10 * * * * *', 10],
    ['* * * * * *', 1],
    ['@daily', 86_400],
    ['0,30 * 9 * * *', 30], // a burst inside one hour a day
  ])('%s → %i s', (expr, seconds) => {
    expect(minIntervalSeconds(schedule(expr), NOW)).toBe(seconds);
  });

  it('lets the caller refuse patterns firing more than once a minute', () => {
    expect(minIntervalSeconds(schedule('* * * * *'), NOW) >= DEFAULT_MIN_INTERVAL_SECONDS).toBe(true);
    expect(minIntervalSeconds(schedule('*/30 * * * * *'), NOW) >= DEFAULT_MIN_INTERVAL_SECONDS).toBe(false);
  });
});
