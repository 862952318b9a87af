import { CronExpressionParser } from 'cron-parser';
import { IANAZone } from 'luxon';
import { UserError } from '../errors.js';
import { localized } from '../i18n.js';

/**
 * Cron patterns for repeating posts, evaluated in the community timezone.
 *
 * - 5 fields `minute hour day-of-month month day-of-week`, or 6 with the
 *   seconds first. The aliases `@yearly`/`@annually`, `@monthly`, `@weekly`,
 *   `@daily`, `@hourly`, `@weekdays`, `@weekends` (and `@minutely`,
 *   `@secondly`) are accepted.
 * - Per field: `*`, `?`, `n`, `a-b`, `*\/s`, `a/s` (= `a-max/s`), `a-b/s`,
 *   comma lists; month names `JAN`-`DEC` and day names `SUN`-`SAT`
 *   (case-insensitive); day-of-week 0-7 (0 and 7 are Sunday); `L` (last day)
 *   in day-of-month; `5L` (last Friday) and `5#2` (second Friday, alone in
 *   the field) in day-of-week.
 * - Refused although cron-parser would take them: `H` (it would pick a random
 *   value), and a step larger than the field's range (`*\/90` in minutes
 *   fires hourly, which is never what was meant).
 * - When both day-of-month and day-of-week are restricted, a day matching
 *   either runs (classic cron OR semantics).
 * - DST, as cron-parser does it: a run at a skipped local time (02:30 on a
 *   spring-forward day) happens at the same instant moved forward by the gap
 *   (03:30); a run at a repeated local time (01:30 on a fall-back day) happens
 *   once, at the first occurrence. Hourly and finer patterns keep firing at
 *   real elapsed intervals through both changes.
 *
 * Errors name the field and quote its text: `hour: "25" (25 is outside 0-23)`.
 * `field` is `expression` for a wrong field count or an unknown alias. An
 * invalid `timezone` throws: it comes from validated configuration.
 */

export type CronFieldName = 'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'dayOfWeek';

export interface CronError {
  field: CronFieldName | 'expression';
  /** The field's text as written (or the whole expression). */
  value: string;
  /** English, for logs; build user-facing text from `field` and `value`. */
  message: string;
}

export interface CronSchedule {
  /** The expression as given, whitespace collapsed (aliases lower-cased). */
  readonly expression: string;
  readonly timezone: string;
  /** The first run strictly after `after`. */
  next(after: Date): Date;
  /** The first `n` runs strictly after `after`. */
  nextN(after: Date, n: number): Date[];
}

export type CronResult = { ok: true; cron: CronSchedule } | { ok: false; error: CronError };

/** The refusal a member reads: the field named in the community's language (`小时「25」`). */
export function cronError(error: CronError): UserError {
  return new UserError('time.cron.invalid', { field: localized(`time.field.${error.field}`), value: error.value });
}

/** Posts firing more often than this are refused unless configured otherwise. */
export const DEFAULT_MIN_INTERVAL_SECONDS = 60;

const ALIASES: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
  '@minutely': '0 * * * * *',
  '@secondly': '* * * * * *',
  '@weekdays': '0 0 0 * * 1-5',
  '@weekends': '0 0 0 * * 0,6',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTH_LABELS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Longest length of each month (February may have 29 days). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface FieldSpec {
  name: CronFieldName;
  min: number;
  max: number;
  names?: readonly string[];
  /** Index of names[0]. */
  namesFrom?: number;
}

const SPECS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'dayOfMonth', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesFrom: 1 },
  { name: 'dayOfWeek', min: 0, max: 7, names: DAY_NAMES, namesFrom: 0 },
];

export function parseCron(expr: string, timezone: string): CronResult {
  if (!IANAZone.isValidZone(timezone)) throw new Error(`invalid timezone: ${timezone}`);
  const expression = expr.trim().replace(/\s+/g, ' ');

  let six: string;
  if (expression.startsWith('@')) {
    const alias = ALIASES[expression.toLowerCase()];
    if (alias === undefined) return fail('expression', expression, `unknown alias "${expression}"`);
    six = alias;
  } else {
    const parts = expression === '' ? [] : expression.split(' ');
    if (parts.length !== 5 && parts.length !== 6) {
      return fail('expression', expression, `expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${parts.length}`);
    }
    six = (parts.length === 5 ? ['0', ...parts] : parts).join(' ');
  }

  const fields = six.split(' ');
  const parsed: number[][] = [];
  for (const [i, spec] of SPECS.entries()) {
    const text = fields[i] ?? '';
    const result = validateField(text, spec);
    if (typeof result === 'string') return fail(spec.name, text, `${spec.name}: "${text}" (${result})`);
    parsed.push(result);
  }
  const unreachable = unreachableDay(fields, parsed);
  if (unreachable !== undefined) return fail('dayOfMonth', fields[3] ?? '', unreachable);

  try {
    // Seeded so that nothing in the library reaches for randomness; H is refused anyway.
    CronExpressionParser.parse(six, { tz: timezone, currentDate: new Date(0), hashSeed: six }).next();
  } catch (err) {
    return fail('expression', expression, `invalid cron expression "${expression}": ${(err as Error).message}`);
  }

  const iterate = (after: Date) => CronExpressionParser.parse(six, { tz: timezone, currentDate: after, hashSeed: six });
  const cron: CronSchedule = {
    expression: expression.startsWith('@') ? expression.toLowerCase() : expression,
    timezone,
    next: (after) => iterate(after).next().toDate(),
    nextN: (after, n) => (n <= 0 ? [] : iterate(after).take(n).map((d) => d.toDate())),
  };
  return { ok: true, cron };
}

/**
 * The smallest gap, in seconds, between consecutive runs among the next
 * `samples` + 1 runs after `from` (Infinity when it runs fewer than twice).
 * Compare with DEFAULT_MIN_INTERVAL_SECONDS to refuse over-eager patterns.
 */
export function minIntervalSeconds(cron: CronSchedule, from: Date, samples = 10): number {
  const runs = cron.nextN(from, samples + 1);
  let smallest = Infinity;
  for (let i = 1; i < runs.length; i++) {
    const prev = runs[i - 1];
    const cur = runs[i];
    if (prev && cur) smallest = Math.min(smallest, (cur.getTime() - prev.getTime()) / 1000);
  }
  return smallest;
}

// ---------------------------------------------------------------------------

function fail(field: CronError['field'], value: string, message: string): CronResult {
  return { ok: false, error: { field, value, message } };
}

/** The values a field allows (L, nL, n#k contribute nothing), or a reason it is invalid. */
function validateField(text: string, spec: FieldSpec): number[] | string {
  if (text === '') return 'empty field';
  const items = text.split(',');
  const values = new Set<number>();
  for (const item of items) {
    if (item === '') return 'empty item in list';
    if (/^h/i.test(item)) return 'H picks a random value and is not supported';

    if (spec.name === 'dayOfMonth' && /^l$/i.test(item)) continue;
    if (spec.name === 'dayOfWeek') {
      const nth = /^([a-z]+|\d+)#(\d+)$/i.exec(item);
      if (nth) {
        if (items.length > 1) return '"#" cannot be combined with a list';
        const day = value(nth[1] ?? '', spec);
        if (typeof day === 'string') return day;
        const n = Number(nth[2]);
        if (n < 1 || n > 5) return `occurrence #${nth[2] ?? ''} is outside 1-5`;
        continue;
      }
      const last = /^([a-z]+|\d+)l$/i.exec(item);
      if (last) {
        const day = value(last[1] ?? '', spec);
        if (typeof day === 'string') return day;
        continue;
      }
      if (/^l$/i.test(item)) return '"L" in day-of-week needs a day, e.g. 5L for the last Friday';
    }

    const m = /^([^/]+)(?:\/(.*))?$/.exec(item);
    const base = m?.[1];
    if (base === undefined) return `cannot read "${item}"`;
    const stepText = m?.[2];
    let lo: number;
    let hi: number;
    if (base === '*' || base === '?') {
      lo = spec.min;
      hi = spec.max;
    } else {
      const range = /^([a-z]+|\d+)(?:-([a-z]+|\d+))?$/i.exec(base);
      if (!range) return `cannot read "${item}"`;
      const a = value(range[1] ?? '', spec);
      if (typeof a === 'string') return a;
      lo = a;
      if (range[2] !== undefined) {
        const b = value(range[2], spec);
        if (typeof b === 'string') return b;
        if (b < a) return `range ${base} runs backwards`;
        hi = b;
      } else {
        hi = stepText === undefined ? a : spec.max;
      }
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) return `step "${stepText}" is not a number`;
      step = Number(stepText);
      const span = spec.name === 'dayOfWeek' ? 7 : spec.max - spec.min + 1;
      if (step < 1) return 'step must be at least 1';
      if (step > span) return `step ${step} is larger than the field's range ${spec.min}-${spec.max}`;
    }
    for (let v = lo; v <= hi; v += step) values.add(spec.name === 'dayOfWeek' ? v % 7 : v);
  }
  return [...values].sort((a, b) => a - b);
}

function value(token: string, spec: FieldSpec): number | string {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < spec.min || n > spec.max) return `${token} is outside ${spec.min}-${spec.max}`;
    return n;
  }
  const index = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  if (index < 0) return `unknown value "${token}"`;
  return index + (spec.namesFrom ?? 0);
}

/**
 * cron-parser refuses a day of month that no chosen month has (`30 2`) unless
 * the day of week is restricted too; say so precisely instead.
 */
function unreachableDay(fields: string[], parsed: number[][]): string | undefined {
  const domText = fields[3] ?? '*';
  const dowText = fields[5] ?? '*';
  const days = parsed[3] ?? [];
  const months = parsed[4] ?? [];
  if (/[*?l]/i.test(domText) || !(dowText === '*' || dowText === '?')) return undefined;
  const firstDay = days[0];
  if (firstDay === undefined) return undefined;
  const longest = Math.max(...months.map((mo) => MONTH_DAYS[mo - 1] ?? 31));
  if (firstDay <= longest) return undefined;
  const names = months.map((mo) => MONTH_LABELS[mo - 1] ?? String(mo)).join(', ');
  return `dayOfMonth: "${domText}" (day ${firstDay} never occurs in ${names})`;
}

/** A cron's firings in [from, to), at most `limit` of them. */
export function firesBetween(pattern: string, timezone: string, from: Date, to: Date, limit = 2000): Date[] {
  const parsed = parseCron(pattern, timezone);
  if (!parsed.ok) return [];
  const out: Date[] = [];
  let cursor = new Date(from.getTime() - 1);
  while (out.length < limit) {
    const next = parsed.cron.next(cursor);
    if (next >= to) break;
    out.push(next);
    cursor = next;
  }
  return out;
}

/** A new recurring post's (or scheduled quiz's) firings that the content calendar judges: from now to a week after its first. */
export function upcoming(pattern: string, timezone: string, now: Date): Date[] {
  const parsed = parseCron(pattern, timezone);
  if (!parsed.ok) return [];
  const first = parsed.cron.next(now);
  return firesBetween(pattern, timezone, now, new Date(first.getTime() + 7 * 86_400_000));
}
