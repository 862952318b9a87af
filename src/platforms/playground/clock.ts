/**
 * The bot clock with the playground's offset (+1 day, +1 h) kept in the
 * database: restored at every start on the same file, so the bot's time
 * never falls back behind ledger rows and check-ins it already dated.
 */
import { AdjustableClock, systemClock, type Clock } from '../../core/clock.js';
import { createSettingsRepo } from '../../core/settings/repo.js';
import type { Store } from '../../store/db.js';

const OFFSET_KEY = 'playground.clockOffsetMs';

export async function savedOffsetClock(store: Store, base: Clock = systemClock): Promise<AdjustableClock> {
  const settings = createSettingsRepo(store.sql);
  const saved = await settings.get(OFFSET_KEY);
  return new AdjustableClock(base, {
    offsetMs: typeof saved === 'number' && Number.isSafeInteger(saved) && saved > 0 ? saved : 0,
    onAdvance: async (offsetMs) => {
      await store.unit(() => settings.set(OFFSET_KEY, offsetMs, base.now()));
    },
  });
}
