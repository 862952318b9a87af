import { describe, expect, it } from 'vitest';
import { AhoCorasick } from '../../src/features/moderation/matcher.js';
import { collapseRepeats, mask, normalize, normalizeKey } from '../../src/features/moderation/normalize.js';
import { WordFilter, type FilterEntry } from '../../src/features/moderation/filter.js';
import { checkEntry, parseWordList, WordListError } from '../../src/features/moderation/wordlist.js';

/** Every occurrence by brute force, to check the automaton against. */
function naive(patterns: string[], text: string): string[] {
  const out: string[] = [];
  for (let end = 1; end <= text.length; end++) patterns.forEach((p, i) => text.slice(0, end).endsWith(p) && out.push(`${i}@${end - p.length}`));
  return out.sort();
}

describe('Aho–Corasick', () => {
  it('finds every occurrence, overlaps and shared suffixes included', () => {
    const patterns = ['he', 'she', 'his', 'hers', '敏感', '感词', '敏感词', 'e'];
    const ac = new AhoCorasick(patterns);
    for (const text of ['ushers', 'hishershe', '这是敏感词汇，敏感词', '', 'eee']) {
      const got: string[] = [];
      ac.scan(text, (p, start) => void got.push(`${p}@${start}`));
      expect(got.sort(), text).toEqual(naive(patterns, text));
    }
  });

  it('agrees with brute force on random texts over a small alphabet', () => {
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
    const word = (len: number): string => Array.from({ length: len }, () => 'abc口交'[rnd(5)]).join('');
    for (let round = 0; round < 50; round++) {
      const patterns = [...new Set(Array.from({ length: 6 }, () => word(1 + rnd(4))))];
      const text = word(40);
      const got: string[] = [];
      new AhoCorasick(patterns).scan(text, (p, start) => void got.push(`${p}@${start}`));
      expect(got.sort()).toEqual(naive(patterns, text));
    }
  });

  it('stops when the callback says so', () => {
    const got: number[] = [];
    new AhoCorasick(['a']).scan('aaaa', (_p, start) => (got.push(start), start === 1));
    expect(got).toEqual([0, 1]);
  });

  it('refuses an empty pattern', () => {
    expect(() => new AhoCorasick(['ok', ''])).toThrow(/empty/);
  });
});

describe('normalise', () => {
  it.each([
    ['敏 感', '敏感'],
    ['敏-感', '敏感'],
    ['敏.感', '敏感'],
    ['敏\u200b感', '敏感'],
    ['敏\u200d\ufeff\u2060感', '敏感'],
    ['敏😀感', '敏感'],
    ['敏、感！', '敏感'],
    ['ＳＥＸ', 'sex'],
    ['S.e-X', 'sex'],
    ['①②', '12'],
    ['⽅法', '方法'],
    ['e\u0301', 'é'],
    ['敏̶感̶', '敏感'],
    ['敏1感', '敏1感'],
  ])('%j → %j', (raw, want) => {
    expect(normalizeKey(raw)).toBe(want);
  });

  it('records where separators were dropped', () => {
    expect([...normalize('ab c').gapBefore]).toEqual([1, 0, 1]);
  });

  it('reads variant pairs only as a list gives them', () => {
    expect(normalizeKey('敏感詞')).toBe('敏感詞');
    expect(normalizeKey('敏感詞', new Map([['詞', '词']]))).toBe('敏感词');
  });

  it('collapses runs with their origins', () => {
    expect(collapseRepeats('敏敏感感感')).toEqual({ text: '敏感', from: [0, 2] });
    expect(collapseRepeats('敏感')).toBeUndefined();
  });

  it('masks all but the first character', () => {
    expect(mask('敏感词')).toBe('敏＊＊');
    expect(mask('x')).toBe('＊');
  });
});

const entries = (...words: string[]): FilterEntry[] =>
  words.map((w, i) => ({ id: `t:${i + 1}`, word: normalizeKey(w.replace(/^!/, '')), allow: w.startsWith('!') }));

describe('word filter', () => {
  const filter = new WordFilter(entries('敏感词', '口交', '!路口交通', '法轮功', 'sex', '嘻嘻哈哈', '词汇表'), new Map([['詞', '词']]));
  const hits = (text: string): string[] => filter.match(text).map((m) => m.word);

  it.each([
    ['这是敏感词', ['敏感词']],
    ['敏 感 词', ['敏感词']],
    ['敏-感-词', ['敏感词']],
    ['敏.感.词', ['敏感词']],
    ['敏\u200b感\u200c词', ['敏感词']],
    ['敏感詞', ['敏感词']],
    ['敏敏感感词词', ['敏感词']],
    ['法法法轮轮功', ['法轮功']],
    ['口交', ['口交']],
    ['ＳＥＸ片', ['sex']],
    ['s e x', ['sex']],
    ['嘻嘻哈哈', ['嘻嘻哈哈']],
  ])('flags %j', (text, want) => {
    expect(hits(text)).toEqual(want);
  });

  it.each([
    ['前方路口交通拥堵'],
    ['路-口-交-通'],
    ['Essex is in England'],
    ['sextant'],
    ['可靠的操作'],
    ['敏感'],
    ['嘻哈'],
    ['嘻嘻哈哈哈'.slice(1)],
    ['今天天气很好'],
  ])('leaves %j alone', (text) => {
    expect(hits(text)).toEqual([]);
  });

  it('an allow entry cancels only the matches it covers', () => {
    expect(hits('路口交通和口交')).toEqual(['口交']);
  });

  it('overlapping entries are each reported once, in text order', () => {
    expect(hits('词汇表里有敏感词汇表 敏感词')).toEqual(['词汇表', '敏感词']);
  });

  it('a filter with no entries matches nothing', () => {
    expect(new WordFilter([]).match('敏感词')).toEqual([]);
  });
});

describe('entries and the list file', () => {
  it.each([
    ['操', 'single'],
    ['操 ', 'single'],
    ['。。', 'empty'],
    ['x'.repeat(41), 'tooLong'],
  ])('refuses %j (%s)', (raw, problem) => {
    expect(checkEntry(raw)).toEqual({ ok: false, problem });
  });

  it('accepts a word given with its context', () => {
    expect(checkEntry('操 你')).toEqual({ ok: true, key: '操你' });
  });

  it('parses words, allow entries, variant pairs and comments', () => {
    const list = parseWordList('# comment\n敏感詞\n\n!路口交通\n詞|词\n  法轮功  \n', 'w.txt');
    expect(list.entries).toEqual([
      { id: 'list:2', word: '敏感词', allow: false },
      { id: 'list:4', word: '路口交通', allow: true },
      { id: 'list:6', word: '法轮功', allow: false },
    ]);
    expect([...list.variants]).toEqual([['詞', '词']]);
  });

  it('names the file and line of every bad entry', () => {
    const bad = '操\n敏感词\n敏 感 词\n词|\n詞|词\n詞|辞\n..\n';
    let error: unknown;
    try {
      parseWordList(bad, '/x/words.txt');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WordListError);
    expect((error as WordListError).problems).toEqual([
      'words.txt:4: "词|": a variant pair is two single characters, variant|standard (e.g. 詞|词)',
      'words.txt:6: "詞|辞": 詞 is already read as 词',
      expect.stringMatching(/^words\.txt:1: "操": a single character is refused/),
      'words.txt:3: "敏 感 词": the same entry as line 2',
      expect.stringMatching(/^words\.txt:7: "\.\.": nothing is left/),
    ]);
  });
});

describe('repeats outside the BMP', () => {
  it('collapses astral characters by code point, not by code unit', () => {
    expect(collapseRepeats('𠀀𠀀a')).toEqual({ text: '𠀀a', from: [0, 1, 4] });
    expect(collapseRepeats('𠀀𠀁')).toBeUndefined();
  });
});
