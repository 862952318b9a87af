import { describe, expect, it } from 'vitest';
import { formatLocal, MAX_AHEAD_DAYS, parseWhen, type WhenError } from '../../src/core/time/when.js';

const NOW = new Date('2026-11-23T12:00:00Z'); // Monday; 20:00 in Shanghai, 07:00 EST in New York
const SH = 'Asia/Shanghai';
const NY = 'America/New_York';

function at(input: string, now: Date, tz: string): string {
  const r = parseWhen(input, now, tz);
  if (!r.ok) throw new Error(`${input}: ${JSON.stringify(r.error)}`);
  return r.at.toISOString();
}

function error(input: string, now: Date, tz: string): WhenError {
  const r = parseWhen(input, now, tz);
  if (r.ok) throw new Error(`${input}: expected an error, got ${r.at.toISOString()}`);
  return r.error;
}

describe('parseWhen: accepted forms in Asia/Shanghai (UTC+8)', () => {
  it.each([
    // date and time
    ['2026-12-01T20:00', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01 20:00', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01 20:00:30', '2026-12-01T12:00:30.000Z'],
    ['2026-12-01t20:00', '2026-12-01T12:00:00.000Z'],
    ['2026/12/1 20:00', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01T20:00:00+08:00', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01T20:00:00Z', '2026-12-01T20:00:00.000Z'],
    ['2026-12-01T20:00:00.250Z', '2026-12-01T20:00:00.250Z'],
    ['2026-12-01T20:00+0530', '2026-12-01T14:30:00.000Z'],
    ['2026-12-01 20:00 -05', '2026-12-02T01:00:00.000Z'],
    ['2026-12-01 20:00 (Asia/Shanghai)', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01 20:00 (America/New_York)', '2026-12-02T01:00:00.000Z'],
    ['２０２６－１２－０１　２０：００', '2026-12-01T12:00:00.000Z'],
    // wall time: today if still ahead, else tomorrow
    ['21:30', '2026-11-23T13:30:00.000Z'],
    ['21:30:15', '2026-11-23T13:30:15.000Z'],
    ['２１：３０', '2026-11-23T13:30:00.000Z'],
    ['19:00', '2026-11-24T11:00:00.000Z'],
    ['20:00', '2026-11-24T12:00:00.000Z'], // exactly now: not ahead, so tomorrow
    ['9:00', '2026-11-24T01:00:00.000Z'],
    ['9点30分', '2026-11-24T01:30:00.000Z'],
    ['22点', '2026-11-23T14:00:00.000Z'],
    // day words
    ['today 21:30', '2026-11-23T13:30:00.000Z'],
    ['Today 21:30', '2026-11-23T13:30:00.000Z'],
    ['tomorrow 21:30', '2026-11-24T13:30:00.000Z'],
    ['TOMORROW 8:05', '2026-11-24T00:05:00.000Z'],
    ['今天 21:30', '2026-11-23T13:30:00.000Z'],
    ['明天 21:30', '2026-11-24T13:30:00.000Z'],
    ['明天21:30', '2026-11-24T13:30:00.000Z'],
    ['明天９点', '2026-11-24T01:00:00.000Z'],
    ['明天9点半', '2026-11-24T01:30:00.000Z'],
    ['后天 9:00', '2026-11-25T01:00:00.000Z'],
    // relative
    ['+90s', '2026-11-23T12:01:30.000Z'],
    ['+10m', '2026-11-23T12:10:00.000Z'],
    ['+10min', '2026-11-23T12:10:00.000Z'],
    ['+2h', '2026-11-23T14:00:00.000Z'],
    ['+1d', '2026-11-24T12:00:00.000Z'],
    ['+1h30m', '2026-11-23T13:30:00.000Z'],
    ['+1H30M', '2026-11-23T13:30:00.000Z'],
    ['+ 1h 30m', '2026-11-23T13:30:00.000Z'],
    ['+1d2h30m15s', '2026-11-24T14:30:15.000Z'],
    ['＋５ｍ', '2026-11-23T12:05:00.000Z'],
    ['30秒后', '2026-11-23T12:00:30.000Z'],
    ['10分钟后', '2026-11-23T12:10:00.000Z'],
    ['10 分钟后', '2026-11-23T12:10:00.000Z'],
    ['2小时后', '2026-11-23T14:00:00.000Z'],
    ['2个小时以后', '2026-11-23T14:00:00.000Z'],
    ['1天后', '2026-11-24T12:00:00.000Z'],
    ['1小时30分钟后', '2026-11-23T13:30:00.000Z'],
    // the window's far edge is inclusive
    [`+${MAX_AHEAD_DAYS}d`, '2027-11-24T12:00:00.000Z'],
    ['2027-11-24 20:00', '2027-11-24T12:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(at(input, NOW, SH)).toBe(expected);
  });
});

describe('parseWhen: refusals', () => {
  it.each<[string, WhenError]>([
    ['', { kind: 'unrecognized', input: '' }],
    ['   ', { kind: 'unrecognized', input: '' }],
    ['+abc', { kind: 'unrecognized', input: '+abc' }],
    ['+', { kind: 'unrecognized', input: '+' }],
    ['+1h1h', { kind: 'unrecognized', input: '+1h1h' }],
    ['+30m1h', { kind: 'unrecognized', input: '+30m1h' }],
    ['next week', { kind: 'unrecognized', input: 'next week' }],
    ['21:3', { kind: 'unrecognized', input: '21:3' }],
    ['下午3点', { kind: 'unrecognized', input: '下午3点' }],
    ['2026-12-01 20:00 (Mars/Olympus)', { kind: 'unrecognized', input: '2026-12-01 20:00 (Mars/Olympus)' }],
    ['25:00', { kind: 'outOfRange', input: '25:00', field: 'hour', value: '25' }],
    ['24:00', { kind: 'outOfRange', input: '24:00', field: 'hour', value: '24' }],
    ['21:60', { kind: 'outOfRange', input: '21:60', field: 'minute', value: '60' }],
    ['21:30:60', { kind: 'outOfRange', input: '21:30:60', field: 'second', value: '60' }],
    ['明天 25:00', { kind: 'outOfRange', input: '明天 25:00', field: 'hour', value: '25' }],
    ['2026-13-01T00:00', { kind: 'outOfRange', input: '2026-13-01T00:00', field: 'month', value: '13' }],
    ['2026-00-01T00:00', { kind: 'outOfRange', input: '2026-00-01T00:00', field: 'month', value: '00' }],
    ['2027-02-29 10:00', { kind: 'outOfRange', input: '2027-02-29 10:00', field: 'day', value: '29' }],
    ['2026-11-31 10:00', { kind: 'outOfRange', input: '2026-11-31 10:00', field: 'day', value: '31' }],
    ['2026-12-01T20:00+25:00', { kind: 'outOfRange', input: '2026-12-01T20:00+25:00', field: 'offset', value: '+25:00' }],
    ['2026-12-01', { kind: 'missingTime', input: '2026-12-01', date: '2026-12-01' }],
    ['明天', { kind: 'missingTime', input: '明天', date: '2026-11-24' }],
    ['tomorrow', { kind: 'missingTime', input: 'tomorrow', date: '2026-11-24' }],
    ['+0m', { kind: 'past', at: NOW }],
    ['+0s', { kind: 'past', at: NOW }],
    ['0分钟后', { kind: 'past', at: NOW }],
    ['today 19:00', { kind: 'past', at: new Date('2026-11-23T11:00:00Z') }],
    ['今天 20:00', { kind: 'past', at: NOW }],
    ['2026-11-23 19:59', { kind: 'past', at: new Date('2026-11-23T11:59:00Z') }],
    ['2025-12-01 20:00', { kind: 'past', at: new Date('2025-12-01T12:00:00Z') }],
    ['2026-11-23T12:00:00Z', { kind: 'past', at: NOW }],
    [`+${MAX_AHEAD_DAYS + 1}d`, { kind: 'tooFar', max: new Date('2027-11-24T12:00:00Z'), maxDays: 366 }],
    ['+8785h', { kind: 'tooFar', max: new Date('2027-11-24T12:00:00Z'), maxDays: 366 }],
    ['+99999999999999999999d', { kind: 'tooFar', max: new Date('2027-11-24T12:00:00Z'), maxDays: 366 }],
    ['2027-11-24 20:01', { kind: 'tooFar', max: new Date('2027-11-24T12:00:00Z'), maxDays: 366 }],
  ])('%j → %j', (input, expected) => {
    expect(error(input, NOW, SH)).toEqual(expected);
  });

  it('quotes the input as typed (trimmed), not normalized', () => {
    expect(error('  ２５：００ ', NOW, SH)).toEqual({ kind: 'outOfRange', input: '２５：００', field: 'hour', value: '25' });
  });

  it('throws on an invalid community timezone', () => {
    expect(() => parseWhen('21:30', NOW, 'Mars/Olympus')).toThrow(/invalid timezone/);
  });
});

describe('parseWhen: America/New_York', () => {
  it.each([
    ['21:30', '2026-11-24T02:30:00.000Z'], // today, EST
    ['06:00', '2026-11-24T11:00:00.000Z'], // 07:00 local now: tomorrow
    ['2026-12-01T20:00', '2026-12-02T01:00:00.000Z'],
    ['2027-07-01 20:00', '2027-07-02T00:00:00.000Z'], // EDT in summer
    ['明天 9:00', '2026-11-24T14:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(at(input, NOW, NY)).toBe(expected);
  });

  describe('spring forward (2026-03-08, 02:00 EST → 03:00 EDT)', () => {
    const now = new Date('2026-03-07T17:00:00Z'); // Sat 12:00 EST
    it.each([
      ['tomorrow 01:30', '2026-03-08T06:30:00.000Z'], // EST
      ['tomorrow 02:30', '2026-03-08T07:30:00.000Z'], // does not exist: moved forward by the gap to 03:30 EDT
      ['2026-03-08 02:00', '2026-03-08T07:00:00.000Z'], // = 03:00 EDT
      ['tomorrow 03:30', '2026-03-08T07:30:00.000Z'], // EDT
      ['2026-03-08 02:30', '2026-03-08T07:30:00.000Z'],
      ['+1d', '2026-03-08T16:00:00.000Z'], // 12:00 EDT: same wall time, 23 h later
      ['+24h', '2026-03-08T17:00:00.000Z'], // exact elapsed time: 13:00 EDT
      ['1天后', '2026-03-08T16:00:00.000Z'],
    ])('%s → %s', (input, expected) => {
      expect(at(input, now, NY)).toBe(expected);
    });
  });

  describe('fall back (2026-11-01, 02:00 EDT → 01:00 EST)', () => {
    const now = new Date('2026-10-31T16:00:00Z'); // Sat 12:00 EDT
    it.each([
      ['tomorrow 00:30', '2026-11-01T04:30:00.000Z'], // EDT
      ['tomorrow 01:30', '2026-11-01T05:30:00.000Z'], // ambiguous: the first occurrence, EDT
      ['2026-11-01 01:30', '2026-11-01T05:30:00.000Z'],
      ['2026-11-01T01:30-05:00', '2026-11-01T06:30:00.000Z'], // the second one, by explicit offset
      ['tomorrow 02:30', '2026-11-01T07:30:00.000Z'], // EST
      ['+1d', '2026-11-01T17:00:00.000Z'], // 12:00 EST: same wall time, 25 h later
      ['+24h', '2026-11-01T16:00:00.000Z'], // 11:00 EST
    ])('%s → %s', (input, expected) => {
      expect(at(input, now, NY)).toBe(expected);
    });

    it('a bare wall time rolls over across the change', () => {
      // At 01:45 EST (the second 01:45), "01:30" today is gone in both occurrences.
      expect(at('01:30', new Date('2026-11-01T06:45:00Z'), NY)).toBe('2026-11-02T06:30:00.000Z');
    });
  });
});

describe('formatLocal', () => {
  it.each([
    ['2026-12-01T12:00:00Z', SH, '2026-12-01 20:00 (Asia/Shanghai)'],
    ['2026-11-23T13:30:15Z', SH, '2026-11-23 21:30:15 (Asia/Shanghai)'],
    ['2026-12-31T16:00:00Z', SH, '2027-01-01 00:00 (Asia/Shanghai)'],
    ['2026-12-02T01:00:00Z', NY, '2026-12-01 20:00 (America/New_York)'],
    ['2026-03-08T07:30:00Z', NY, '2026-03-08 03:30 (America/New_York)'],
    // the repeated hour carries its offset
    ['2026-11-01T05:30:00Z', NY, '2026-11-01 01:30 (America/New_York, UTC-04:00)'],
    ['2026-11-01T06:30:00Z', NY, '2026-11-01 01:30 (America/New_York, UTC-05:00)'],
  ])('%s in %s → %s', (iso, tz, expected) => {
    const date = new Date(iso);
    expect(formatLocal(date, tz)).toBe(expected);
  });

  it.each([
    ['2026-12-01T12:00:00Z', SH],
    ['2026-11-23T13:30:15Z', SH],
    ['2026-11-01T05:30:00Z', NY],
    ['2026-11-01T06:30:00Z', NY],
    ['2027-03-14T07:00:00Z', NY],
  ])('parseWhen reads formatLocal(%s, %s) back', (iso, tz) => {
    const now = new Date('2026-10-01T00:00:00Z');
    const text = formatLocal(new Date(iso), tz);
    expect(at(text, now, SH)).toBe(new Date(iso).toISOString());
    expect(at(text, now, NY)).toBe(new Date(iso).toISOString());
  });

  it('throws on an invalid timezone', () => {
    expect(() => formatLocal(NOW, 'Nowhere/Land')).toThrow(/invalid timezone/);
  });
});
