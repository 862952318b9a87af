/**
 * The text the word filter matches against, and the same for list entries.
 *
 * 1. NFKC: full-width letters and digits become ASCII (ｓｅｘ → sex), circled
 *    and other compatibility forms their plain ones (① → 1), Kangxi radicals
 *    the ideographs (⽅ → 方).
 * 2. Lower case.
 * 3. Variant pairs a list declares (`詞|词`): the first character is read as
 *    the second. No converter is built in: only the pairs a list gives.
 * 4. Separators dropped: white space, punctuation, symbols (emoji
 *    included), control, format (zero-width space, joiners, BOM, bidi marks)
 *    and combining marks, so `敏 感`, `敏-感`, `敏.感`, `敏\u200b感`, `敏😀感`
 *    all read `敏感`. Letters and digits are never dropped: `敏1感` stays.
 *    Where something was dropped is kept (`gapBefore`): an entry that starts
 *    or ends with an ASCII letter or digit matches only at a word edge, so
 *    `sex` matches `s.e.x` and `sex片` but not `Essex`.
 *
 * Repeated characters (`敏敏感感`) are not collapsed here: see filter.ts.
 */

export interface Normalized {
  text: string;
  /** gapBefore[i]: something was dropped between character i - 1 and i (or i is the first). */
  gapBefore: Uint8Array;
}

const SEPARATOR = /^[\p{Z}\p{P}\p{S}\p{Cc}\p{Cf}\p{M}\s]$/u;

/** Whether a code point (after NFKC and lower case) is dropped as a separator. */
function isSeparator(cp: number): boolean {
  if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39) || (cp >= 0x4e00 && cp <= 0x9fff)) return false;
  return SEPARATOR.test(String.fromCodePoint(cp));
}

/** ASCII letter or digit: the characters whose words must not be matched inside longer words. */
export function isWordUnit(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
}

export function normalize(raw: string, variants?: ReadonlyMap<string, string>): Normalized {
  const folded = raw.normalize('NFKC').toLowerCase();
  let text = '';
  const gaps: number[] = [];
  let gap = true;
  for (const ch of folded) {
    const cp = ch.codePointAt(0) as number;
    if (isSeparator(cp)) {
      gap = true;
      continue;
    }
    const out = variants?.get(ch) ?? ch;
    text += out;
    for (let k = 0; k < out.length; k++) gaps.push(k === 0 && gap ? 1 : 0);
    gap = false;
  }
  return { text, gapBefore: Uint8Array.from(gaps) };
}

/** Just the text (list entries, lookups). */
export function normalizeKey(raw: string, variants?: ReadonlyMap<string, string>): string {
  return normalize(raw, variants).text;
}

/**
 * Runs of one character collapsed to one (`敏敏感感` → `敏感`), with where
 * each collapsed character starts in the input.
 */
export function collapseRepeats(text: string): { text: string; from: number[] } | undefined {
  let out = '';
  const from: number[] = [];
  let previous = '';
  let changed = false;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    if (ch === previous) changed = true;
    else {
      out += ch;
      for (let k = 0; k < ch.length; k++) from.push(i + k);
      previous = ch;
    }
    i += ch.length;
  }
  return changed ? { text: out, from } : undefined;
}

/** Whether a text has a character twice in a row (such an entry is matched only as written). */
export function hasRepeat(text: string): boolean {
  return collapseRepeats(text) !== undefined;
}

/** A word as shown in public or to admins: its first character, the rest masked (`敏＊`). */
export function mask(word: string): string {
  const chars = [...word];
  return chars.length <= 1 ? '＊' : `${chars[0]}${'＊'.repeat(Math.min(chars.length - 1, 8))}`;
}
