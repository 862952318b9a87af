/**
 * Prize claims, the pure part: the claim window a lottery is given
 * (`claim=48h`), when a winner is reminded, and what `/lottery status` says
 * of each winner's prize. No I/O; the service does the rest.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The longest claim window `claim=` accepts. */
export const MAX_CLAIM_MS = 365 * DAY;

const UNITS: Record<string, number> = { m: MINUTE, min: MINUTE, 分钟: MINUTE, h: HOUR, 小时: HOUR, d: DAY, 天: DAY };

/**
 * `claim=` as milliseconds: `90m`, `48h`, `2d` (also 分钟, 小时, 天); `0` or
 * `none` (不限): no deadline (null). Undefined when it cannot be read or is
 * longer than a year.
 */
export function parseClaimWindow(raw: string): number | null | undefined {
  const text = raw.trim().toLowerCase();
  if (text === '0' || text === 'none' || text === '不限') return null;
  const match = /^(\d{1,6})\s*(min|m|h|d|分钟|小时|天)$/u.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2] ?? ''] ?? 0);
  return ms > 0 && ms <= MAX_CLAIM_MS ? ms : undefined;
}

/**
 * When an unclaimed winner is reminded: 24 h before the deadline, or at half
 * the window when the window is shorter than 48 h.
 */
export function reminderAt(deadline: number, windowMs: number): number {
  return deadline - Math.min(DAY, Math.floor(windowMs / 2));
}

export type ClaimStatus = 'pending' | 'claimed' | 'expired' | 'rerolled';
export type OrderStatus = 'reserved' | 'pending' | 'fulfilled' | 'delivered' | 'refunded' | 'cancelled';

/** What `/lottery status` says of one winner's prize. */
export type PrizeState = 'delivered' | 'pending' | 'expired' | 'rerolled';

/**
 * A winner's prize as members see it. Points (no order) are delivered at the
 * draw. An item prize is delivered once its code is the winner's or an admin
 * fulfilled it (even before the winner claimed); a claimed prize whose goods
 * or code are still to come is pending, like an unclaimed one.
 */
export function prizeState(claim: ClaimStatus, order: OrderStatus | null): PrizeState {
  if (claim === 'expired' || claim === 'rerolled') return claim;
  if (order === 'delivered' || order === 'fulfilled') return 'delivered';
  if (order === null) return claim === 'claimed' ? 'delivered' : 'pending';
  return 'pending';
}
