/**
 * Word lists (敏感词库): the default list file and the checks every entry
 * passes, whether it comes from the file or from `/filter add`.
 *
 * File format (config/moderation/words.txt), one item a line:
 *
 *   # a comment (a line whose first non-blank character is #)
 *   敏感词          a word to flag
 *   !路口交通        an allow entry: cancels the flags it covers
 *   詞|词           a variant pair: the first character is read as the second
 *                   (traditional|simplified, or any look-alike), in texts and entries
 *
 * Entries are normalised (normalize.ts) before they are stored or compared.
 * Refused: an entry that normalises to nothing, to one character (single
 * characters flag 可靠 and 操作: give the word with its context, 操你), or
 * to more than 40; the same entry twice. Every error names the file and line:
 *   words.txt:12: "操": a single character is refused; give it with its context (e.g. the two-character word)
 */
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { normalizeKey } from './normalize.js';
import type { FilterEntry } from './filter.js';

export const MAX_ENTRY_LENGTH = 40;

export type EntryProblem = 'empty' | 'single' | 'tooLong';

/** An entry's normalised key, or why it is refused. */
export function checkEntry(raw: string, variants?: ReadonlyMap<string, string>): { ok: true; key: string } | { ok: false; problem: EntryProblem } {
  const key = normalizeKey(raw, variants);
  const length = [...key].length;
  if (length === 0) return { ok: false, problem: 'empty' };
  if (length === 1) return { ok: false, problem: 'single' };
  if (length > MAX_ENTRY_LENGTH) return { ok: false, problem: 'tooLong' };
  return { ok: true, key };
}

const PROBLEM_TEXT: Record<EntryProblem, string> = {
  empty: 'nothing is left once spaces, punctuation and symbols are dropped',
  single: 'a single character is refused (it would flag every word that contains it); give it with its context',
  tooLong: `longer than ${MAX_ENTRY_LENGTH} characters`,
};

export interface WordList {
  entries: FilterEntry[];
  variants: Map<string, string>;
}

export class WordListError extends Error {
  constructor(readonly problems: string[]) {
    super(`word list refused:\n${problems.join('\n')}`);
    this.name = 'WordListError';
  }
}

/** Parses a list file's text; throws WordListError naming every bad line as `file:line: message`. */
export function parseWordList(text: string, file = 'words.txt'): WordList {
  const name = basename(file);
  const problems: string[] = [];
  const variants = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  const items: Array<{ line: number; body: string; allow: boolean }> = [];
  lines.forEach((rawLine, i) => {
    const line = i + 1;
    const body = rawLine.replace(/^\uFEFF/, '').trim();
    if (body === '' || body.startsWith('#')) return;
    if (body.includes('|')) {
      const parts = body.split('|').map((p) => p.trim().normalize('NFKC').toLowerCase());
      const [from, to] = parts;
      if (parts.length !== 2 || from === undefined || to === undefined || [...from].length !== 1 || [...to].length !== 1) {
        problems.push(`${name}:${line}: "${body}": a variant pair is two single characters, variant|standard (e.g. 詞|词)`);
      } else if (from === to) {
        problems.push(`${name}:${line}: "${body}": both sides of the pair are the same character`);
      } else if (variants.has(from) && variants.get(from) !== to) {
        problems.push(`${name}:${line}: "${body}": ${from} is already read as ${variants.get(from)}`);
      } else variants.set(from, to);
      return;
    }
    const allow = body.startsWith('!') || body.startsWith('！');
    items.push({ line, body: allow ? body.slice(1).trim() : body, allow });
  });
  const entries: FilterEntry[] = [];
  const firstLine = new Map<string, number>();
  for (const item of items) {
    const checked = checkEntry(item.body, variants);
    if (!checked.ok) {
      problems.push(`${name}:${item.line}: "${item.body}": ${PROBLEM_TEXT[checked.problem]}`);
      continue;
    }
    const dupKey = `${item.allow ? '!' : ''}${checked.key}`;
    const earlier = firstLine.get(dupKey);
    if (earlier !== undefined) {
      problems.push(`${name}:${item.line}: "${item.body}": the same entry as line ${earlier}`);
      continue;
    }
    firstLine.set(dupKey, item.line);
    entries.push({ id: `list:${item.line}`, word: checked.key, allow: item.allow });
  }
  if (problems.length) throw new WordListError(problems);
  return { entries, variants };
}

export function loadWordList(path: string): WordList {
  return parseWordList(readFileSync(path, 'utf8'), path);
}
