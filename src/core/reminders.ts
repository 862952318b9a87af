/**
 * Warm-up reminders (提前预热、多轮提醒), the pure part shared by lotteries
 * (before the draw) and scheduled quizzes (before each opening):
 * `remind=3d,1d,1h` read strictly, which reminder is due at a given time,
 * and when the next ones fall. No I/O; each feature posts its own.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The most reminders one lottery (or quiz schedule) may have. */
export const MAX_REMINDERS = 5;

export type OffsetUnit = 'd' | 'h' | 'm';

/** One reminder: `n` units before the draw. */
export interface RemindOffset {
  n: number;
  unit: OffsetUnit;
  ms: number;
}

const UNIT_MS: Record<OffsetUnit, number> = { d: DAY, h: HOUR, m: MINUTE };

/** Why a `remind=` value is refused (the command names it in the refusal). */
export type RemindError = { error: 'format'; part: string } | { error: 'tooMany'; max: number } | { error: 'duplicate'; part: string } | { error: 'tooLate'; part: string };

/**
 * `3d,1d,1h` → offsets, largest first. Each part is `<n>d|h|m` with n ≥ 1,
 * at most MAX_REMINDERS, no two equal, each shorter than `lead` (the time
 * from now to the draw).
 */
export function parseReminders(raw: string, lead: number): { ok: true; offsets: RemindOffset[] } | ({ ok: false } & RemindError) {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > MAX_REMINDERS) return { ok: false, error: 'tooMany', max: MAX_REMINDERS };
  const offsets: RemindOffset[] = [];
  for (const part of parts) {
    const match = /^([1-9]\d{0,4})([dhm])$/.exec(part);
    if (!match) return { ok: false, error: 'format', part };
    const unit = match[2] as OffsetUnit;
    const n = Number(match[1]);
    const offset = { n, unit, ms: n * UNIT_MS[unit] };
    if (offsets.some((o) => o.ms === offset.ms)) return { ok: false, error: 'duplicate', part };
    if (offset.ms >= lead) return { ok: false, error: 'tooLate', part };
    offsets.push(offset);
  }
  return { ok: true, offsets: offsets.sort((a, b) => b.ms - a.ms) };
}

/** The stored form (largest first): `3d,1d,1h`. */
export const formatReminders = (offsets: readonly RemindOffset[]): string => offsets.map((o) => `${o.n}${o.unit}`).join(',');

/** A stored `remind` column back to offsets (it was checked when written; no lead limit now). */
export function storedReminders(stored: string | null): RemindOffset[] {
  if (stored === null || stored === '') return [];
  const parsed = parseReminders(stored, Number.POSITIVE_INFINITY);
  return parsed.ok ? parsed.offsets : [];
}

/**
 * The reminder a run at `now` should post: the latest one whose time has
 * come, before the draw, and after `handled` (the offset of the last one
 * posted or skipped). Undefined: nothing to do.
 */
export function dueReminder(offsets: readonly RemindOffset[], endsAt: number, now: number, handled: number | null): RemindOffset | undefined {
  if (now >= endsAt) return undefined;
  const due = offsets.filter((o) => endsAt - o.ms <= now && (handled === null || o.ms < handled));
  return due[due.length - 1];
}

/**
 * Reminders before recurring openings (a scheduled quiz): for each offset,
 * the first opening (of `openings`, ascending) whose reminder time is after
 * `now`, as the time to remind and the opening it is for.
 */
export function nextReminders(offsets: readonly RemindOffset[], openings: readonly Date[], now: number): Array<{ offset: RemindOffset; at: number; opening: number }> {
  const out: Array<{ offset: RemindOffset; at: number; opening: number }> = [];
  for (const offset of offsets) {
    const opening = openings.find((o) => o.getTime() - offset.ms > now);
    if (opening) out.push({ offset, at: opening.getTime() - offset.ms, opening: opening.getTime() });
  }
  return out;
}
