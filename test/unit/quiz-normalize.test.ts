import { describe, expect, it } from 'vitest';
import { matchAnswer, normalizeAnswer, parseChoiceLetter, parseNumber, type AnswerSpec } from '../../src/features/quiz/normalize.js';

const beijing: AnswerSpec = { answers: ['北京'] };
const paris: AnswerSpec = { answers: ['Paris'] };
const newYork: AnswerSpec = { answers: ['New York'] };
const saoPaulo: AnswerSpec = { answers: ['São Paulo'] };
const taiwan: AnswerSpec = { answers: ['台湾', '臺灣'] };
const onlySimplified: AnswerSpec = { answers: ['长城'] };
const davinci: AnswerSpec = { answers: ['列奥纳多·达·芬奇', '达芬奇'] };
const luxun: AnswerSpec = { answers: ['鲁迅'] };
const water: AnswerSpec = { answers: ['H₂O'] };
const shakespeare: AnswerSpec = { answers: ['Shakespeare'] };
const rightWrong: AnswerSpec = { answers: ['对'] };
const capitalLetter: AnswerSpec = { answers: ['B'], choices: ['上海', '北京', '广州', '深圳'] };
const capitalText: AnswerSpec = { answers: ['北京'], choices: ['上海', '北京', '广州', '深圳'] };
const frenchCapital: AnswerSpec = { answers: ['A'], choices: ['Paris', 'London', 'Berlin', 'Rome'] };
const n123: AnswerSpec = { answers: ['123'], numeric: true };
const n12: AnswerSpec = { answers: ['12'], numeric: true };
const n2000: AnswerSpec = { answers: ['2000'], numeric: true };
const n15: AnswerSpec = { answers: ['十五'], numeric: true };
const n10500: AnswerSpec = { answers: ['10500'], numeric: true };
const n1000: AnswerSpec = { answers: ['1000'], numeric: true };
const n2500: AnswerSpec = { answers: ['2500'], numeric: true };
const n120000: AnswerSpec = { answers: ['120000'], numeric: true };
const n2024: AnswerSpec = { answers: ['2024'], numeric: true };

// [input, answer, why]
const matches: Array<[string, AnswerSpec, string]> = [
  ['北京', beijing, 'exact'],
  [' 北京。', beijing, 'punctuation and spaces'],
  ['“北京”！！', beijing, 'Chinese quotes and full-width bang'],
  ['北 京', beijing, 'space inside Chinese'],
  ['答案是北京', beijing, 'filler prefix'],
  ['我觉得应该是北京吧', beijing, 'several fillers'],
  ['是北京啊', beijing, 'particles'],
  ['北京，我觉得', beijing, 'filler after the answer'],
  ['I think 北京', beijing, 'English filler before a Chinese answer'],
  ['臺灣', taiwan, 'traditional spelling listed as an alias'],
  ['台湾吧', taiwan, 'simplified alias with particle'],
  ['列奥纳多达芬奇', davinci, 'middle dots folded'],
  ['我猜是达芬奇', davinci, 'second alias'],
  ['我觉得是对的', rightWrong, 'true/false in a sentence'],
  ['paris', paris, 'case folding'],
  ['ＰＡＲＩＳ', paris, 'full-width Latin'],
  ["I think it's Paris", paris, 'whole word in a sentence'],
  ['The answer is Paris.', paris, 'sentence with period'],
  ['答案是Paris吧', paris, 'Latin answer in a Chinese sentence'],
  ['new   york', newYork, 'whitespace folding'],
  ['Sao Paulo', saoPaulo, 'accents dropped'],
  ['h2o', water, 'NFKC subscript digits'],
  ['William Shakespeare', shakespeare, 'whole-word containment'],
  ['B', capitalLetter, 'choice letter'],
  ['b', capitalLetter, 'lower-case letter'],
  ['Ｂ', capitalLetter, 'full-width letter'],
  ['选B', capitalLetter, '选 + letter'],
  ['答案B', capitalLetter, '答案 + letter'],
  ['答案是：B', capitalLetter, '答案是 + colon + letter'],
  ['我选b吧', capitalLetter, 'letter with particles'],
  ['(B)', capitalLetter, 'parenthesised letter'],
  ['B.', capitalLetter, 'letter with period'],
  ['option b', capitalLetter, 'English option'],
  ['北京', capitalLetter, 'choice text when the answer is a letter'],
  ['B', capitalText, 'letter when the answer is the choice text'],
  ['答案是北京', capitalText, 'choice text in a sentence'],
  ['I choose A', frenchCapital, 'English choice letter'],
  ['paris', frenchCapital, 'Latin choice text'],
  ['一百二十三', n123, 'Chinese numerals'],
  ['答案是123吧', n123, 'number with filler'],
  ['123个', n123, 'number with unit'],
  ["I think it's 123", n123, 'English filler'],
  ['大约123人', n123, 'approximate marker and unit'],
  ['１２３', n123, 'full-width digits'],
  ['两千', n2000, '两 before a unit'],
  ['2,000', n2000, 'thousands separator'],
  ['15', n15, 'digits for a Chinese-numeral answer'],
  ['十五', n15, 'Chinese numerals'],
  ['一万零五百', n10500, '零 inside a number'],
  ['1,000', n1000, 'thousands separator'],
  ['一千', n1000, 'Chinese thousand'],
  ['两千五', n2500, 'colloquial elision'],
  ['12万', n120000, 'digits with 万'],
  ['二〇二四年', n2024, 'digit-by-digit year with unit'],
];

const nearMisses: Array<[string, AnswerSpec, string]> = [
  ['南京', beijing, 'different city sharing a character'],
  ['北京大学', beijing, 'answer is only part of a longer name'],
  ['东北京剧', beijing, 'answer straddles two words'],
  ['不是北京', beijing, 'negated'],
  ['北京还是上海', beijing, 'hedged between two answers'],
  ['上海或北京', beijing, 'hedged with 或'],
  ['北', beijing, 'prefix of the answer'],
  ['北京的朋友', beijing, 'answer inside a longer phrase'],
  ['臺灣', { answers: ['台湾'] }, 'no traditional/simplified conversion without an alias'],
  ['長城', onlySimplified, 'no conversion tables'],
  ['鲁迅的朋友', luxun, 'extra content after the answer'],
  ['不对', rightWrong, 'negation of a true/false answer'],
  ['Parisian', paris, 'not a whole word'],
  ['pari', paris, 'truncated'],
  ['not Paris', paris, 'negation'],
  ["It isn't Paris", paris, 'contracted negation'],
  ['Paris or London', paris, 'hedge'],
  ['York', newYork, 'part of a multi-word answer'],
  ['newyorker', newYork, 'glued word'],
  ['Shakespear', shakespeare, 'misspelt'],
  ['A', capitalLetter, 'wrong letter'],
  ['选C', capitalLetter, 'wrong letter with 选'],
  ['答案是D', capitalLetter, 'wrong letter with 答案是'],
  ['AB', capitalLetter, 'two letters glued'],
  ['a或b', capitalLetter, 'two letters hedged'],
  ['E', capitalLetter, 'letter beyond the choices'],
  ['上海', capitalLetter, 'another choice text'],
  ['Paris London', frenchCapital, 'two choice texts at once'],
  ['B', frenchCapital, 'wrong English choice'],
  ['123', n12, 'number containing the answer'],
  ['12', n123, 'prefix of the number'],
  ['1234', n123, 'longer number'],
  ['一百二十', n123, 'different Chinese number'],
  ['12 or 123', n123, 'two numbers'],
  ['不是123', n123, 'negated number'],
  ['大于123', n123, 'comparison, not an answer'],
  ['两千五', n2000, 'larger colloquial number'],
  ['五十', n15, 'digits reversed'],
  ['1.5', n15, 'decimal point kept'],
  ['一千零一', n1000, 'off by one'],
  ['。。。', beijing, 'only punctuation'],
  ['', paris, 'empty'],
];

describe('matchAnswer', () => {
  it('has at least 25 matches and 25 near-misses', () => {
    expect(matches.length).toBeGreaterThanOrEqual(25);
    expect(nearMisses.length).toBeGreaterThanOrEqual(25);
  });

  it.each(matches)('accepts %j (%#: %s)', (input, answer) => {
    expect(matchAnswer(input, answer)).toBe(true);
  });

  it.each(nearMisses)('rejects %j (%#: %s)', (input, answer) => {
    expect(matchAnswer(input, answer)).toBe(false);
  });

  it('does not read an English article as a choice letter inside a phrase', () => {
    const spec: AnswerSpec = { answers: ['A dog'], choices: ['A dog', 'A cat'] };
    expect(matchAnswer('a dog', spec)).toBe(true);
    expect(matchAnswer('a cat', spec)).toBe(false);
    expect(matchAnswer('A', spec)).toBe(true);
  });

  it('ignores essay-length inputs quickly', () => {
    const started = performance.now();
    expect(matchAnswer('对'.repeat(5000), rightWrong)).toBe(false);
    expect(matchAnswer('对'.repeat(150), rightWrong)).toBe(true);
    expect(matchAnswer(`${'是'.repeat(199)}北京`, beijing)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('falls back to text matching for non-numeric aliases of a numeric question', () => {
    const spec: AnswerSpec = { answers: ['12', 'a dozen'], numeric: true };
    expect(matchAnswer('十二', spec)).toBe(true);
    expect(matchAnswer('a dozen', spec)).toBe(true);
    expect(matchAnswer('121', spec)).toBe(false);
  });
});

describe('normalizeAnswer', () => {
  it.each([
    ['  “北京”。', '北京'],
    ["I think it's Paris!", 'i think its paris'],
    ['ＰＡＲＩＳ１２３', 'paris123'],
    ['São Paulo', 'sao paulo'],
    ['《三体》（刘慈欣）', '三体刘慈欣'],
    ['北 京 ， 上 海', '北京上海'],
    ['C++ 和 C#', 'c++和c#'],
    ['1,234,567.89元', '1234567.89元'],
    ['3.14', '3.14'],
    ['-5度', '-5度'],
    ['end.', 'end'],
    ['zero\u200bwidth', 'zerowidth'],
    ['好！？、…～', '好'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeAnswer(input)).toBe(expected);
  });
});

describe('parseNumber', () => {
  it.each([
    ['123', 123],
    ['1,000', 1000],
    ['-5', -5],
    ['负三', -3],
    ['3.14', 3.14],
    ['一百二十三', 123],
    ['两千', 2000],
    ['十五', 15],
    ['二十', 20],
    ['一百零二', 102],
    ['一百十', 110],
    ['一百二', 120],
    ['一千零五十', 1050],
    ['两千五', 2500],
    ['一万零五百', 10500],
    ['三亿五千万', 350_000_000],
    ['12万', 120_000],
    ['1.2万', 12_000],
    ['二〇二四', 2024],
    ['百万', 1_000_000],
  ])('reads %j as %d', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each(['abc', '一二百', '一千百', '十二个', '', '1.2.3'])('rejects %j', (text) => {
    expect(parseNumber(text)).toBeNull();
  });
});

describe('parseChoiceLetter', () => {
  it('reads letters within the number of choices only', () => {
    expect(parseChoiceLetter('选Ａ', 4)).toBe(0);
    expect(parseChoiceLetter('答案是d吧', 4)).toBe(3);
    expect(parseChoiceLetter('E', 4)).toBeNull();
    expect(parseChoiceLetter('apple', 4)).toBeNull();
  });
});
