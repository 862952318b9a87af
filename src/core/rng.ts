import { randomBytes, randomInt } from 'node:crypto';

/** Randomness is injected; lottery draws use seeds from a cryptographic source. */
export interface Rng {
  /** Integer in [min, max). */
  int(min: number, max: number): number;
  /** Random bytes, hex encoded. */
  hex(bytes: number): string;
}

export const cryptoRng: Rng = {
  int: (min, max) => randomInt(min, max),
  hex: (bytes) => randomBytes(bytes).toString('hex'),
};

/** A deterministic generator for tests (mulberry32). */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min, max) => min + Math.floor(next() * (max - min)),
    hex: (bytes) => Array.from({ length: bytes }, () => Math.floor(next() * 256).toString(16).padStart(2, '0')).join(''),
  };
}
