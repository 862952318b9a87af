/**
 * Pure poll rules: reading `/poll create`'s text, the voter key of an
 * anonymous vote, and the results drawn as text bars. No I/O.
 */
import { createHmac } from 'node:crypto';
import { UserError } from '../../core/errors.js';
import type { NativePollLimits } from '../../core/sender.js';

export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 25;
export const MAX_QUESTION = 300;
export const MAX_OPTION = 100;

export interface PollDraft {
  question: string;
  options: string[];
  anonymous: boolean;
  hideResults: boolean;
}

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '「': '」', '‘': '’' };
/** Flag words, written before or after the options. */
const FLAGS: Record<string, 'anonymous' | 'hideResults'> = { anonymous: 'anonymous', 匿名: 'anonymous', hide_results: 'hideResults', 隐藏结果: 'hideResults' };

/**
 * `"<question>" <option> | <option> | … [anonymous] [hide_results]`. The
 * question is quoted, or ends at its question mark (`?` or `？`). Options are
 * separated by `|` or `｜`. Refusals are UserErrors with catalog keys.
 */
export function parsePollText(text: string): PollDraft {
  let rest = text.trim();
  let question: string | undefined;
  const close = QUOTES[rest[0] ?? ''];
  const end = close ? rest.indexOf(close, 1) : -1;
  if (close && end > 0) {
    question = rest.slice(1, end).trim();
    rest = rest.slice(end + 1);
  } else {
    const mark = rest.search(/[?？]/);
    if (mark >= 0) {
      question = rest.slice(0, mark + 1).trim();
      rest = rest.slice(mark + 1);
    }
  }
  if (!question) throw new UserError('poll.needQuestion');
  if (question.length > MAX_QUESTION) throw new UserError('poll.questionTooLong', { max: MAX_QUESTION });

  const flags = { anonymous: false, hideResults: false };
  const words = rest.trim().split(/\s+/).filter(Boolean);
  const flagOf = (word: string | undefined) => (word === undefined ? undefined : FLAGS[word.normalize('NFKC').toLowerCase()]);
  for (let f = flagOf(words[0]); f; f = flagOf(words[0])) {
    flags[f] = true;
    words.shift();
  }
  for (let f = flagOf(words[words.length - 1]); f; f = flagOf(words[words.length - 1])) {
    flags[f] = true;
    words.pop();
  }

  const body = words.join(' ');
  const options = body === '' ? [] : body.split(/[|｜]/).map((o) => o.trim());
  if (options.length < MIN_OPTIONS || options.length > MAX_OPTIONS) throw new UserError('poll.optionCount', { min: MIN_OPTIONS, max: MAX_OPTIONS, count: options.length });
  if (options.some((o) => o === '')) throw new UserError('poll.emptyOption');
  const long = options.find((o) => o.length > MAX_OPTION);
  if (long !== undefined) throw new UserError('poll.optionTooLong', { max: MAX_OPTION });
  const seen = new Set<string>();
  for (const o of options) {
    const key = o.normalize('NFKC').toLowerCase();
    if (seen.has(key)) throw new UserError('poll.duplicateOption', { option: o });
    seen.add(key);
  }
  return { question, options, ...flags };
}

/**
 * The voter of an anonymous poll: HMAC-SHA256 keyed by the poll's own random
 * salt over "<poll id>:<member id>". Without the salt (erased at the close)
 * the hash cannot be recomputed for a member, so the rows cannot be joined
 * back to members by trying every member id.
 */
export function anonymousVoter(saltHex: string, pollId: number, memberId: number): string {
  return createHmac('sha256', Buffer.from(saltHex, 'hex')).update(`${pollId}:${memberId}`, 'utf8').digest('hex');
}

export const BAR_WIDTH = 10;

/** `▇▇▇▇░░░░░░ 40% (12)`: the share of voters who chose an option. */
export function bar(count: number, voters: number, width = BAR_WIDTH): string {
  const share = voters > 0 ? count / voters : 0;
  const filled = Math.round(share * width);
  return `${'▇'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.round(share * 100)}% (${count})`;
}

/** One line per option: `1. 苹果  ▇▇▇▇░░░░░░ 40% (2)`. */
export function resultLines(options: readonly string[], counts: readonly number[], voters: number): string[] {
  return options.map((option, i) => `${i + 1}. ${option}\n${bar(counts[i] ?? 0, voters)}`);
}

const HOUR_MS = 3_600_000;

/** Why a poll is posted with buttons instead of as the platform's own poll. */
export type NativeMisfit = 'anonymous' | 'hidden' | 'multi' | 'answers' | 'answer' | 'question' | 'duration';

export type NativeFit = { fits: true; hours: number; multiselect: boolean } | { fits: false; why: NativeMisfit };

/**
 * Whether a poll fits the platform's own polls: not anonymous (the platform
 * shows who voted), results not hidden (it shows them live), one choice or
 * any number of them (no k-of-n limit), answers and question within the
 * limits, and an end within `maxHours` whole hours. The platform's duration
 * is the end rounded up to the hour; the poll's own timer still closes it at
 * the exact time (and ends the platform's poll then). Without an end time
 * the platform's poll runs the longest it can.
 */
export function nativeFit(poll: { question: string; options: readonly string[]; anonymous: boolean; hideResults: boolean; multi: number; endsAt: number | null }, now: number, limits: NativePollLimits): NativeFit {
  if (poll.anonymous) return { fits: false, why: 'anonymous' };
  if (poll.hideResults) return { fits: false, why: 'hidden' };
  if (poll.multi > 1 && poll.multi < poll.options.length) return { fits: false, why: 'multi' };
  if (poll.options.length > limits.answers) return { fits: false, why: 'answers' };
  if (poll.options.some((o) => o.length > limits.answer)) return { fits: false, why: 'answer' };
  if (poll.question.length > limits.question) return { fits: false, why: 'question' };
  const hours = poll.endsAt === null ? limits.maxHours : Math.max(1, Math.ceil((poll.endsAt - now) / HOUR_MS));
  if (hours > limits.maxHours) return { fits: false, why: 'duration' };
  return { fits: true, hours, multiselect: poll.multi > 1 };
}
