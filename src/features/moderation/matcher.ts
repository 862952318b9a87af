/**
 * A compact Aho–Corasick automaton over UTF-16 code units: many patterns
 * found in one pass over the text, overlaps included.
 *
 * Why not a package: the npm candidates checked (2026-11) were either
 * unmaintained or far too slow for the target of 10 million
 * characters a second (modern-ahocorasick 3.3.0 searched about 70 thousand
 * a second with 2,000 patterns, because it segments graphemes); patterns
 * and texts here are already normalised (normalize.ts), so code units are
 * what we need.
 *
 * Build: a trie, then failure links breadth-first; each node's outputs are
 * its own pattern plus the outputs of its failure node (merged once at build
 * time, so the scan never walks dictionary links).
 *
 * Layout for the scan: a double array. The code units the patterns use
 * are renumbered 1.. by frequency (0: in no pattern, straight back to the
 * root); a node's child by code k sits at slot base + k, and that slot's
 * check names its parent (plus a flag when the child has outputs), so a
 * transition is two reads of one typed array, whatever the node's fan-out.
 * Bases are given breadth-first, each the first whose slots are all free
 * (after a few dozen tries among the holes, past the highest slot taken: a
 * few percent more slots for a bounded build). Failure slots and output
 * lists sit in their own arrays, read only on a miss or a hit.
 *
 * Measured with the moderation bench's 50,000-term lists, scan alone,
 * interleaved in one run: about 2.7× the open-addressing hash of (node,
 * code unit) it replaced on the generated worst case (every character moves
 * the automaton), about the same on real Chinese text (most characters
 * fail back to the root within a step or two; what made the filter slow
 * there was its second scan, see filter.ts). A per-node sorted edge list was
 * tried too: between the two on the worst case, no better on real text.
 * Building a 50,000-term list takes about twice as long as with the hash
 * (0.6 s against 0.3 s on the bench machine).
 */

/** In a slot's check: the node in this slot has outputs. */
const OUT = 1 << 30;
/** A slot's check without the OUT flag: the parent of the node in it; a free slot (-1) and the root (-2) give values no node has. */
const PARENT = OUT - 1;

/** Hits of one scan: pattern and end (exclusive) per hit, in order of end position. */
export class Hits {
  pattern = new Int32Array(64);
  end = new Int32Array(64);
  count = 0;

  push(pattern: number, end: number): void {
    if (this.count === this.pattern.length) {
      const pattern = new Int32Array(this.count * 2);
      pattern.set(this.pattern);
      this.pattern = pattern;
      const ends = new Int32Array(this.count * 2);
      ends.set(this.end);
      this.end = ends;
    }
    this.pattern[this.count] = pattern;
    this.end[this.count++] = end;
  }
}

export class AhoCorasick {
  readonly lengths: readonly number[];
  /** Code unit → its code in the automaton's alphabet, 1.., most frequent first (0: in no pattern, back to the root). */
  private readonly code = new Uint16Array(65536);
  /** Two integers per slot, the root at slot 0: base (a node's child by code k sits at slot base + k) and check (the parent of the node in this slot, OUT added when it has outputs). */
  private readonly slots: Int32Array;
  /** Failure slot by slot. */
  private readonly fail: Int32Array;
  /** By slot: where the node's outputs start in `outs`. */
  private readonly outAt: Int32Array;
  /** Pattern indices, each node's list ending with -1. */
  private readonly outs: Int32Array;
  private readonly nodeCount: number;

  constructor(patterns: readonly string[]) {
    this.lengths = patterns.map((p) => p.length);
    const next: Array<Map<number, number>> = [new Map()];
    const own: Array<number[] | undefined> = [undefined];
    const frequency = new Map<number, number>();
    patterns.forEach((pattern, index) => {
      if (pattern.length === 0) throw new Error('empty pattern');
      let node = 0;
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charCodeAt(i);
        frequency.set(c, (frequency.get(c) ?? 0) + 1);
        const map = next[node] as Map<number, number>;
        let child = map.get(c);
        if (child === undefined) {
          child = next.length;
          map.set(c, child);
          next.push(new Map());
          own.push(undefined);
        }
        node = child;
      }
      (own[node] ??= []).push(index);
    });
    const alphabet = [...frequency].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    alphabet.forEach(([c], i) => (this.code[c] = i + 1));
    // Failure links breadth-first: a node's failure is the longest proper suffix that is also a trie path.
    const fail = new Int32Array(next.length);
    const out: Array<number[] | undefined> = own.slice();
    const order: number[] = [0];
    for (const child of (next[0] as Map<number, number>).values()) order.push(child);
    for (let head = 1; head < order.length; head++) {
      const node = order[head] as number;
      for (const [c, child] of next[node] as Map<number, number>) {
        order.push(child);
        let f = fail[node] as number;
        while (f !== 0 && !(next[f] as Map<number, number>).has(c)) f = fail[f] as number;
        const target = (next[f] as Map<number, number>).get(c);
        const failTo = target !== undefined && target !== child ? target : 0;
        fail[child] = failTo;
        const inherited = out[failTo];
        if (inherited) out[child] = [...(out[child] ?? []), ...inherited];
      }
    }
    // Double array, breadth-first: each node's children get the first base whose slots are all free.
    const slotOf = new Int32Array(next.length);
    let taken = new Uint8Array(Math.max(1024, next.length * 2 + alphabet.length + 2));
    let bases = new Int32Array(taken.length);
    taken[0] = 1;
    let firstFree = 1;
    let top = 0;
    for (const node of order) {
      const map = next[node] as Map<number, number>;
      if (map.size === 0) continue;
      const codes = [...map.keys()].map((c) => this.code[c] as number).sort((a, b) => a - b);
      const lowest = codes[0] as number;
      let base = Math.max(0, firstFree - lowest);
      for (let tries = 0; ; tries++) {
        // Past a few dozen tries among the holes, use fresh slots beyond the highest taken one (a little space for a bounded build).
        if (tries === 32) base = Math.max(base, top + 1 - lowest);
        const need = base + (codes[codes.length - 1] as number) + 1;
        if (need > taken.length) {
          const grown = new Uint8Array(need * 2);
          grown.set(taken);
          taken = grown;
          const grownBases = new Int32Array(need * 2);
          grownBases.set(bases);
          bases = grownBases;
        }
        let free = true;
        for (let i = 0; free && i < codes.length; i++) free = taken[base + (codes[i] as number)] === 0;
        if (free) break;
        // The next base whose lowest child's slot is free.
        for (base++; taken[base + lowest] === 1; ) base++;
      }
      const slot = slotOf[node] as number;
      bases[slot] = base;
      for (const [c, child] of map) {
        const at = base + (this.code[c] as number);
        taken[at] = 1;
        slotOf[child] = at;
        top = Math.max(top, at);
      }
      while (taken[firstFree] === 1) firstFree++;
    }
    const size = top + alphabet.length + 2;
    if (size >= PARENT) throw new Error('word list too large for the automaton');
    this.slots = new Int32Array(size * 2).fill(-1);
    this.fail = new Int32Array(size);
    this.outAt = new Int32Array(size);
    let outSize = 0;
    for (const list of out) if (list) outSize += list.length + 1;
    this.outs = new Int32Array(outSize);
    let at = 0;
    for (const node of order) {
      const slot = slotOf[node] as number;
      this.slots[slot * 2] = bases[slot] as number;
      const list = out[node];
      for (const child of (next[node] as Map<number, number>).values()) this.slots[(slotOf[child] as number) * 2 + 1] = slot | (out[child] ? OUT : 0);
      this.fail[slot] = slotOf[fail[node] as number] as number;
      if (list) {
        this.outAt[slot] = at;
        for (const p of list) this.outs[at++] = p;
        this.outs[at++] = -1;
      }
    }
    this.slots[1] = -2;
    this.nodeCount = next.length;
  }

  /** Number of trie nodes (memory is roughly proportional). */
  get size(): number {
    return this.nodeCount;
  }

  /**
   * Every occurrence that lies within units[begin, end), appended to `hits`
   * in order of end position (a position's longer patterns first). The scan
   * starts at the root at `begin`, so an occurrence that starts before it is
   * not reported.
   */
  find(units: Uint16Array, begin: number, end: number, hits: Hits): void {
    const { code, slots, fail, outAt, outs } = this;
    let node = 0;
    for (let i = begin; i < end; i++) {
      const k = code[units[i] as number] as number;
      if (k === 0) {
        node = 0;
        continue;
      }
      for (;;) {
        const t = (slots[node * 2] as number) + k;
        const check = slots[t * 2 + 1] as number;
        if ((check & PARENT) === node) {
          node = t;
          if ((check & OUT) !== 0) for (let x = outAt[t] as number; (outs[x] as number) !== -1; x++) hits.push(outs[x] as number, i + 1);
          break;
        }
        if (node === 0) break;
        node = fail[node] as number;
      }
    }
  }

  /**
   * Calls `found(pattern, start, end)` for every occurrence (end exclusive),
   * in order of end position; stop early by returning true.
   */
  scan(text: string, found: (pattern: number, start: number, end: number) => boolean | void): void {
    const units = new Uint16Array(text.length);
    for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
    const hits = new Hits();
    this.find(units, 0, units.length, hits);
    for (let h = 0; h < hits.count; h++) {
      const p = hits.pattern[h] as number;
      const end = hits.end[h] as number;
      if (found(p, end - (this.lengths[p] as number), end) === true) return;
    }
  }
}
