/** Levels (新手/进阶/专家/领袖 by default) by points earned; thresholds come from config. */
import type { Locale } from '../../core/i18n.js';

export interface LevelSpec {
  min: number;
  name: Record<Locale, string>;
  /** A perk: the Discord role a member is granted on reaching this level. */
  role?: string | undefined;
}

export interface Level {
  index: number;
  min: number;
  name: Record<Locale, string>;
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
  return { index, min: spec.min, name: spec.name, ...(next ? { next: { min: next.min, name: next.name } } : {}) };
}
