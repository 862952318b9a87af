/**
 * Issue #15, measured quality of the word filter with the default list
 * (config/moderation/words.txt):
 *
 * - recall on at least 1,000 disguised variants generated from the list's
 *   words: separators, zero-width and format characters, full-width
 *   letters, traditional characters (from the list's own variant pairs),
 *   repeated characters, and mixes, inside ordinary sentences. Target ≥ 95%.
 * - false positives on clean Chinese text available offline: Debian's
 *   fortunes-zh (`apt-get install fortunes-zh`), split into sentences.
 *   Target ≤ 0.5%. Skipped, and says so, where the package is not installed.
 */
import { fortuneSentences } from '../helpers/chinese-corpus.js';
import { describe, expect, it } from 'vitest';
import { rootPath } from '../../src/config/load.js';
import { WordFilter } from '../../src/features/moderation/filter.js';
import { hasRepeat } from '../../src/features/moderation/normalize.js';
import { loadWordList } from '../../src/features/moderation/wordlist.js';

const list = loadWordList(rootPath('config/moderation/words.txt'));
const filter = new WordFilter(list.entries, list.variants);
const words = list.entries.filter((e) => !e.allow).map((e) => e.word);

let seed = 20261123;
const rnd = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;

const SEPARATORS = [' ', '-', '.', '*', '_', '·', '、', '~', '/', '|', '😀', '  '];
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\ufeff', '\u2060', '\u00ad', '\u200e', '\u0336'];
const CARRIERS = ['大家好，{w}，谢谢', '{w}', '今天群里有人说{w}吗', '{w}！！', '请看：{w}。', 'hello {w} world'];
const toTraditional = new Map([...list.variants].map(([variant, standard]) => [standard, variant]));

const spread = (word: string, between: () => string): string => [...word].map((c, i) => (i === 0 ? c : between() + c)).join('');
const fullWidth = (word: string): string => [...word].map((c) => (/[!-~]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
const traditional = (word: string): string => [...word].map((c) => toTraditional.get(c) ?? c).join('');
const upper = (word: string): string => [...word].map((c) => (rnd(2) ? c.toUpperCase() : c)).join('');
const stretch = (word: string): string => (hasRepeat(word) ? word : [...word].map((c) => c.repeat(1 + rnd(3))).join(''));

type Disguise = (w: string) => string;
const DISGUISES: Record<string, Disguise> = {
  separators: (w) => spread(w, () => pick(SEPARATORS)),
  invisible: (w) => spread(w, () => pick(INVISIBLE)),
  fullWidth: (w) => fullWidth(upper(w)),
  traditional: (w) => traditional(w),
  repeated: (w) => stretch(w),
  mixed: (w) => spread(stretch(traditional(fullWidth(w))), () => pick([...SEPARATORS, ...INVISIBLE, ''])),
};

describe('measured quality (default list)', () => {
  it('recall on 1,200 disguised variants is at least 95%', () => {
    const kinds = Object.keys(DISGUISES);
    const total: Record<string, [number, number]> = {};
    const missed: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const kind = kinds[i % kinds.length] as string;
      const word = pick(words);
      const text = pick(CARRIERS).replace('{w}', (DISGUISES[kind] as Disguise)(word));
      const hit = filter.match(text).some((m) => m.word === word);
      const t = (total[kind] ??= [0, 0]);
      t[1]++;
      if (hit) t[0]++;
      else missed.push(`${kind}: ${JSON.stringify(text)}`);
    }
    const caught = Object.values(total).reduce((a, [c]) => a + c, 0);
    const recall = caught / 1200;
    console.log(`moderation recall: ${(recall * 100).toFixed(2)}% of 1200 (${Object.entries(total).map(([k, [c, n]]) => `${k} ${c}/${n}`).join(', ')})`);
    if (missed.length) console.log(`missed (first 10):\n${missed.slice(0, 10).join('\n')}`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  const sentences = fortuneSentences();
  it.skipIf(sentences.length === 0)('false positives on clean Chinese sentences (fortunes-zh) are at most 0.5%', () => {
    const flagged = sentences.filter((s) => filter.match(s).length > 0);
    const rate = flagged.length / sentences.length;
    console.log(`moderation false positives: ${flagged.length} of ${sentences.length} sentences (${(rate * 100).toFixed(3)}%)`);
    for (const s of flagged.slice(0, 15)) console.log(`  ${filter.match(s).map((m) => m.id).join(',')}: ${s.slice(0, 60)}`);
    expect(sentences.length).toBeGreaterThanOrEqual(10_000);
    expect(rate).toBeLessThanOrEqual(0.005);
  });
});
