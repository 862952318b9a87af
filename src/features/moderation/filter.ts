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
import { AhoCorasick } from './matcher.js';
import { collapseRepeats, hasRepeat, isWordUnit, normalize } from './normalize.js';

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

interface Span {
  entry: number;
  start: number;
  end: number;
}

export class WordFilter {
  private readonly automaton: AhoCorasick;
  private readonly stretchable: boolean[];
  private readonly edgeStart: boolean[];
  private readonly edgeEnd: boolean[];

  constructor(
    private readonly entries: readonly FilterEntry[],
    private readonly variants?: ReadonlyMap<string, string>,
  ) {
    this.automaton = new AhoCorasick(entries.map((e) => e.word));
    this.stretchable = entries.map((e) => !hasRepeat(e.word));
    this.edgeStart = entries.map((e) => isWordUnit(e.word.charCodeAt(0)));
    this.edgeEnd = entries.map((e) => isWordUnit(e.word.charCodeAt(e.word.length - 1)));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The block matches no allow entry covers, one per entry, in text order. */
  match(raw: string, options: { first?: boolean } = {}): FilterMatch[] {
    if (this.entries.length === 0) return [];
    const { text, gapBefore } = normalize(raw, this.variants);
    const blocks: Span[] = [];
    const allows: Span[] = [];
    const atEdges = (entry: number, start: number, end: number): boolean =>
      (!this.edgeStart[entry] || start === 0 || gapBefore[start] === 1 || !isWordUnit(text.charCodeAt(start - 1))) &&
      (!this.edgeEnd[entry] || end === text.length || gapBefore[end] === 1 || !isWordUnit(text.charCodeAt(end)));
    const add = (entry: number, start: number, end: number): void => {
      if (!atEdges(entry, start, end)) return;
      ((this.entries[entry] as FilterEntry).allow ? allows : blocks).push({ entry, start, end });
    };
    this.automaton.scan(text, (entry, start, end) => add(entry, start, end));
    const collapsed = collapseRepeats(text);
    if (collapsed) {
      const { from } = collapsed;
      this.automaton.scan(collapsed.text, (entry, start, end) => {
        if (this.stretchable[entry]) add(entry, from[start] as number, end < from.length ? (from[end] as number) : text.length);
      });
    }
    const covered = (b: Span): boolean => allows.some((a) => a.start <= b.start && a.end >= b.end);
    const seen = new Set<number>();
    const out: FilterMatch[] = [];
    for (const b of blocks.sort((x, y) => x.start - y.start || y.end - x.end)) {
      if (seen.has(b.entry) || covered(b)) continue;
      seen.add(b.entry);
      const entry = this.entries[b.entry] as FilterEntry;
      out.push({ id: entry.id, word: entry.word, start: b.start, end: b.end });
      if (options.first) break;
    }
    return out;
  }

  first(raw: string): FilterMatch | undefined {
    return this.match(raw, { first: true })[0];
  }
}
