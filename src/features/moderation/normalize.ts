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
  /** The text's code units (what the word filter scans, without reading the string back). */
  units: Uint16Array;
}

const SEPARATOR = /^[\p{Z}\p{P}\p{S}\p{Cc}\p{Cf}\p{M}\s]$/u;

/** Per BMP code unit: 0 not looked up yet, 1 kept, 2 a separator (filled on first sight). */
const BMP_CLASS = new Uint8Array(65536);

/** Whether a code point (after NFKC and lower case) is dropped as a separator. */
function isSeparator(cp: number): boolean {
  if (cp < 65536) {
    let known = BMP_CLASS[cp] as number;
    if (known === 0) BMP_CLASS[cp] = known = SEPARATOR.test(String.fromCharCode(cp)) ? 2 : 1;
    return known === 2;
  }
  return SEPARATOR.test(String.fromCodePoint(cp));
}

/** ASCII letter or digit: the characters whose words must not be matched inside longer words. */
export function isWordUnit(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
}

const UTF16 = new TextDecoder('utf-16le');
const decode = (units: Uint16Array): string => UTF16.decode(units);

/** Variant pairs by code point (cached per map). */
const byCodePoint = new WeakMap<ReadonlyMap<string, string>, Map<number, string>>();
function variantTable(variants: ReadonlyMap<string, string> | undefined): Map<number, string> | undefined {
  if (variants === undefined || variants.size === 0) return undefined;
  let table = byCodePoint.get(variants);
  if (!table) {
    table = new Map([...variants].map(([from, to]) => [from.codePointAt(0) as number, to]));
    byCodePoint.set(variants, table);
  }
  return table;
}

export function normalize(raw: string, variants?: ReadonlyMap<string, string>): Normalized {
  const folded = raw.normalize('NFKC').toLowerCase();
  const table = variantTable(variants);
  // A variant may be an astral character for a BMP one: room for two units each.
  const units = new Uint16Array(folded.length * 2);
  const gaps = new Uint8Array(folded.length * 2);
  let length = 0;
  let gap = true;
  let surrogates = false;
  for (let i = 0; i < folded.length; ) {
    const cp = folded.codePointAt(i) as number;
    i += cp > 0xffff ? 2 : 1;
    if (isSeparator(cp)) {
      gap = true;
      continue;
    }
    if (gap) gaps[length] = 1;
    gap = false;
    const to = table?.get(cp);
    if (to !== undefined) {
      for (let k = 0; k < to.length; k++) units[length++] = to.charCodeAt(k);
      surrogates = true;
    } else if (cp > 0xffff) {
      units[length++] = 0xd800 + ((cp - 0x10000) >> 10);
      units[length++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      surrogates = true;
    } else {
      units[length++] = cp;
      if (cp >= 0xd800 && cp <= 0xdfff) surrogates = true;
    }
  }
  const kept = units.subarray(0, length);
  const text = decode(kept);
  // The decoder reads a lone surrogate as U+FFFD (one unit for one, and two halves that dropped separators brought together as a pair): the units say what the text says.
  if (surrogates) for (let k = 0; k < length; k++) kept[k] = text.charCodeAt(k);
  return { text, gapBefore: gaps.subarray(0, length), units: kept };
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
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  const from = new Int32Array(text.length);
  const length = collapseUnits(units, units.length, from);
  if (length < 0) return undefined;
  const kept = new Uint16Array(length);
  for (let k = 0; k < length; k++) kept[k] = units[from[k] as number] as number;
  return { text: decode(kept), from: Array.from(from.subarray(0, length)) };
}

/**
 * collapseRepeats on code units, writing nothing but `from` (at least
 * `length` long): the collapsed length, or -1 when nothing collapses. The
 * collapsed text is units[from[0]], units[from[1]], ….
 */
export function collapseUnits(units: Uint16Array, length: number, from: Int32Array): number {
  // Most texts have no repeat: find the first before building anything.
  let i = 0;
  let previous = -1;
  for (; i < length; i++) {
    const c = units[i] as number;
    if (c === previous && !isLowSurrogate(c)) break;
    previous = c;
  }
  if (i >= length && !hasRepeatedAstral(units, length)) return -1;
  let kept = 0;
  let last = -1;
  for (let k = 0; k < length; ) {
    // A code point as String.prototype.codePointAt reads it: a high surrogate and a low one are one, a lone surrogate is itself.
    const c = units[k] as number;
    if (c < 0xd800 || c > 0xdbff) {
      // Not a high surrogate: the unit is the code point.
      if (c !== last) {
        from[kept++] = k;
        last = c;
      }
      k++;
      continue;
    }
    const low = k + 1 < length ? (units[k + 1] as number) : -1;
    const pair = c >= 0xd800 && c <= 0xdbff && isLowSurrogate(low);
    const cp = pair ? 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00) : c;
    if (cp !== last) {
      from[kept++] = k;
      if (pair) from[kept++] = k + 1;
      last = cp;
    }
    k += pair ? 2 : 1;
  }
  return kept === length ? -1 : kept;
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** A character outside the BMP twice in a row (its surrogate pairs repeat). */
function hasRepeatedAstral(units: Uint16Array, length: number): boolean {
  for (let k = 0; k + 3 < length; k++) {
    if (units[k] === units[k + 2] && units[k + 1] === units[k + 3] && isLowSurrogate(units[k + 1] as number) && !isLowSurrogate(units[k] as number)) return true;
  }
  return false;
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
