/** Levels (新手/进阶/专家/领袖 by default) by points earned; thresholds and perks come from config. */
import type { Locale } from '../../core/i18n.js';

export interface LevelSpec {
  min: number;
  name: Record<Locale, string>;
  /** A perk: the Discord role a member is granted on reaching this level. */
  role?: string | undefined;
  /** A perk: a short text or emoji shown beside the member in /points and on the leaderboard. */
  badge?: string | undefined;
  /** A perk: percent off shop prices for members at this level or above (the best applicable level wins). */
  shopDiscount?: number | undefined;
}

export interface Level {
  index: number;
  min: number;
  name: Record<Locale, string>;
  /** The badge of this level, or of the highest level below it that has one. */
  badge?: string;
  /** Percent off shop prices: the largest `shopDiscount` of this level and those below it (0: none). */
  shopDiscount: number;
  /** The next level's threshold, if any. */
  next?: { min: number; name: Record<Locale, string> };
}

/** Levels must be sorted by `min` ascending with the first at 0 (the config schema checks it). */
export function levelFor(earned: number, levels: readonly LevelSpec[]): Level {
  let index = 0;
  for (let i = 0; i < levels.length; i++) {
    if (earned >= (levels[i] as LevelSpec).min) index = i;
  }
  const spec = levels[index] as LevelSpec;
  const next = levels[index + 1];
  let badge: string | undefined;
  let shopDiscount = 0;
  for (const held of levels.slice(0, index + 1)) {
    if (held.badge !== undefined) badge = held.badge;
    shopDiscount = Math.max(shopDiscount, held.shopDiscount ?? 0);
  }
  return { index, min: spec.min, name: spec.name, ...(badge !== undefined ? { badge } : {}), shopDiscount, ...(next ? { next: { min: next.min, name: next.name } } : {}) };
}

/**
 * A shop price after a level's discount, rounded down to a whole point: the
 * member never pays more than the percent says (10% off 95 is 85, not 86).
 */
export function discountedPrice(price: number, percent: number): number {
  if (percent <= 0) return price;
  return Math.floor((price * (100 - Math.min(percent, 100))) / 100);
}

/**
 * The roles a member loses when their level drops from `from` to `to`
 * (`points.levelRoles.removeWhenBelow`): those of the levels no longer held,
 * except a role a level still held carries too.
 */
export function rolesLost(levels: readonly LevelSpec[], from: number, to: number): string[] {
  if (to >= from) return [];
  const kept = new Set(levels.slice(0, to + 1).flatMap((l) => (l.role === undefined ? [] : [l.role])));
  const lost = levels.slice(to + 1, from + 1).flatMap((l) => (l.role === undefined || kept.has(l.role) ? [] : [l.role]));
  return [...new Set(lost)];
}
