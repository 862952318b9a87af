/**
 * Verifiable lottery draw, algorithm `qunbot-draw-v1`.
 *
 * Everything here is a pure function of its arguments: the seed comes from the
 * injected Rng when the lottery is created, and is stored with the lottery, so
 * a draw can be recomputed (and checked by anyone) after the seed is revealed.
 *
 * Publication, in order:
 *   1. when the lottery opens:   commitment = commitment(seedHex)
 *   2. when entries close:       entriesHash = entriesHash(entries)
 *   3. after the draw:           seedHex, the entry list, the winners
 *
 * ## Seed
 * `seedHex` is a non-empty, even-length string of hex digits (either case).
 * The "seed bytes" are those digits decoded. qunbot uses 32 random bytes.
 *
 * ## commitment(seedHex)
 * Lower-case hex of SHA-256(seed bytes).
 *
 * ## Canonical entry list and entriesHash(entries)
 * An entry is `{ id, weight }`: `id` is a non-empty string without "\n";
 * `weight` (number of tickets) is an integer >= 1. Ids are unique.
 * The canonical list is the entries sorted by `id` in UTF-16 code-unit order
 * (JavaScript's default string comparison `a < b`, not locale order).
 * The canonical serialization is, for each canonical entry, the line
 * `<id>:<weight>` (weight in decimal, no leading zeros, no spaces), lines
 * joined with a single "\n" and no trailing newline, encoded as UTF-8.
 * The empty list serializes to the empty string.
 * entriesHash = lower-case hex of SHA-256(canonical serialization).
 *   Example: [{id:'b',weight:2},{id:'a',weight:1}] → "a:1\nb:2".
 *
 * ## drawWinners({ seedHex, entries, winners, round = 0, exclude = [] })
 * 1. Pool: the canonical list without the entries whose id is in `exclude`
 *    (unknown excluded ids are ignored).
 * 2. Tickets: each pool entry contributes `weight` consecutive tickets, in
 *    canonical order; tickets are numbered 0 .. T-1 (T = total weight, at
 *    most 2^48). Tickets are never materialized: a Fenwick tree over the
 *    weights maps a ticket number to its owner.
 * 3. Random stream: for counter = 0, 1, 2, … (one counter per integer, never
 *    reused within a draw, rejected values included):
 *      mac = HMAC-SHA256(key = seed bytes,
 *                        message = UTF-8("qunbot-draw-v1:" + round + ":" + counter))
 *    with `round` and `counter` in decimal; x = the first 6 bytes of mac read
 *    as a big-endian unsigned 48-bit integer.
 * 4. Uniform pick in [0, T) by rejection sampling: limit = 2^48 − (2^48 mod T);
 *    take the next x from the stream until x < limit; the ticket is x mod T.
 *    (No modulo bias: every ticket is hit by exactly limit / T values.)
 * 5. The owner of that ticket wins; all of the owner's tickets are removed
 *    (T shrinks by the owner's weight, the remaining tickets are renumbered
 *    in canonical order) and step 4 repeats, continuing the same stream,
 *    until `winners` members have won or the pool is empty.
 * The result is the winners' ids in draw order. With fewer entrants than
 * winners, every entrant wins, in draw order. Drawing k winners gives a
 * prefix of drawing k+1, so a published list can be checked on its own.
 *
 * ## Reroll
 * A reroll is the same function with a higher `round` (1, 2, …) and the
 * winners to replace (usually all previous winners, or the ones who did not
 * claim) in `exclude`. The round number changes every HMAC message, so a
 * reroll's stream is independent of the original draw's.
 *
 * Invalid input (bad hex, duplicate ids, weights that are not positive
 * integers, a negative or fractional round or winner count) throws RangeError.
 * Cost: O(n) plus a sort when the entries are not already in canonical
 * order, plus O(log n) per winner; 100,000 entrants cost a few ms when
 * passed pre-sorted and a few tens of ms when not.
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM_VERSION = 'qunbot-draw-v1';

/** One entrant: `weight` is the number of tickets (an integer ≥ 1). */
export interface DrawEntry {
  id: string;
  weight: number;
}

export interface DrawParams {
  seedHex: string;
  entries: readonly DrawEntry[];
  /** How many distinct members win. */
  winners: number;
  /** 0 for the original draw, 1, 2, … for rerolls. */
  round?: number;
  /** Ids that cannot win in this round (previous winners on a reroll, banned members). */
  exclude?: readonly string[];
}

export interface VerifyParams extends Omit<DrawParams, 'winners'> {
  /** The winners as published, in draw order. */
  published: readonly string[];
  /** How many winners were asked for; defaults to `published.length`. */
  winners?: number;
  /** If given, must equal `commitment(seedHex)`. */
  commitment?: string;
  /** If given, must equal `entriesHash(entries)`. */
  entriesHash?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** The winners the algorithm gives for these inputs. */
  expected: string[];
}

/** Integers read from the HMAC stream have this many bits. */
const STREAM_BITS = 48;
const TWO_POW_48 = 2 ** STREAM_BITS;

function seedBytes(seedHex: string): Buffer {
  if (seedHex.length === 0 || seedHex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(seedHex)) {
    throw new RangeError('seedHex must be a non-empty, even-length hex string');
  }
  return Buffer.from(seedHex, 'hex');
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the seed bytes, lower-case hex: publish this before the draw. */
export function commitment(seedHex: string): string {
  return sha256Hex(seedBytes(seedHex));
}

const INDEX_BITS = 19;
const INDEX_SCALE = 2 ** INDEX_BITS;
const KEY_BITS = 34;

/**
 * Indices of `ids` in UTF-16 code-unit order, the same order as
 * `[...ids].sort()`, but faster for large lists: after the longest common
 * prefix, the next few code units (rank-compressed over the alphabet actually
 * used) are packed with the index into one float64, sorted natively; the
 * rare ties are then sorted with a full string comparison.
 */
export function codeUnitOrder(ids: readonly string[]): number[] {
  const n = ids.length;
  const byString = (a: number, b: number): number => {
    const x = ids[a] ?? '';
    const y = ids[b] ?? '';
    return x < y ? -1 : x > y ? 1 : a - b;
  };
  if (n < 64 || n > INDEX_SCALE) return Array.from({ length: n }, (_, i) => i).sort(byString);

  const first = ids[0] ?? '';
  let lcp = first.length;
  for (const id of ids) {
    const m = Math.min(lcp, id.length);
    let j = 0;
    while (j < m && id.charCodeAt(j) === first.charCodeAt(j)) j++;
    lcp = j;
  }
  const present = new Uint8Array(65536);
  for (const id of ids) {
    const end = Math.min(id.length, lcp + KEY_BITS);
    for (let j = lcp; j < end; j++) present[id.charCodeAt(j)] = 1;
  }
  const rank = new Uint32Array(65536);
  let letters = 0;
  for (let c = 0; c < 65536; c++) if (present[c] === 1) rank[c] = ++letters; // 0 = end of string
  const bits = Math.ceil(Math.log2(letters + 1)) || 1;
  const positions = Math.floor(KEY_BITS / bits);
  const base = 2 ** bits;

  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const id = ids[i] ?? '';
    let key = 0;
    for (let p = 0; p < positions; p++) {
      const j = lcp + p;
      key = key * base + (j < id.length ? (rank[id.charCodeAt(j)] ?? 0) : 0);
    }
    keys[i] = key * INDEX_SCALE + i;
  }
  keys.sort();

  const order = new Array<number>(n);
  let start = 0;
  while (start < n) {
    const prefix = Math.floor((keys[start] ?? 0) / INDEX_SCALE);
    let end = start + 1;
    while (end < n && Math.floor((keys[end] ?? 0) / INDEX_SCALE) === prefix) end++;
    if (end - start === 1) {
      order[start] = (keys[start] ?? 0) % INDEX_SCALE;
    } else {
      const group: number[] = [];
      for (let k = start; k < end; k++) group.push((keys[k] ?? 0) % INDEX_SCALE);
      group.sort(byString);
      for (let k = 0; k < group.length; k++) order[start + k] = group[k] ?? 0;
    }
    start = end;
  }
  return order;
}

/** Validates entries and returns them in canonical order (a new array). */
export function canonicalEntries(entries: readonly DrawEntry[]): DrawEntry[] {
  let sorted = true;
  let previous: DrawEntry | undefined;
  for (const e of entries) {
    if (typeof e.id !== 'string' || e.id.length === 0 || e.id.includes('\n')) {
      throw new RangeError(`entry id must be a non-empty string without newlines: ${JSON.stringify(e.id)}`);
    }
    if (!Number.isSafeInteger(e.weight) || e.weight < 1) {
      throw new RangeError(`entry ${e.id}: weight must be an integer >= 1, got ${e.weight}`);
    }
    if (previous !== undefined && previous.id >= e.id) sorted = false;
    previous = e;
  }
  // Snapshots usually arrive sorted (ORDER BY id); only sort when they do not.
  const result = sorted ? [...entries] : codeUnitOrder(entries.map((e) => e.id)).map((i) => entries[i] as DrawEntry);
  for (let i = 1; i < result.length; i++) {
    const id = result[i]?.id;
    if (id === result[i - 1]?.id) throw new RangeError(`duplicate entry id: ${id}`);
  }
  return result;
}

/** The canonical serialization hashed by `entriesHash` ("id:weight" lines, sorted by id, "\n"-joined). */
export function canonicalSerialization(entries: readonly DrawEntry[]): string {
  return canonicalEntries(entries)
    .map((e) => `${e.id}:${e.weight}`)
    .join('\n');
}

/** SHA-256 (lower-case hex) of the canonical serialization: publish this when entries close. */
export function entriesHash(entries: readonly DrawEntry[]): string {
  return sha256Hex(Buffer.from(canonicalSerialization(entries), 'utf8'));
}

/**
 * The draw's random stream: successive 48-bit unsigned integers from
 * HMAC-SHA256(seed, "qunbot-draw-v1:<round>:<counter>"), counter = 0, 1, ….
 */
export function hmacStream(seedHex: string, round = 0): () => number {
  const key = seedBytes(seedHex);
  assertNonNegativeInteger(round, 'round');
  let counter = 0;
  return () => {
    const mac = createHmac('sha256', key).update(`${ALGORITHM_VERSION}:${round}:${counter}`, 'utf8').digest();
    counter += 1;
    return mac.readUIntBE(0, 6);
  };
}

/**
 * A uniform integer in [0, n) from a source of uniform `bits`-bit integers,
 * by rejection sampling: values at or above the largest multiple of n that
 * fits are discarded. `bits` is 48 in the draw; tests use small widths to
 * show that the rejection is what removes the modulo bias.
 */
export function uniformBelow(n: number, next: () => number, bits: number = STREAM_BITS): number {
  const range = 2 ** bits;
  if (!Number.isSafeInteger(n) || n < 1 || n > range) throw new RangeError(`n must be an integer in [1, 2^${bits}]`);
  const limit = range - (range % n);
  for (;;) {
    const x = next();
    if (x < limit) return x % n;
  }
}

function assertNonNegativeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
}

/** Fenwick tree over ticket counts: prefix sums, removal and "who owns ticket r" in O(log n). */
class TicketTree {
  private readonly tree: Float64Array;
  private readonly size: number;
  private readonly topBit: number;
  total = 0;

  constructor(weights: readonly number[]) {
    this.size = weights.length;
    this.tree = new Float64Array(this.size + 1);
    for (let i = 0; i < this.size; i++) {
      const w = weights[i] ?? 0;
      this.total += w;
      this.tree[i + 1] = (this.tree[i + 1] ?? 0) + w;
    }
    // Linear-time construction: push each node's sum to its parent.
    for (let i = 1; i <= this.size; i++) {
      const parent = i + (i & -i);
      if (parent <= this.size) this.tree[parent] = (this.tree[parent] ?? 0) + (this.tree[i] ?? 0);
    }
    let bit = 1;
    while (bit * 2 <= this.size) bit *= 2;
    this.topBit = bit;
  }

  /** Subtracts `w` from entry `index` (0-based). */
  remove(index: number, w: number): void {
    this.total -= w;
    for (let i = index + 1; i <= this.size; i += i & -i) this.tree[i] = (this.tree[i] ?? 0) - w;
  }

  /** 0-based index of the entry owning ticket `r` (0 ≤ r < total). */
  owner(r: number): number {
    let pos = 0;
    let rest = r;
    for (let bit = this.topBit; bit > 0; bit >>= 1) {
      const next = pos + bit;
      const sum = this.tree[next];
      if (next <= this.size && sum !== undefined && sum <= rest) {
        pos = next;
        rest -= sum;
      }
    }
    return pos; // the entry at 1-based position pos + 1
  }
}

/** Draws `winners` distinct members; deterministic in (seed, canonical entries, round, exclude). */
export function drawWinners(params: DrawParams): string[] {
  const { seedHex, entries, winners, round = 0, exclude = [] } = params;
  assertNonNegativeInteger(winners, 'winners');
  assertNonNegativeInteger(round, 'round');
  const next = hmacStream(seedHex, round);
  const excluded = new Set(exclude);
  const canonical = canonicalEntries(entries);
  const pool = excluded.size === 0 ? canonical : canonical.filter((e) => !excluded.has(e.id));
  const tree = new TicketTree(pool.map((e) => e.weight));
  if (tree.total > TWO_POW_48) throw new RangeError('total weight must not exceed 2^48 tickets');

  const result: string[] = [];
  while (result.length < winners && tree.total > 0) {
    const ticket = uniformBelow(tree.total, next);
    const index = tree.owner(ticket);
    const winner = pool[index];
    if (winner === undefined) throw new Error('ticket owner out of range'); // unreachable
    result.push(winner.id);
    tree.remove(index, winner.weight);
  }
  return result;
}

/** Recomputes a draw and compares it (and optional published hashes) with what was announced. */
export function verifyDraw(params: VerifyParams): VerifyResult {
  const { published, commitment: publishedCommitment, entriesHash: publishedEntriesHash, ...rest } = params;
  const expected = drawWinners({ ...rest, winners: params.winners ?? published.length });
  const sameWinners = expected.length === published.length && expected.every((id, i) => id === published[i]);
  const sameCommitment = publishedCommitment === undefined || publishedCommitment.toLowerCase() === commitment(params.seedHex);
  const sameEntries = publishedEntriesHash === undefined || publishedEntriesHash.toLowerCase() === entriesHash(params.entries);
  return { ok: sameWinners && sameCommitment && sameEntries, expected };
}
