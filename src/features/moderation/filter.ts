/**
 * The word filter: list entries (normalised, normalize.ts) matched with one
 * Aho–Corasick automaton (matcher.ts), allow entries cancelling the matches
 * they cover, ASCII words matched only at word edges.
 *
 * Repeated characters: an entry with no character twice in a row (`敏感`,
 * `法轮功`) also matches with its characters stretched (`敏敏感感`,
 * `法法轮轮功`): the text is scanned a second time with runs collapsed, and
 * only such entries count there. An entry that has a repeat of its own
 * (`嘻嘻哈哈`) matches only as written, since collapsing it would make a
 * different, shorter word. That is the rule "collapse where the entry allows
 * it": the entry's own shape decides, no flag to forget.
 *
 * Allow entries (`!路口交通`): a block match whose whole span lies inside an
 * allow match is cancelled, so 路口交通 does not flag 口交 while 口交 alone
 * still does.
 */
import { AhoCorasick, Hits } from './matcher.js';
import { collapseUnits, hasRepeat, isWordUnit, normalize } from './normalize.js';

export interface FilterEntry {
  /** The rule's id as the modlog names it: `list:12` (default list, line 12), `c:5` (the community's entry #5). */
  id: string;
  /** Normalised (normalize.ts). */
  word: string;
  allow: boolean;
}

export interface FilterMatch {
  id: string;
  word: string;
  /** Span in the normalised text. */
  start: number;
  end: number;
}

/**
 * Speed (issue #15's 10 M characters a second with 50,000 terms; measured
 * with npm run bench -- moderation): one scan of the text into a reused hit
 * buffer, no closure or object per hit. The stretched form is not scanned
 * whole: a match there that stretches nothing (all its characters single in
 * the text) is one the first scan already found with the same span, so only
 * windows around the collapsed runs whose character some stretchable entry
 * uses are scanned (a run at collapsed position k: the window k - L + 1 to
 * k + L, L the longest stretchable entry), read through `from` without
 * building the collapsed string; a text with no such run skips the collapse.
 * That second scan of the whole text was about half the cost on real
 * Chinese text, where nearly every 1,000 characters have a repeat.
 * test/fuzz/moderation-filter.test.ts checks all of this against a naive
 * reference.
 */
export class WordFilter {
  private readonly automaton: AhoCorasick;
  private readonly lengths: readonly number[];
  /** Per entry, 1 or 0: no character twice in a row; starts / ends with an ASCII letter or digit; an allow entry. */
  private readonly stretchable: Uint8Array;
  private readonly edgeStart: Uint8Array;
  private readonly edgeEnd: Uint8Array;
  private readonly allow: Uint8Array;
  /** Code units some stretchable entry contains, and the longest such entry. */
  private readonly stretchUnits = new Uint8Array(65536);
  private readonly stretchLength: number;
  /** Per-call scratch, reused (match is synchronous): hits, the collapsed origins and units, spans, the entries reported. */
  private readonly hits = new Hits();
  private from = new Int32Array(0);
  private collapsed = new Uint16Array(0);
  private readonly seen: Uint32Array;
  private call = 0;

  constructor(
    private readonly entries: readonly FilterEntry[],
    private readonly variants?: ReadonlyMap<string, string>,
  ) {
    this.automaton = new AhoCorasick(entries.map((e) => e.word));
    this.lengths = this.automaton.lengths;
    this.stretchable = Uint8Array.from(entries, (e) => (hasRepeat(e.word) ? 0 : 1));
    this.edgeStart = Uint8Array.from(entries, (e) => (isWordUnit(e.word.charCodeAt(0)) ? 1 : 0));
    this.edgeEnd = Uint8Array.from(entries, (e) => (isWordUnit(e.word.charCodeAt(e.word.length - 1)) ? 1 : 0));
    this.allow = Uint8Array.from(entries, (e) => (e.allow ? 1 : 0));
    let longest = 0;
    entries.forEach((e, i) => {
      if (this.stretchable[i] === 0) return;
      longest = Math.max(longest, e.word.length);
      for (let k = 0; k < e.word.length; k++) this.stretchUnits[e.word.charCodeAt(k)] = 1;
    });
    this.stretchLength = longest;
    this.seen = new Uint32Array(entries.length);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The block matches no allow entry covers, one per entry, in text order. */
  match(raw: string, options: { first?: boolean } = {}): FilterMatch[] {
    if (this.entries.length === 0) return [];
    const { units, gapBefore } = normalize(raw, this.variants);
    const length = units.length;
    const { hits, lengths, edgeStart, edgeEnd, allow } = this;
    // Spans as flat triples (entry, start, end), in the order found.
    const blocks: number[] = [];
    const allows: number[] = [];
    const add = (entry: number, start: number, end: number): void => {
      if (edgeStart[entry] === 1 && start !== 0 && gapBefore[start] !== 1 && isWordUnit(units[start - 1] as number)) return;
      if (edgeEnd[entry] === 1 && end !== length && gapBefore[end] !== 1 && isWordUnit(units[end] as number)) return;
      (allow[entry] === 1 ? allows : blocks).push(entry, start, end);
    };
    hits.count = 0;
    this.automaton.find(units, 0, length, hits);
    for (let h = 0; h < hits.count; h++) {
      const entry = hits.pattern[h] as number;
      const end = hits.end[h] as number;
      add(entry, end - (lengths[entry] as number), end);
    }
    if (this.stretchLength > 0) this.stretched(units, length, add);
    if (blocks.length === 0) return [];
    return this.report(blocks, allows, options.first === true);
  }

  first(raw: string): FilterMatch | undefined {
    return this.match(raw, { first: true })[0];
  }

  /**
   * The stretchable entries' matches in the text with runs collapsed that
   * use a collapsed run, with their spans in the text (whole runs).
   */
  private stretched(units: Uint16Array, length: number, add: (entry: number, start: number, end: number) => void): void {
    if (this.from.length < length) {
      this.from = new Int32Array(length * 2);
      this.collapsed = new Uint16Array(length * 2);
    }
    const { from, collapsed, hits, stretchUnits, stretchable } = this;
    if (!hasStretchableRun(units, length, stretchUnits)) return;
    const kept = collapseUnits(units, length, from);
    if (kept < 0) return;
    const reach = this.stretchLength;
    let k = 0;
    while (k < kept) {
      // The next collapsed run (unit k stands for more than itself) of a character some stretchable entry uses.
      const next = k + 1 < kept ? (from[k + 1] as number) : length;
      if (next - (from[k] as number) === 1 || stretchUnits[units[from[k] as number] as number] === 0) {
        k++;
        continue;
      }
      // Its window, extended while further runs fall within reach.
      const begin = Math.max(0, k - reach + 1);
      let end = Math.min(kept, k + reach);
      for (k++; k < end; k++) {
        const after = k + 1 < kept ? (from[k + 1] as number) : length;
        if (after - (from[k] as number) > 1 && stretchUnits[units[from[k] as number] as number] === 1) end = Math.min(kept, k + reach);
      }
      for (let j = begin; j < end; j++) collapsed[j] = units[from[j] as number] as number;
      hits.count = 0;
      this.automaton.find(collapsed, begin, end, hits);
      for (let h = 0; h < hits.count; h++) {
        const entry = hits.pattern[h] as number;
        if (stretchable[entry] === 0) continue;
        const stop = hits.end[h] as number;
        const start = stop - (this.lengths[entry] as number);
        add(entry, from[start] as number, stop < kept ? (from[stop] as number) : length);
      }
    }
  }

  /** Sorted by start, longer first (found order among equals), skipping covered spans and entries already reported. */
  private report(blocks: number[], allows: number[], first: boolean): FilterMatch[] {
    const order: number[] = [];
    for (let b = 0; b < blocks.length; b += 3) order.push(b);
    order.sort((x, y) => (blocks[x + 1] as number) - (blocks[y + 1] as number) || (blocks[y + 2] as number) - (blocks[x + 2] as number) || x - y);
    if (this.call === 0xffffffff) {
      this.seen.fill(0);
      this.call = 0;
    }
    const stamp = ++this.call;
    const out: FilterMatch[] = [];
    for (const b of order) {
      const entry = blocks[b] as number;
      const start = blocks[b + 1] as number;
      const end = blocks[b + 2] as number;
      if (this.seen[entry] === stamp) continue;
      let covered = false;
      for (let a = 0; a < allows.length && !covered; a += 3) covered = (allows[a + 1] as number) <= start && (allows[a + 2] as number) >= end;
      if (covered) continue;
      this.seen[entry] = stamp;
      const e = this.entries[entry] as FilterEntry;
      out.push({ id: e.id, word: e.word, start, end });
      if (first) break;
    }
    return out;
  }
}

/**
 * Whether the text has a character twice in a row that some stretchable
 * entry uses (a unit repeated, or a low surrogate two units on as a repeated
 * astral character has): without one no window is scanned, so the collapse
 * is skipped. It may say yes where the collapse finds nothing to do.
 */
function hasStretchableRun(units: Uint16Array, length: number, stretchUnits: Uint8Array): boolean {
  for (let i = 1; i < length; i++) {
    const c = units[i] as number;
    if (stretchUnits[c] === 1 && (c === units[i - 1] || (i >= 2 && c >= 0xdc00 && c <= 0xdfff && c === units[i - 2]))) return true;
  }
  return false;
}
