/**
 * Runs several implementations of the same operation ("sides") in
 * alternating blocks, so that load from other work on a shared machine hits
 * every side alike: comparisons between sides stay meaningful even when the
 * absolute figures swing. The order rotates every round and reverses on odd
 * rounds (ABBA for two sides).
 */
import { summarize, type LatencySummary } from './harness.js';

export interface Side {
  name: string;
  /** Run operations `from` to `to - 1`, writing each one's latency (ns) into `lat[i]`; returns the elapsed ns. */
  block(from: number, to: number, lat: Float64Array): Promise<number>;
}

export interface SideRun {
  name: string;
  n: number;
  opsPerSec: number;
  latency: LatencySummary;
  /** Elapsed ns of each block, by round: comparable across sides round by round. */
  blockNs: number[];
}

export interface InterleaveOptions {
  /** Operations per side, at most. */
  n: number;
  block: number;
  /** Stop at the first round boundary after this much timed work (all sides together). */
  budgetMs: number;
  /** Rotates the starting order, so repetitions do not always start with the same side. */
  rep?: number;
}

export async function interleave(sides: readonly Side[], opts: InterleaveOptions): Promise<SideRun[]> {
  const lat = sides.map(() => new Float64Array(opts.n));
  const total = sides.map(() => 0);
  const blocks: number[][] = sides.map(() => []);
  let done = 0;
  let spentNs = 0;
  for (let round = 0; done < opts.n; round++) {
    const to = Math.min(done + opts.block, opts.n);
    const order = sides.map((_, i) => (i + round + (opts.rep ?? 0)) % sides.length);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const ns = await (sides[i] as Side).block(done, to, lat[i] as Float64Array);
      total[i] = (total[i] as number) + ns;
      (blocks[i] as number[]).push(ns);
      spentNs += ns;
    }
    done = to;
    if (spentNs / 1e6 >= opts.budgetMs) break;
  }
  return sides.map((side, i) => ({
    name: side.name,
    n: done,
    opsPerSec: done / ((total[i] as number) / 1e9),
    latency: summarize((lat[i] as Float64Array).subarray(0, done)),
    blockNs: blocks[i] as number[],
  }));
}

/** Per round, how fast `a` ran relative to `b` (b's time / a's time): >1 means `a` was faster. */
export function roundRatios(a: SideRun, b: SideRun): number[] {
  return a.blockNs.map((ns, i) => (b.blockNs[i] as number) / ns);
}
