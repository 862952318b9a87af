import { IANAZone } from 'luxon';
import { UserError } from '../errors.js';
import { localized, type MessageParam } from '../i18n.js';

/**
 * "When should this post go out?" — the one-off time expressions an operator
 * types, resolved against an injected `now` and the community's timezone.
 *
 * Accepted (full-width digits, colons, plus signs and spaces are folded to
 * ASCII first, so `２１：３０` reads as `21:30`; English words and the `T`/`Z`
 * of ISO dates are case-insensitive):
 *
 * - Date and time: `2026-12-01T20:00`, `2026-12-01 20:00`, `2026-12-01 20:00:30`,
 *   `2026/12/1 20:00`. Without an offset the time is wall-clock time in the
 *   community timezone; with `Z`, `+08:00`, `+0800` or `+08` it is absolute.
 *   A trailing `(Zone/Name)` or `(Zone/Name, UTC-04:00)` — what
 *   `formatLocal` prints — names the zone explicitly, so a confirmation can be
 *   pasted back.
 * - A bare date (`2026-12-01`) or a bare day word (`明天`, `tomorrow`) is
 *   refused with `missingTime`: a post silently going out at midnight is never
 *   what an operator meant, so we ask for the time instead of guessing.
 * - A wall time: `21:30`, `21:30:15`, `9:00`, `9点`, `9点30`, `9点30分`,
 *   `9点半` (24-hour clock; 上午/下午 are not understood). Alone it means the
 *   next occurrence: today if still strictly ahead of `now`, else tomorrow.
 *   Prefixed with `today`/`tomorrow`/`今天`/`明天`/`后天` (space optional) it
 *   means that calendar day in the timezone, and is `past` if already gone
 *   (no rollover). Days are calendar days (midnight to midnight), not the
 *   community's check-in day.
 * - Relative: `+90s`, `+10m`, `+2h`, `+1d`, `+1h30m`, `+1d2h30m15s` (units in
 *   the order d h m s, each at most once; `min` is accepted for `m`), and
 *   `30秒后`, `10分钟后`, `2小时后`, `2个小时后`, `1天后`, `1小时30分钟后`
 *   (`以后`/`之后` too). Hours, minutes and seconds are exact elapsed time;
 *   days keep the wall-clock time (`+1d` at 12:00 is 12:00 tomorrow even when
 *   a DST change makes that 23 or 25 hours away). `+0m` is `past`.
 *
 * DST, for wall-clock times in the community timezone:
 * - A time that does not exist (skipped by spring-forward, e.g. 02:30 on
 *   2026-03-08 in America/New_York) moves forward by the length of the gap:
 *   02:30 becomes 03:30 EDT. This is the same rule cron-parser applies.
 * - A time that occurs twice (fall-back, e.g. 01:30 on 2026-11-01 in
 *   America/New_York) resolves to the first occurrence (01:30 EDT, UTC-4).
 *   Write an explicit offset (`2026-11-01T01:30-05:00`) for the second one.
 *
 * Limits: the result must be strictly after `now` (`past` otherwise) and at
 * most 366 days (366 × 24 h) after it (`tooFar`).
 *
 * An invalid `timezone` throws: it comes from validated configuration, not
 * from the person typing.
 */

export const MAX_AHEAD_DAYS = 366;

export type WhenField = 'month' | 'day' | 'hour' | 'minute' | 'second' | 'offset';

export type WhenError =
  /** Not a form listed above. */
  | { kind: 'unrecognized'; input: string }
  /** A date or day word without a time of day; `date` is the ISO date meant. */
  | { kind: 'missingTime'; input: string; date: string }
  /** Well-formed but impossible, e.g. month 13, 25:00, 2026-02-29. */
  | { kind: 'outOfRange'; input: string; field: WhenField; value: string }
  /** At or before `now`. */
  | { kind: 'past'; at: Date }
  /** Later than `max` (= now + `maxDays` days). */
  | { kind: 'tooFar'; max: Date; maxDays: number };

export type WhenResult = { ok: true; at: Date } | { ok: false; error: WhenError };

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export function parseWhen(input: string, now: Date, timezone: string): WhenResult {
  const zone = zoneOrThrow(timezone);
  const original = input.trim();
  const text = input.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (text === '') return fail({ kind: 'unrecognized', input: original });

  const resolved =
    parseRelative(text, now, zone) ??
    parseChineseRelative(text, now, zone) ??
    parseDayAndTime(text, original, now, zone) ??
    parseDateTime(text, original, zone) ??
    ({ kind: 'unrecognized', input: original } satisfies WhenError);

  if (!(resolved instanceof Date)) return fail(resolved);
  return checkWindow(resolved, now);
}

/**
 * `2026-12-01 20:00 (Asia/Shanghai)`: ISO-like date and 24-hour time in
 * `timezone`, seconds only when not zero. A wall time that occurs twice
 * (DST fall-back) also gets its offset: `2026-11-01 01:30 (America/New_York,
 * UTC-04:00)`. The output is the same in every locale, and `parseWhen` reads
 * it back to the same instant.
 */
export function formatLocal(at: Date, timezone: string): string {
  const zone = zoneOrThrow(timezone);
  const ts = at.getTime();
  const offset = zone.offset(ts);
  const wall = new Date(ts + offset * MINUTE_MS);
  const date = `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  const seconds = wall.getUTCSeconds();
  const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}${seconds !== 0 ? `:${pad(seconds)}` : ''}`;
  const ambiguous = instantsForWall(wall.getTime(), zone).length > 1;
  return ambiguous ? `${date} ${time} (${timezone}, UTC${formatOffset(offset)})` : `${date} ${time} (${timezone})`;
}

/**
 * The refusal a member reads for a time that `parseWhen` refused, in the
 * community's language. `arg` names the argument: `name` as in other
 * argument errors (`截止时间（ends=）`), `label` alone (`截止时间`).
 */
export function whenError(error: WhenError, timezone: string, arg: { name: MessageParam; label: MessageParam }): UserError {
  switch (error.kind) {
    case 'unrecognized':
      return new UserError('time.when.unrecognized', { name: arg.name, input: error.input });
    case 'missingTime':
      return new UserError('time.when.missingTime', { input: error.input });
    case 'outOfRange':
      return new UserError('time.when.outOfRange', { input: error.input, field: localized(`time.field.${error.field}`), value: error.value });
    case 'past':
      return new UserError('time.when.past', { label: arg.label, at: formatLocal(error.at, timezone) });
    case 'tooFar':
      return new UserError('time.when.tooFar', { max: formatLocal(error.max, timezone) });
  }
}

// ---------------------------------------------------------------------------

type Resolved = Date | WhenError;

function fail(error: WhenError): WhenResult {
  return { ok: false, error };
}

function checkWindow(at: Date, now: Date): WhenResult {
  if (at.getTime() <= now.getTime()) return fail({ kind: 'past', at });
  const max = new Date(now.getTime() + MAX_AHEAD_DAYS * DAY_MS);
  if (at.getTime() > max.getTime()) return fail({ kind: 'tooFar', max, maxDays: MAX_AHEAD_DAYS });
  return { ok: true, at };
}

function tooFar(now: Date): WhenError {
  return { kind: 'tooFar', max: new Date(now.getTime() + MAX_AHEAD_DAYS * DAY_MS), maxDays: MAX_AHEAD_DAYS };
}

interface Span {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const RELATIVE = /^\+ ?(?:(\d+) ?d ?)?(?:(\d+) ?h ?)?(?:(\d+) ?m(?:in)? ?)?(?:(\d+) ?s)?$/i;
const CHINESE_RELATIVE = /^(?:(\d+)天)?(?:(\d+)个?(?:小时|钟头))?(?:(\d+)分钟?)?(?:(\d+)秒钟?)?[以之]?后$/;

function parseRelative(text: string, now: Date, zone: IANAZone): Resolved | undefined {
  const m = RELATIVE.exec(text);
  if (!m || !hasAny(m)) return undefined;
  return applySpan(spanOf(m), now, zone);
}

function parseChineseRelative(text: string, now: Date, zone: IANAZone): Resolved | undefined {
  const compact = text.replace(/ /g, '');
  const m = CHINESE_RELATIVE.exec(compact);
  if (!m || !hasAny(m)) return undefined;
  return applySpan(spanOf(m), now, zone);
}

function hasAny(m: RegExpExecArray): boolean {
  return m.slice(1, 5).some((g) => g !== undefined);
}

function spanOf(m: RegExpExecArray): Span {
  const n = (g: string | undefined): number => (g === undefined ? 0 : Number(g));
  return { days: n(m[1]), hours: n(m[2]), minutes: n(m[3]), seconds: n(m[4]) };
}

function applySpan(span: Span, now: Date, zone: IANAZone): Resolved {
  const elapsedMs = span.hours * HOUR_MS + span.minutes * MINUTE_MS + span.seconds * 1000;
  // Anything this large is refused before date arithmetic can overflow.
  if (span.days > MAX_AHEAD_DAYS + 1 || elapsedMs > (MAX_AHEAD_DAYS + 1) * DAY_MS) return tooFar(now);
  let ts = now.getTime();
  if (span.days > 0) {
    // Calendar days: same wall-clock time N days later.
    const wall = ts + zone.offset(ts) * MINUTE_MS;
    ts = resolveWall(wall + span.days * DAY_MS, zone);
  }
  return new Date(ts + elapsedMs);
}

const DAY_WORDS: Record<string, number> = {
  today: 0,
  tomorrow: 1,
  今天: 0,
  今日: 0,
  明天: 1,
  明日: 1,
  后天: 2,
  後天: 2,
};

const DAY_AND_TIME = new RegExp(
  '^(?:(today|tomorrow|今天|今日|明天|明日|后天|後天) ?)?' +
    '(?:(\\d{1,2}):(\\d{2})(?::(\\d{2}))?' + // 21:30, 21:30:15
    '|(\\d{1,2})点(?:(半)|(\\d{1,2})分?)?)?$', // 9点, 9点半, 9点30, 9点30分
  'i',
);

function parseDayAndTime(text: string, original: string, now: Date, zone: IANAZone): Resolved | undefined {
  const m = DAY_AND_TIME.exec(text);
  if (!m) return undefined;
  const [, dayWord, colonHour, colonMinute, colonSecond, dotHour, half, dotMinute] = m;
  const hourText = colonHour ?? dotHour;
  const offsetDays = dayWord === undefined ? undefined : DAY_WORDS[dayWord.toLowerCase()];
  const nowWall = now.getTime() + zone.offset(now.getTime()) * MINUTE_MS;
  const todayWall = nowWall - mod(nowWall, DAY_MS);

  if (hourText === undefined) {
    if (offsetDays === undefined) return undefined;
    return { kind: 'missingTime', input: original, date: isoDate(todayWall + offsetDays * DAY_MS) };
  }
  const minuteText = colonMinute ?? (half !== undefined ? '30' : dotMinute) ?? '0';
  const secondText = colonSecond ?? '0';
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  const outOfRange = clockOutOfRange(original, [hourText, minuteText, secondText]);
  if (outOfRange) return outOfRange;

  const timeOfDay = hour * HOUR_MS + minute * MINUTE_MS + second * 1000;
  const onDay = (days: number): Date => new Date(resolveWall(todayWall + days * DAY_MS + timeOfDay, zone));
  if (offsetDays !== undefined) return onDay(offsetDays);
  const today = onDay(0);
  return today.getTime() > now.getTime() ? today : onDay(1);
}

/** A time of day whose hour, minute or second is out of range, named by field. */
function clockOutOfRange(input: string, [hourText, minuteText, secondText]: [string, string, string]): WhenError | undefined {
  if (Number(hourText) > 23) return { kind: 'outOfRange', input, field: 'hour', value: hourText };
  if (Number(minuteText) > 59) return { kind: 'outOfRange', input, field: 'minute', value: minuteText };
  if (Number(secondText) > 59) return { kind: 'outOfRange', input, field: 'second', value: secondText };
  return undefined;
}

const DATE_TIME = new RegExp(
  '^(\\d{4})([-/])(\\d{1,2})\\2(\\d{1,2})' + // 2026-12-01, 2026/12/1
    '(?:(?:T| )(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?' + // T20:00[:00[.000]]
    ' ?(Z|[+-]\\d{2}(?::?\\d{2})?)?' + // Z, +08:00, +0800, +08
    '(?: ?\\(([A-Za-z0-9_+\\-/]+)(?:, ?UTC([+-]\\d{2}:\\d{2}))?\\))?)?$', // (Asia/Shanghai[, UTC+08:00])
  'i',
);

function parseDateTime(text: string, original: string, zone: IANAZone): Resolved | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, yearText = '', , monthText = '', dayText = '', hourText, minuteText = '0', secondText = '0', fraction, offsetText, zoneName, zoneOffset] = m;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (month < 1 || month > 12) return { kind: 'outOfRange', input: original, field: 'month', value: monthText };
  if (day < 1 || day > daysInMonth(year, month)) return { kind: 'outOfRange', input: original, field: 'day', value: dayText };
  if (hourText === undefined) {
    return { kind: 'missingTime', input: original, date: `${yearText}-${pad(month)}-${pad(day)}` };
  }
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  const outOfRange = clockOutOfRange(original, [hourText, minuteText, secondText]);
  if (outOfRange) return outOfRange;
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);

  const wall = utcMs(year, month, day, hour, minute, second, ms);
  const explicitOffset = offsetText ?? zoneOffset;
  if (explicitOffset !== undefined) {
    const offset = parseOffset(explicitOffset);
    if (offset === undefined) return { kind: 'outOfRange', input: original, field: 'offset', value: explicitOffset };
    if (zoneName !== undefined && !IANAZone.isValidZone(zoneName)) return { kind: 'unrecognized', input: original };
    return new Date(wall - offset * MINUTE_MS);
  }
  if (zoneName !== undefined) {
    if (!IANAZone.isValidZone(zoneName)) return { kind: 'unrecognized', input: original };
    return new Date(resolveWall(wall, IANAZone.create(zoneName)));
  }
  return new Date(resolveWall(wall, zone));
}

/** Minutes east of UTC, or undefined when out of range. */
function parseOffset(text: string): number | undefined {
  if (/^z$/i.test(text)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 18 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

// --- wall-clock arithmetic ---------------------------------------------------
// A "wall" value is local date-time encoded as if it were UTC milliseconds.

/** Every instant whose local time in `zone` is `wall` (0, 1 or 2 of them), earliest first. */
function instantsForWall(wall: number, zone: IANAZone): number[] {
  const offsets = new Set([zone.offset(wall - DAY_MS), zone.offset(wall), zone.offset(wall + DAY_MS)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const ts = wall - offset * MINUTE_MS;
    if (zone.offset(ts) === offset) found.add(ts);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * The instant for a wall time: the first occurrence when it is ambiguous;
 * when it falls in a DST gap, read with the offset in force before the gap,
 * which moves it forward by the gap's length.
 */
function resolveWall(wall: number, zone: IANAZone): number {
  const [first] = instantsForWall(wall, zone);
  if (first !== undefined) return first;
  return wall - zone.offset(wall - DAY_MS) * MINUTE_MS;
}

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

function isoDate(wall: number): string {
  const d = new Date(wall);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function zoneOrThrow(timezone: string): IANAZone {
  if (!IANAZone.isValidZone(timezone)) throw new Error(`invalid timezone: ${timezone}`);
  return IANAZone.create(timezone);
}
