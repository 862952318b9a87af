/**
 * Quiz answer matching for Chinese and English chat answers.
 *
 * ## Normalization (`normalizeAnswer`)
 * 1. NFKC: full-width letters, digits and punctuation fold to ASCII
 *    (Ａ→A, １２３→123, ！→!, （）→()), compatibility forms fold (H₂O→H2O).
 * 2. Accents on Latin letters are dropped (São→Sao, café→cafe); kana keep
 *    their voicing marks.
 * 3. Lower case; invisible format characters (zero-width space, BOM) removed.
 * 4. Thousands separators between digits are removed (1,000→1000); a decimal
 *    point between digits and a minus sign before a number are kept.
 * 5. Apostrophes (' ’ ‘ ʼ `) are removed, so it's→its, O'Neil→oneil.
 * 6. Every other punctuation or symbol character, ASCII or Chinese
 *    (。，！？、“”《》（）【】…·~ and emoji), becomes a space, except
 *    # % & + = < > and currency signs, which carry meaning (C#, 50%, C++).
 * 7. Runs of whitespace become one space; spaces next to Han or kana are
 *    removed (Chinese does not separate words: "北 京" = "北京"); trimmed.
 * Traditional and simplified characters are NOT converted: a bank lists
 * both spellings as aliases when it wants both accepted.
 *
 * ## Matching (`matchAnswer`), tried for each alias of the answer
 * - Choice letters: when the question has choices, an input that is a single
 *   letter A–F (within the number of choices) surrounded only by filler
 *   ("B", "ｂ", "选B", "答案是B吧", "(B)", "option b") is read as that choice,
 *   and matches exactly when it is the correct choice; nothing else is tried.
 *   An answer given as a letter also accepts the choice's text, and an answer
 *   given as a choice's text also accepts its letter.
 * - Numbers (`numeric: true`): the numbers in the input are its maximal runs
 *   of digits and Chinese numerals (零〇一二两三四五六七八九十百千万亿,
 *   mixed forms like 12万 and 1.2万 included). The input matches when one run
 *   has the answer's value and everything before it is filler and everything
 *   after it is filler or a unit (个, 人, 年, km, people …). Runs are maximal,
 *   so 12 never matches inside 123, and "12 or 13" or "不是12" fail.
 * - Answers containing Han or kana: the input must equal the answer after
 *   removing filler from both ends, i.e. input = filler* answer filler*, with
 *   filler from a fixed list (答案是, 我觉得, 应该是, 吧, 啊, 了, "I think" …).
 *   "北京" matches "答案是北京吧" but not "南京", "北京大学" or "不是北京".
 * - Other (Latin, digits) answers: whole-word containment, so "Paris"
 *   matches "I think it's Paris" but not "Parisian", unless the rest of the
 *   input contains a negation (not, isn't, 不, 没 …), a hedge (or, either,
 *   或, 还是), the text of another choice, or more than 12 other words.
 * - Inputs longer than 200 characters after normalization never match (an
 *   answer is a chat line, and this bounds the work per message).
 */

const SPACELESS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const KEPT_SYMBOLS = new Set(['#', '%', '&', '+', '=', '<', '>']);
const APOSTROPHES = new Set(["'", '’', '‘', 'ʼ', '`', '´']);

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/** A letter or digit that is part of a space-separated word (not Han or kana). */
function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch) && !SPACELESS.test(ch);
}

/** The normalizer used on both the input and the bank's answers (see the file comment). */
export function normalizeAnswer(text: string): string {
  let s = text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .toLowerCase()
    .replace(/\p{Cf}/gu, '')
    .replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  const chars = Array.from(s);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (!/[\p{P}\p{S}]/u.test(ch) || KEPT_SYMBOLS.has(ch) || /\p{Sc}/u.test(ch)) {
      out.push(ch);
    } else if (APOSTROPHES.has(ch)) {
      continue;
    } else if (ch === '.' && isDigit(chars[i - 1]) && isDigit(chars[i + 1])) {
      out.push(ch);
    } else if (ch === '-' && isDigit(chars[i + 1]) && !isWordChar(chars[i - 1])) {
      out.push(ch);
    } else {
      out.push(' ');
    }
  }
  s = out
    .join('')
    .replace(/\s+/gu, ' ')
    .replace(/ (?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu, '')
    .replace(/(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]) /gu, '')
    .trim();
  return s;
}

// ---------------------------------------------------------------------------
// Numbers

const CN_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_SMALL_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };
const CN_BIG_UNITS: Readonly<Record<string, number>> = { 万: 1e4, 亿: 1e8 };
const NUMBER_RUN = /(?:-|负)?(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿])+/gu;

function tidy(value: number): number {
  return Number(value.toPrecision(15));
}

/** Parses a normalized string that is entirely one number; null otherwise. */
function parseNumeral(input: string): number | null {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('负')) {
    sign = -1;
    s = s.slice(1);
  }
  if (s === '') return null;
  if (/^\d+(?:\.\d+)?$/.test(s)) return sign * Number(s);
  const tokens = s.match(/\d+(?:\.\d+)?|[^]/gu) ?? [];
  const hasUnit = tokens.some((t) => t in CN_SMALL_UNITS || t in CN_BIG_UNITS);
  if (!hasUnit) {
    // Digit by digit, as years are read: 二〇二四 = 2024.
    if (tokens.every((t) => t in CN_DIGITS)) return sign * Number(tokens.map((t) => CN_DIGITS[t]).join(''));
    return null;
  }
  let total = 0;
  let section = 0; // the part below 万
  let sectionUnit = 0; // the last 十/百/千 in this section, to reject 一十百
  let current: number | null = null; // a digit waiting for its unit
  let previous: 'digit' | 'unit' | null = null;
  for (const t of tokens) {
    const cn = CN_DIGITS[t];
    const small = CN_SMALL_UNITS[t];
    const big = CN_BIG_UNITS[t];
    if (cn !== undefined || isDigit(t[0])) {
      if (current !== null && current !== 0) return null; // two digits in a row (一二百)
      current = cn ?? Number(t);
      previous = 'digit';
    } else if (small !== undefined) {
      if (sectionUnit !== 0 && small >= sectionUnit) return null; // 一十百
      if (current === null) {
        // 十五 = 15 and 一百十 = 110; 百 and 千 need a digit unless they start a section (百万).
        const startsSection = section === 0 && previous !== 'digit';
        if (small !== 10 && !startsSection) return null;
        current = 1;
      }
      section += current * small;
      sectionUnit = small;
      current = null;
      previous = 'unit';
    } else if (big !== undefined) {
      let value = section + (current ?? 0);
      if (value === 0 && total === 0) value = 1; // 万 = 10000
      total = big === 1e8 ? (total + value) * big : total + value * big;
      section = 0;
      sectionUnit = 0;
      current = null;
      previous = 'unit';
    } else {
      return null;
    }
  }
  if (current !== null) {
    // 两千五 = 2500, 一百二 = 120, 三万五 = 35000: a final Chinese digit right
    // after a unit counts in the next lower place. After 零 it is plain (一百零二).
    const tokenBefore = tokens[tokens.length - 2];
    const unitBefore = tokenBefore !== undefined ? (CN_SMALL_UNITS[tokenBefore] ?? CN_BIG_UNITS[tokenBefore]) : undefined;
    const last = tokens[tokens.length - 1] ?? '';
    section += unitBefore !== undefined && last in CN_DIGITS ? (current * unitBefore) / 10 : current;
  }
  return sign * tidy(total + section);
}

/**
 * The value of a text that is one number, written in digits, Chinese numerals
 * or both: "123", "1,000", "-5", "3.14", "一百二十三", "两千", "十五",
 * "一万零五百", "12万", "1.2万", "二〇二四". Null when the text is not a number.
 */
export function parseNumber(text: string): number | null {
  return parseNumeral(normalizeAnswer(text).replace(/ /g, ''));
}

// ---------------------------------------------------------------------------
// Filler

const CJK_FILLER = [
  '我的答案是', '我的答案', '答案应该是', '答案是', '答案', '答', '我觉得是', '我觉得', '我感觉是', '我感觉',
  '我认为是', '我认为', '我想是', '我想', '我猜是', '我猜', '我估计是', '我估计', '估计是', '估计',
  '应该是', '应该', '可能是', '可能', '大概是', '也许是', '也许', '或许是', '或许', '肯定是', '肯定',
  '一定是', '一定', '当然是', '当然', '必须是', '绝对是', '显然是', '那就是', '就是', '就', '是',
  '我选', '选择', '选项', '选', '那', '难道是', '难道', '莫非是', '莫非', '是不是', '我知道了', '我知道', '知道',
  '简单', '这个', '这题', '这道题', '我来', '我说', '我赌', '嗯', '呃', '额', '哦', '噢', '哈', '啊', '吧', '呀',
  '了', '呢', '吗', '嘛', '啦', '的', '呗', '咯', '喽', '哟', '耶', '嘿', '对吧', '是吧', '没错', '对不对', '对',
];
const LATIN_FILLER = [
  'i', 'think', 'its', 'it', 'is', 'the', 'answer', 'my', 'maybe', 'probably', 'perhaps', 'guess', 'believe',
  'would', 'say', 'id', 'im', 'be', 'should', 'must', 'could', 'might', 'definitely', 'surely', 'sure', 'pretty',
  'that', 'this', 'thats', 'hmm', 'hm', 'um', 'uh', 'ah', 'oh', 'ok', 'okay', 'well', 'so', 'yes', 'yeah', 'yep',
  'lol', 'final', 'then', 'am', 'guessing', 'going', 'go', 'with', 'choose', 'pick', 'option', 'choice', 'letter',
  'of', 'course', 'obviously', 'easy', 'bet', 'reckon', 'right', 'correct', 'what', 'about', 'how',
];
const APPROXIMATE = ['大约是', '大约', '大概', '约', 'about', 'around', 'approximately', 'roughly'];
const UNITS = [
  '个', '人', '位', '名', '岁', '年', '月', '天', '日', '号', '次', '回', '遍', '倍', '米', '千米', '公里', '厘米', '毫米',
  '元', '块钱', '块', '角', '分', '度', '斤', '公斤', '千克', '克', '吨', '页', '层', '楼', '周', '小时', '分钟', '秒', '届',
  '部', '首', '张', '件', '台', '家', '座', '条', '只', '本', '根', '颗', '种', '枚', '场', '局', '集', '章', '笔', '画', '字', '%',
  'people', 'persons', 'person', 'years', 'year', 'yrs', 'km', 'm', 'cm', 'mm', 'kg', 'g', 'meters', 'metres', 'miles',
  'times', 'days', 'hours', 'minutes', 'seconds', 'percent', 'points', 'pts', 'dollars', 'usd', 'yuan', 'rmb', 'degrees',
  'items', 'pieces',
];

/** Phrases grouped by their first character. */
type PhraseIndex = ReadonlyMap<string, readonly string[]>;
function phraseIndex(...lists: ReadonlyArray<readonly string[]>): PhraseIndex {
  const index = new Map<string, string[]>();
  for (const phrase of new Set(lists.flat())) {
    const first = phrase[0] ?? '';
    index.set(first, [...(index.get(first) ?? []), phrase]);
  }
  return index;
}
const FILLER = phraseIndex(CJK_FILLER, LATIN_FILLER);
const NUMBER_PREFIX = phraseIndex(CJK_FILLER, LATIN_FILLER, APPROXIMATE);
const NUMBER_SUFFIX = phraseIndex(CJK_FILLER, LATIN_FILLER, UNITS);

/** True when `s` is a sequence of phrases from `phrases` and spaces; Latin words must stand alone. */
function onlyFiller(s: string, phrases: PhraseIndex): boolean {
  const reachable = new Array<boolean>(s.length + 1).fill(false);
  reachable[0] = true;
  for (let i = 0; i < s.length; i++) {
    if (!reachable[i]) continue;
    if (s[i] === ' ') {
      reachable[i + 1] = true;
      continue;
    }
    for (const p of phrases.get(s[i] ?? '') ?? []) {
      if (!s.startsWith(p, i)) continue;
      const end = i + p.length;
      if (isWordChar(p[0]) && isWordChar(s[i - 1])) continue;
      if (isWordChar(p[p.length - 1]) && isWordChar(s[end])) continue;
      reachable[end] = true;
    }
  }
  return reachable[s.length] === true;
}

// ---------------------------------------------------------------------------
// Matching

export const CHOICE_LABELS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

export interface AnswerSpec {
  /** Accepted answers (aliases); with choices, a letter A–F or a choice's text. */
  answers: readonly string[];
  /** Compare numbers by value: digits or Chinese numerals. */
  numeric?: boolean;
  /** Choice texts, labelled A, B, C … in order. */
  choices?: readonly string[];
}

/** The 0-based choice an already-normalized text names by letter ("b", "选b", "答案是b吧"), or null. */
function choiceLetter(text: string, count: number): number | null {
  for (let i = 0; i < text.length; i++) {
    const index = (text.charCodeAt(i) ?? 0) - 97; // 'a'
    if (index < 0 || index >= Math.min(count, CHOICE_LABELS.length)) continue;
    if (isWordChar(text[i - 1]) || isWordChar(text[i + 1])) continue;
    if (onlyFiller(text.slice(0, i), FILLER) && onlyFiller(text.slice(i + 1), FILLER)) return index;
  }
  return null;
}

/** The 0-based choice a raw input names by letter (A, ａ, "选A", "答案是A"), or null. */
export function parseChoiceLetter(input: string, choiceCount: number): number | null {
  return choiceLetter(normalizeAnswer(input), choiceCount);
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  if (needle === '') return found;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) found.push(i);
  return found;
}

function containsWord(text: string, word: string): boolean {
  if (SPACELESS.test(word)) return text.includes(word);
  return occurrences(text, word).some((i) => !isWordChar(text[i - 1]) && !isWordChar(text[i + word.length]));
}

const NEGATION_WORDS = ['not', 'no', 'never', 'isnt', 'wasnt', 'arent', 'dont', 'doesnt', 'didnt', 'cant', 'cannot', 'wont', 'nope', 'neither', 'nor', 'except'];
const NEGATION_CJK = ['不', '没', '并非', '而非', '错', '否'];
const HEDGE_WORDS = ['or', 'either'];
const HEDGE_CJK = ['或', '还是', '要么'];
const MAX_EXTRA_WORDS = 12;
/** Longest normalized input that can match. */
const MAX_INPUT_LENGTH = 200;

function wordCount(text: string): number {
  let count = 0;
  for (const part of text.split(' ')) {
    if (part === '') continue;
    const spaceless = Array.from(part).filter((ch) => SPACELESS.test(ch)).length;
    count += Math.ceil(spaceless / 2) + (part.length > spaceless ? 1 : 0);
  }
  return count;
}

/** Whole-word containment for answers without Han or kana, with the guards described above. */
function latinMatch(text: string, alias: string, competitors: readonly string[]): boolean {
  for (const i of occurrences(text, alias)) {
    if (isWordChar(text[i - 1]) || isWordChar(text[i + alias.length])) continue;
    const rest = `${text.slice(0, i)} ${text.slice(i + alias.length)}`;
    if (NEGATION_WORDS.some((w) => containsWord(rest, w)) || NEGATION_CJK.some((w) => rest.includes(w))) continue;
    if (HEDGE_WORDS.some((w) => containsWord(rest, w)) || HEDGE_CJK.some((w) => rest.includes(w))) continue;
    if (competitors.some((c) => containsWord(rest, c))) continue;
    if (wordCount(rest) > MAX_EXTRA_WORDS) continue;
    return true;
  }
  return false;
}

/** input = filler* alias filler*, for answers containing Han or kana. */
function cjkMatch(text: string, alias: string): boolean {
  return occurrences(text, alias).some(
    (i) => onlyFiller(text.slice(0, i), FILLER) && onlyFiller(text.slice(i + alias.length), FILLER),
  );
}

function textMatch(text: string, alias: string, competitors: readonly string[]): boolean {
  if (text === alias) return true;
  return SPACELESS.test(alias) ? cjkMatch(text, alias) : latinMatch(text, alias, competitors);
}

function numericMatch(text: string, values: readonly number[]): boolean {
  for (const m of text.matchAll(NUMBER_RUN)) {
    const value = parseNumeral(m[0]);
    if (value === null || !values.includes(value)) continue;
    const start = m.index ?? 0;
    if (onlyFiller(text.slice(0, start), NUMBER_PREFIX) && onlyFiller(text.slice(start + m[0].length), NUMBER_SUFFIX)) return true;
  }
  return false;
}

/** Whether a chat message answers the question correctly (rules in the file comment). */
export function matchAnswer(input: string, answer: AnswerSpec): boolean {
  if (input.length > 4 * MAX_INPUT_LENGTH) return false;
  const text = normalizeAnswer(input);
  if (text === '' || text.length > MAX_INPUT_LENGTH) return false;
  const choices = (answer.choices ?? []).map(normalizeAnswer);

  const correct = new Set<number>();
  const aliases: string[] = [];
  for (const raw of answer.answers) {
    const alias = normalizeAnswer(raw);
    if (alias === '') continue;
    if (choices.length > 0) {
      const letter = alias.length === 1 ? alias.charCodeAt(0) - 97 : -1;
      if (letter >= 0 && letter < choices.length && letter < CHOICE_LABELS.length) {
        correct.add(letter);
        const choiceText = choices[letter];
        if (choiceText) aliases.push(choiceText);
        continue;
      }
      const index = choices.indexOf(alias);
      if (index >= 0) correct.add(index);
    }
    aliases.push(alias);
  }

  if (choices.length > 0) {
    const picked = choiceLetter(text, choices.length);
    if (picked !== null) return correct.has(picked);
  }

  let textAliases = aliases;
  if (answer.numeric) {
    const values = aliases.map((a) => parseNumeral(a.replace(/ /g, ''))).filter((v): v is number => v !== null);
    if (values.length > 0 && numericMatch(text, values)) return true;
    textAliases = aliases.filter((a) => parseNumeral(a.replace(/ /g, '')) === null);
  }
  const competitors = choices.filter((c, i) => !correct.has(i) && c !== '' && !aliases.includes(c));
  return textAliases.some((alias) => textMatch(text, alias, competitors));
}
