import { describe, expect, it } from 'vitest';
import { dueReminder, formatReminders, parseReminders, storedReminders } from '../../src/core/reminders.js';

const H = 3_600_000;

describe('remind= offsets (提前预热、多轮提醒)', () => {
  it('reads <n>d|h|m, comma-separated, largest first', () => {
    const parsed = parseReminders('1h, 3d,30m,1d', 10 * 24 * H);
    expect(parsed.ok && formatReminders(parsed.offsets)).toBe('3d,1d,1h,30m');
    expect(parsed.ok && parsed.offsets.map((o) => o.ms)).toEqual([72 * H, 24 * H, H, 30 * 60_000]);
  });

  it.each([
    ['', { error: 'format', part: '' }],
    ['1', { error: 'format', part: '1' }],
    ['0d', { error: 'format', part: '0d' }],
    ['01d', { error: 'format', part: '01d' }],
    ['1D', { error: 'format', part: '1D' }],
    ['-1h', { error: 'format', part: '-1h' }],
    ['1天', { error: 'format', part: '1天' }],
    ['1d;2h', { error: 'format', part: '1d;2h' }],
    ['1m,2m,3m,4m,5m,6m', { error: 'tooMany', max: 5 }],
    ['1h,60m', { error: 'duplicate', part: '60m' }],
    ['2h', { error: 'tooLate', part: '2h' }],
  ])('refuses %j', (raw, refusal) => {
    expect(parseReminders(raw, 2 * H)).toEqual({ ok: false, ...refusal });
  });

  it('an offset must be shorter than the time to the draw', () => {
    expect(parseReminders('2h', 2 * H + 1).ok).toBe(true);
    expect(parseReminders('2h', 2 * H).ok).toBe(false);
  });

  it('the stored form reads back without a lead limit; nothing stored is no reminders', () => {
    expect(storedReminders('3d,1h').map((o) => o.ms)).toEqual([72 * H, H]);
    expect(storedReminders(null)).toEqual([]);
  });

  it('the due reminder is the latest whose time has come, after the last handled, before the draw', () => {
    const offsets = storedReminders('3d,1d,1h');
    const ends = 100 * H;
    expect(dueReminder(offsets, ends, ends - 72 * H - 1, null)).toBeUndefined();
    expect(dueReminder(offsets, ends, ends - 72 * H, null)?.ms).toBe(72 * H);
    expect(dueReminder(offsets, ends, ends - 72 * H, 72 * H)).toBeUndefined();
    // Late: the 3d and 1d times have both passed; only 1d is posted, and 3d never after it.
    expect(dueReminder(offsets, ends, ends - 2 * H, null)?.ms).toBe(24 * H);
    expect(dueReminder(offsets, ends, ends - 2 * H, 24 * H)).toBeUndefined();
    expect(dueReminder(offsets, ends, ends, null)).toBeUndefined();
  });
});
