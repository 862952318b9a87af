/**
 * Shared pieces of the property-based (fuzz) tests in test/fuzz.
 *
 * - Seeded: every property runs from FUZZ_SEED (default DEFAULT_SEED), so a
 *   run is repeatable; a failure names the seed, the counterexample and the
 *   command that replays it (FUZZ_SEED=… FUZZ_PATH=… npx vitest run <file>).
 * - FUZZ_RUNS overrides the number of cases of every property (the defaults
 *   keep the whole folder near a minute on a loaded 2-core machine);
 *   `FUZZ_RUNS=5000 npm run test:fuzz` for a long hunt.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Reply } from '../../src/core/reply.js';
import type { Sql } from '../../src/store/sql.js';

export const DEFAULT_SEED = 20261130;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

export const FUZZ_SEED = envInt('FUZZ_SEED') ?? DEFAULT_SEED;

/** The number of cases: FUZZ_RUNS when set, else the property's default. */
export function fuzzRuns(defaultRuns: number): number {
  return envInt('FUZZ_RUNS') ?? defaultRuns;
}

/**
 * Runs a property with the suite's seed; on failure throws fast-check's report
 * plus how to replay exactly that case.
 */
export async function fuzz<Ts>(file: string, property: fc.IRawProperty<Ts>, defaultRuns: number): Promise<void> {
  const path = process.env.FUZZ_PATH;
  const details = await fc.check(property, {
    seed: FUZZ_SEED,
    numRuns: fuzzRuns(defaultRuns),
    ...(path ? { path, endOnFailure: true } : {}),
  });
  if (!details.failed) return;
  const test = expect.getState().currentTestName?.split(' > ').pop();
  // -t takes a regular expression: the name with its special characters escaped.
  const only = test ? ` -t '${test.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "'\\''")}'` : '';
  const replay = `FUZZ_SEED=${details.seed}${details.counterexamplePath ? ` FUZZ_PATH=${details.counterexamplePath}` : ''} npx vitest run ${file}${only}`;
  const cause = details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n\nGot: ${cause.stack ?? cause.message}\n\nReproduce with: ${replay}`, { cause });
}

// ---------------------------------------------------------------------------
// Replies

/** Everything of a reply a member can read. */
export function replyTexts(reply: Reply): string[] {
  return [reply.title ?? '', reply.text, ...(reply.fields ?? []).flatMap((f) => [f.name, f.value]), ...(reply.actions ?? []).map((a) => a.label)];
}

const LEAKS: ReadonlyArray<[string, RegExp]> = [
  ['undefined', /\bundefined\b/],
  ['NaN', /\bNaN\b/],
  ['[object Object]', /\[object \w+\]/],
  ['Infinity', /\bInfinity\b/],
  ['a stack trace', /\n\s*at .+[(:]\d+/],
  ['an error name', /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|SqliteError|ZodError)\b/],
];

/** The leak markers in a text: unfilled-looking placeholders and the LEAKS it matches. */
function markers(text: string): string[] {
  return [...[...text.matchAll(/\{(\w+)\}/g)].map((m) => m[0]), ...LEAKS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name)];
}

/**
 * Checks that replies show only catalog text: no catalog placeholder left
 * unfilled (`{name}`), no value that never belongs in a message (undefined,
 * NaN, [object Object]), no stack trace. What members typed may come back
 * (an unknown name is quoted, a scheduled post's text is listed later), so a
 * marker counts only when no input sent to this app so far contained it.
 */
export class CatalogCheck {
  private readonly typed = new Set<string>();

  /** Record an input (any text a member or platform sent) before sending it. */
  sent(input: string): void {
    for (const m of markers(input)) this.typed.add(m);
  }

  /** Throws with the offending text when a reply shows something that is not catalog text. */
  assert(texts: readonly string[]): void {
    for (const text of texts) {
      const problems = markers(text).filter((m) => !this.typed.has(m));
      if (problems.length > 0) throw new Error(`reply text ${JSON.stringify(text)} shows ${problems.join(', ')}, which no input contained`);
    }
  }
}

/** A one-off check of `texts` against a single input. */
export function assertCatalogText(texts: readonly string[], input: string): void {
  const check = new CatalogCheck();
  check.sent(input);
  check.assert(texts);
}

// ---------------------------------------------------------------------------
// State

/** Tables whose rows change when an event is accepted; refused input must leave them alone. */
export const STATE_TABLES = ['communities', 'members', 'member_accounts', 'member_points', 'points_ledger', 'inbound_events', 'deliveries'] as const;

export async function tableCounts(sql: Sql): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of STATE_TABLES) counts[t] = ((await sql.prepare(`SELECT count(*) AS n FROM ${t}`).get()) as { n: number }).n;
  return counts;
}

// ---------------------------------------------------------------------------
// Generators

/** Pieces that make up command-like text: prefixes, names, arguments, quotes, odd characters. */
const FRAGMENTS = [
  '/', '／', '!', '！', ' ', '  ', '\u3000', '\t', '\n', '"', '“', '”', '「', '」', "'", '=', ',', '，', '-', '+', '－', '@', '<@', '>',
  'checkin', '签到', 'points', '积分', 'leaderboard', '排行榜', 'week', '本周', 'grant', '加分', 'deduct', '扣分', 'help', '帮助',
  'announce', '公告', 'schedule', '定时', 'once', 'add', 'list', 'pause', 'resume', 'remove', 'lottery', '抽奖', 'create', 'join',
  '参与抽奖', 'draw', 'reroll', 'cancel', 'verify', 'quiz', '答题', 'start', 'answer', 'stop', 'banks', 'freeze', '补签卡',
  'accept', 'activity', 'quiet', 'on', 'off', 'stats', 'members', 'farming', 'today', 'week', 'month', 'retention', '留存', 'bind', '绑定', 'winners=', 'ends=', 'cost=',
  'min_level=', 'bonus=', 'questions=', 'seconds=', 'mode=', 'alice', 'bob', 'admin', '<@alice>', '<@bob>', '@alice',
  '0', '1', '5', '007', '1,000', '１，０００', '５０', '-5', '+5', '99999999999999999999', '1e3', '⑤', '²', 'NaN', 'undefined',
  '21:30', 'tomorrow 9:00', '明天 9点半', '+10m', '10分钟后', '2026-12-01T20:00', '"0 20 * * 3"', '* * * * *', '@daily',
  '\u202e', '\u200b', '\ud800', '\u0000', '😀', '👨‍👩‍👧', 'é', '{name}', '%s', '$1', '__proto__', 'constructor',
];

export const commandText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 10 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('/', '', '!', '／'), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 12 })).map(([p, parts, s]) => `${p}${parts.join(' ')} ${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

const TEMPLATES = [
  '/checkin', '签到', '打卡', '/points', '/points {member}', '积分 {member}', '/leaderboard {period}', '排行榜 {period}', '/freeze', '补签卡', '/help', '帮助',
  '/grant {member} {int} {text}', '加分 {member} {int} {text}', '/deduct {member} {int} {text}', '/announce {text}', '公告 {text}',
  '/schedule once {when} {text}', '定时 一次 {when} {text}', '/schedule add "{cron}" {text}', '/schedule list', '/schedule calendar', '/schedule calendar month', '定时 日历 本月', '/schedule pause {int}', '/schedule resume {int}', '/schedule remove {int}',
  '/lottery create {word} winners={int} ends={when}', '/lottery create {word} winners={int} ends="{when}" cost={int} min_level={int} min_streak={int} min_points={int} bonus={word}',
  '/lottery join {int}', '参与抽奖 {int}', '/lottery', '/lottery list', '/lottery draw {int}', '/lottery reroll {int} {int}', '/lottery cancel {int}', '/lottery verify {int}',
  '/quiz start', '/quiz start {word} questions={int} seconds={int} mode={word}', '开始答题', '/quiz answer {int} {int} {text}', '/quiz', '/quiz status', '/quiz banks', '/quiz stop',
  '/quiz schedule "{cron}" {word} questions={int}', '/quiz schedules', '/quiz unschedule {int}',
  '/accept', '/activity', '/quiet {word}', '/stats', '/stats members', '/stats farming', '/stats week', '/stats month', '/stats retention', '/数据 今天', '/bind', '/bind {text}', '{text}',
];
const SLOTS: Record<string, fc.Arbitrary<string>> = {
  member: fc.oneof(fc.constantFrom('<@alice>', 'alice', '@bob', 'Alice', 'ali', '<@nobody>', '"carol"', '<@admin>', '<@>', '@', '""'), fc.string({ maxLength: 8 })),
  int: fc.oneof(fc.constantFrom('1', '5', '0', '-5', '+5', '1,000', '５０', '99999999999999999999', '9007199254740993', '007', 'x', '1.5', '1e3', '⑤', ''), fc.integer({ min: -100, max: 100_000 }).map(String)),
  period: fc.constantFrom('week', 'month', 'all', '本周', '本月', '总榜', 'year', ''),
  when: fc.constantFrom('21:30', '+10m', '+1d', '+0m', '10分钟后', '明天 9点半', 'tomorrow 9:00', '2026-12-01T20:00', '2099-01-01 00:00', '2020-01-01 00:00', '明天', '25:00', '+400d', 'soon', ''),
  cron: fc.constantFrom('0 20 * * 3', '* * * * *', '*/5 * * * *', '0 0 30 2 *', '0 25 * * *', '@daily', '@secondly', 'H * * * *', '0 0 * * 5L', ''),
  word: fc.oneof(fc.constantFrom('general', 'prize', '奖品', 'first', 'all', 'streak7', 'level', 'on', 'off', '开', '关', 'nope'), fc.string({ maxLength: 6 })),
  text: fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('#promo sale', '@all hi', '{name}', 'undefined', '')),
};

/** A real command with its arguments filled by odd and ordinary values (or, sometimes, free text). */
export const chatCommand: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...TEMPLATES).chain((template) => {
      const slots = [...template.matchAll(/\{(\w+)\}/g)].map((m) => SLOTS[m[1] as string] as fc.Arbitrary<string>);
      return fc.tuple(...slots).map((values) => {
        let i = 0;
        return template.replace(/\{(\w+)\}/g, () => values[i++] as string);
      });
    }),
  },
  { weight: 1, arbitrary: commandText },
);

/** FUZZ_DEBUG=1 prints one line per case (route, status, start of the reply), to see what a generator reaches. */
export function trace(route: string, status: number, text: string): void {
  if (process.env.FUZZ_DEBUG) process.stderr.write(`FUZZ ${route} ${status} ${text.replace(/\s+/g, ' ').slice(0, 100)}\n`);
}
