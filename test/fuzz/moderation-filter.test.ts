/**
 * Property-based test of the word filter (filter.ts, matcher.ts): on random
 * lists and texts it reports exactly what a naive reference written here
 * reports — normalise, then every occurrence of every entry as written and,
 * for an entry with no character twice in a row, stretched over runs of
 * repeated characters (whole runs), ASCII words only at word edges, block
 * spans cancelled by an allow span that covers them, one report per entry in
 * text order. The alphabet is small so that entries overlap, share
 * prefixes and suffixes, and repeat; it includes an astral letter, lone
 * surrogates (normalised text reads each as U+FFFD, unless dropped separators
 * bring two halves together), separators, full-width and upper-case forms
 * and a variant pair.
 * Seed and run counts: see ./support.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WordFilter, type FilterEntry, type FilterMatch } from '../../src/features/moderation/filter.js';
import { isWordUnit, normalize, normalizeKey } from '../../src/features/moderation/normalize.js';
import { fuzz } from './support.js';

const FILE = 'test/fuzz/moderation-filter.test.ts';
const VARIANTS: ReadonlyMap<string, string> = new Map([['詞', '词']]);
/** What entries are made of (as typed; normalised like the list loader does). */
const LETTERS = ['敏', '感', '词', '詞', '口', '交', '通', 'a', 'b', 'x', '1', '𠀀', 'Ａ', 'B', '\ud83d', '\ude00'];
/** What texts add between entries: letters, separators (dropped), an astral symbol (dropped). */
const NOISE = [...LETTERS, ' ', '.', '-', '\u200b', '😀', '，', '敏敏', '感感感', 'aa', '𠀀𠀀'];

interface Span {
  entry: number;
  start: number;
  end: number;
  /** Found as written (before stretched matches of the same span). */
  exact: boolean;
}

/** The reference: every span by brute force, then the same rules as the filter states them. */
function reference(entries: readonly FilterEntry[], raw: string, variants: ReadonlyMap<string, string>): FilterMatch[] {
  const { text, gapBefore } = normalize(raw, variants);
  // Runs of one code point: [code point, start, end) in code units.
  const runs: Array<{ cp: string; start: number; end: number }> = [];
  for (let i = 0; i < text.length; ) {
    const cp = String.fromCodePoint(text.codePointAt(i) as number);
    const last = runs.at(-1);
    if (last && last.cp === cp) last.end += cp.length;
    else runs.push({ cp, start: i, end: i + cp.length });
    i += cp.length;
  }
  const spans: Span[] = [];
  entries.forEach((e, entry) => {
    for (let at = text.indexOf(e.word); at !== -1; at = text.indexOf(e.word, at + 1)) spans.push({ entry, start: at, end: at + e.word.length, exact: true });
    const chars = [...e.word];
    if (chars.some((c, i) => i > 0 && chars[i - 1] === c)) return;
    for (let r = 0; r + chars.length <= runs.length; r++) {
      if (chars.every((c, j) => runs[r + j]?.cp === c)) spans.push({ entry, start: (runs[r] as { start: number }).start, end: (runs[r + chars.length - 1] as { end: number }).end, exact: false });
    }
  });
  const wordEdge = (at: number): boolean => at === 0 || at === text.length || gapBefore[at] === 1 || !isWordUnit(text.charCodeAt(at - 1)) || !isWordUnit(text.charCodeAt(at));
  const kept = spans.filter((s) => {
    const word = (entries[s.entry] as FilterEntry).word;
    return (!isWordUnit(word.charCodeAt(0)) || wordEdge(s.start)) && (!isWordUnit(word.charCodeAt(word.length - 1)) || wordEdge(s.end));
  });
  const allows = kept.filter((s) => (entries[s.entry] as FilterEntry).allow);
  const blocks = kept
    .filter((s) => !(entries[s.entry] as FilterEntry).allow && !allows.some((a) => a.start <= s.start && a.end >= s.end))
    .sort((x, y) => x.start - y.start || y.end - x.end || Number(y.exact) - Number(x.exact) || x.entry - y.entry);
  const out: FilterMatch[] = [];
  for (const b of blocks) {
    if (out.some((m) => m.id === (entries[b.entry] as FilterEntry).id)) continue;
    const e = entries[b.entry] as FilterEntry;
    out.push({ id: e.id, word: e.word, start: b.start, end: b.end });
  }
  return out;
}

const letters = (max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...LETTERS), { minLength: 1, maxLength: max }).map((cs) => cs.join(''));

/** Entries as a list holds them: normalised, at least two characters, some allow entries, some duplicates of a word. */
const entryList = (max: number): fc.Arbitrary<FilterEntry[]> =>
  fc.array(fc.record({ word: letters(5), allow: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) }), { minLength: 1, maxLength: max }).map((list) =>
    list
      .map((e, i) => ({ id: `e:${i}`, word: normalizeKey(e.word, VARIANTS), allow: e.allow }))
      .filter((e) => [...e.word].length >= 2),
  );

/** A text made of noise and of entries, some stretched (each character 1–3 times) or split by separators. */
function textOf(words: readonly string[]): fc.Arbitrary<string> {
  const piece = words.length === 0
    ? fc.constantFrom(...NOISE)
    : fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...NOISE) },
        { weight: 2, arbitrary: fc.constantFrom(...words) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(...words).chain((w) =>
            fc.array(fc.integer({ min: 1, max: 3 }), { minLength: [...w].length, maxLength: [...w].length }).map((times) => [...w].map((c, i) => c.repeat(times[i] as number)).join('')),
          ),
        },
        { weight: 1, arbitrary: fc.constantFrom(...words).map((w) => [...w].join(' ')) },
      );
  return fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));
}

const listAndText = (max: number): fc.Arbitrary<[FilterEntry[], string]> => entryList(max).chain((list) => fc.tuple(fc.constant(list), textOf(list.map((e) => e.word))));

describe('word filter against a naive reference (property)', () => {
  it('small lists: the same matches, spans and order, and first() is the first of them', async () => {
    await fuzz(
      FILE,
      fc.property(listAndText(6), ([list, text]) => {
        const filter = new WordFilter(list, VARIANTS);
        const want = reference(list, text, VARIANTS);
        expect(filter.match(text)).toEqual(want);
        expect(filter.first(text)).toEqual(want[0]);
      }),
      400,
    );
  });

  it('larger lists (up to 120 entries over the same alphabet): the same matches', async () => {
    await fuzz(
      FILE,
      fc.property(listAndText(120), ([list, text]) => {
        const filter = new WordFilter(list, VARIANTS);
        expect(filter.match(text)).toEqual(reference(list, text, VARIANTS));
      }),
      150,
    );
  });
});
