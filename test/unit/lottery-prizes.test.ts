import { describe, expect, it } from 'vitest';
import { MAX_CLAIM_MS, parseClaimWindow, prizeState, reminderAt } from '../../src/features/lottery/prizes.js';

const HOUR = 3_600_000;

describe('lottery prize rules', () => {
  it('reads claim windows in minutes, hours and days (English and Chinese units); 0 or none is no deadline', () => {
    expect(parseClaimWindow('48h')).toBe(48 * HOUR);
    expect(parseClaimWindow('2d')).toBe(48 * HOUR);
    expect(parseClaimWindow('90m')).toBe(90 * 60_000);
    expect(parseClaimWindow('90min')).toBe(90 * 60_000);
    expect(parseClaimWindow('48小时')).toBe(48 * HOUR);
    expect(parseClaimWindow('3天')).toBe(72 * HOUR);
    expect(parseClaimWindow('30分钟')).toBe(30 * 60_000);
    expect(parseClaimWindow(' 12H ')).toBe(12 * HOUR);
    expect(parseClaimWindow('0')).toBeNull();
    expect(parseClaimWindow('none')).toBeNull();
    expect(parseClaimWindow('不限')).toBeNull();
  });

  it('refuses what it cannot read, zero lengths and more than a year', () => {
    for (const bad of ['', 'soon', '48', 'h', '1.5h', '-2h', '0h', '366d', '2w']) expect(parseClaimWindow(bad), bad).toBeUndefined();
    expect(parseClaimWindow('365d')).toBe(MAX_CLAIM_MS);
  });

  it('reminds 24 h before the deadline, or at half a window shorter than 48 h', () => {
    const deadline = 1_000 * HOUR;
    expect(reminderAt(deadline, 48 * HOUR)).toBe(deadline - 24 * HOUR);
    expect(reminderAt(deadline, 7 * 24 * HOUR)).toBe(deadline - 24 * HOUR);
    expect(reminderAt(deadline, 2 * HOUR)).toBe(deadline - HOUR);
  });

  it('says delivered, pending, expired or rerolled for each winner', () => {
    expect(prizeState('claimed', null)).toBe('delivered'); // points, paid at the draw
    expect(prizeState('pending', 'reserved')).toBe('pending');
    expect(prizeState('claimed', 'pending')).toBe('pending'); // goods in the queue, or a code still to come
    expect(prizeState('claimed', 'delivered')).toBe('delivered');
    expect(prizeState('pending', 'fulfilled')).toBe('delivered'); // an admin fulfilled before the claim
    expect(prizeState('expired', 'cancelled')).toBe('expired');
    expect(prizeState('rerolled', 'cancelled')).toBe('rerolled');
  });
});
