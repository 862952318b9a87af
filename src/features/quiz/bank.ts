/**
 * Quiz question banks: schema, YAML loader and CSV importer.
 *
 * YAML (config/quiz/*.yaml):
 *
 *   name: 常识题库              # required
 *   locale: zh-CN               # optional
 *   questions:                  # at least one
 *     - id: capital-cn          # optional, unique; default q1, q2 … by position
 *       question: 中国的首都是哪座城市？
 *       choices: [上海, 北京, 广州, 深圳]   # optional, 2–6, labelled A–F
 *       answer: B               # text, or a list of accepted aliases
 *       numeric: false          # optional: compare numbers by value
 *       points: 10              # optional integer 0–10000, default 10
 *       seconds: 30             # optional integer 5–600, default 30
 *       category: 地理          # optional
 *       difficulty: easy        # optional: easy | medium | hard
 *
 * With choices, the answer names exactly one choice, by letter (A–F) or by
 * the choice's text; further aliases may add accepted spellings. With
 * numeric: true, at least one alias must be a number (digits or Chinese
 * numerals). Unknown fields are errors, so typos are caught.
 *
 * CSV: a header row naming the columns (any order, case-insensitive):
 * question and answer are required; choices, points, seconds, category,
 * difficulty, and also id and numeric (true/false/yes/no/1/0), are optional.
 * Choices and answer aliases are separated by "|". Fields follow RFC 4180:
 * quote a field that contains a comma, quote or line break, and double the
 * quotes inside it. The bank's name is the file name without its extension.
 *
 * Red-DiscordBot Trivia lists (YAML) are read too, detected when the file
 * has no `questions` key and maps questions to lists (or has `AUTHOR`):
 *
 *   AUTHOR: someone             # optional
 *   What is 2+2?:               # the question
 *   - 4                         # accepted answers; the first is shown
 *   - four
 *
 * `CONFIG` and `$schema` keys are accepted and ignored. The bank's name is the
 * file name without its extension; points and seconds are the defaults.
 *
 * Every error names the file, the line and the field, e.g.
 *   quiz.yaml:12: questions[3].seconds: expected an integer between 5 and 600
 *   quiz.csv:5: seconds: expected an integer between 5 and 600
 *   trivia.yaml:7: "What is 2+2?": expected a list of accepted answers
 */
import { isMap, isPair, isScalar, isSeq, stringify, visit, type Document, type LineCounter } from 'yaml';
import { byLine, formatPath, isNodeWithRange, locate, parseYaml, type Path } from '../../core/yaml-lines.js';
import { z } from 'zod';
import { CHOICE_LABELS, normalizeAnswer, parseNumber } from './normalize.js';

const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

const DEFAULT_POINTS = 10;
const DEFAULT_SECONDS = 30;

export interface QuizQuestion {
  id: string;
  question: string;
  /** Choice texts, labelled A, B, C … in order. */
  choices?: string[];
  /** Accepted answers as written in the bank (letters, choice texts, aliases). */
  answers: string[];
  /** 0-based index of the correct choice, when there are choices. */
  correctChoice?: number;
  numeric: boolean;
  points: number;
  seconds: number;
  category?: string;
  difficulty?: Difficulty;
}

export interface QuizBank {
  name: string;
  locale?: string;
  /** A Red trivia list's AUTHOR. */
  author?: string;
  questions: QuizQuestion[];
}

/** `format`: what the file was written in (a Red trivia list is stored converted to the native YAML by quiz:import). */
export type BankResult = { ok: true; bank: QuizBank; format: 'native' | 'red' | 'csv' } | { ok: false; errors: string[] };

// ---------------------------------------------------------------------------
// Schema

const requiredOr = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null ? 'is required' : message),
});

const text = z.string(requiredOr('expected text')).trim().min(1, { error: 'must not be empty' });

const integerBetween = (min: number, max: number) => {
  const message = `expected an integer between ${min} and ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
};

const QUESTION_FIELDS = ['id', 'question', 'choices', 'answer', 'numeric', 'points', 'seconds', 'category', 'difficulty'] as const;

const questionSchema = z
  .strictObject(
    {
      id: z
        .string({ error: 'expected text' })
        .trim()
        .regex(/^[\p{L}\p{N}_.-]{1,64}$/u, { error: 'expected 1–64 letters, digits, "_", "." or "-"' })
        .optional(),
      question: text,
      choices: z
        .array(text, requiredOr('expected a list of 2–6 choices'))
        .min(2, { error: 'expected a list of 2–6 choices' })
        .max(CHOICE_LABELS.length, { error: 'expected a list of 2–6 choices' })
        .optional(),
      answer: z.preprocess(
        (value) => (typeof value === 'string' ? [value] : value),
        z.array(text, requiredOr('expected text or a list of accepted answers')).min(1, { error: 'expected at least one answer' }),
      ),
      numeric: z.boolean({ error: 'expected true or false' }).optional(),
      points: integerBetween(0, 10_000).default(DEFAULT_POINTS),
      seconds: integerBetween(5, 600).default(DEFAULT_SECONDS),
      category: text.optional(),
      difficulty: z.enum(DIFFICULTIES, { error: 'expected easy, medium or hard' }).optional(),
    },
    { error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : 'expected a question: a mapping with question and answer') },
  )
  .superRefine((q, ctx) => {
    if (q.choices !== undefined) {
      const normalized = q.choices.map(normalizeAnswer);
      normalized.forEach((choice, i) => {
        const first = normalized.indexOf(choice);
        if (first < i) ctx.addIssue({ code: 'custom', path: ['choices', i], message: `same as choice ${CHOICE_LABELS[first]}` });
      });
      const choices = q.choices;
      const named = new Set<number>();
      let badLetter = false;
      q.answer.forEach((alias, i) => {
        const a = normalizeAnswer(alias);
        const letter = /^[a-z]$/.test(a) ? a.charCodeAt(0) - 97 : -1;
        const path = q.answer.length === 1 ? ['answer'] : ['answer', i];
        if (letter >= 0 && letter < CHOICE_LABELS.length) {
          if (letter < choices.length) named.add(letter);
          else {
            badLetter = true;
            ctx.addIssue({ code: 'custom', path, message: `"${alias}" is not a choice letter (${choiceRange(choices.length)})` });
          }
          return;
        }
        const index = normalized.indexOf(a);
        if (index >= 0) named.add(index);
      });
      if (named.size === 0 && !badLetter) {
        ctx.addIssue({ code: 'custom', path: ['answer'], message: `must name one of the choices by letter (${choiceRange(q.choices.length)}) or by its text` });
      } else if (named.size > 1) {
        const letters = [...named].sort().map((i) => CHOICE_LABELS[i]);
        ctx.addIssue({ code: 'custom', path: ['answer'], message: `names more than one choice (${letters.join(', ')})` });
      }
    }
    if (q.numeric === true && !q.answer.some((a) => parseNumber(a) !== null)) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: 'numeric: true needs an answer that is a number' });
    }
  });

const bankSchema = z
  .strictObject(
    {
      name: text,
      locale: z
        .string(requiredOr('expected a locale such as zh-CN or en'))
        .regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/, { error: 'expected a locale such as zh-CN or en' })
        .optional(),
      questions: z.array(questionSchema, requiredOr('expected a list of questions')).min(1, { error: 'expected at least one question' }),
    },
    { error: 'expected a bank: a mapping with name and questions' },
  )
  .superRefine((bank, ctx) => {
    const seen = new Map<string, number>();
    bank.questions.forEach((q, i) => {
      if (q.id === undefined) return;
      const first = seen.get(q.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: `duplicate id "${q.id}" (also questions[${first}])` });
      else seen.set(q.id, i);
    });
  });

type RawBank = z.output<typeof bankSchema>;

function choiceRange(count: number): string {
  return `${CHOICE_LABELS[0]}–${CHOICE_LABELS[Math.min(count, CHOICE_LABELS.length) - 1]}`;
}

function toBank(raw: RawBank): QuizBank {
  const used = new Set(raw.questions.map((q) => q.id).filter((id): id is string => id !== undefined));
  const questions = raw.questions.map((q, i): QuizQuestion => {
    let id = q.id;
    if (id === undefined) {
      id = `q${i + 1}`;
      for (let n = 2; used.has(id); n++) id = `q${i + 1}-${n}`;
      used.add(id);
    }
    const out: QuizQuestion = { id, question: q.question, answers: q.answer, numeric: q.numeric ?? false, points: q.points, seconds: q.seconds };
    if (q.choices !== undefined) {
      out.choices = q.choices;
      const normalized = q.choices.map(normalizeAnswer);
      for (const alias of q.answer) {
        const a = normalizeAnswer(alias);
        const index = /^[a-z]$/.test(a) ? a.charCodeAt(0) - 97 : normalized.indexOf(a);
        if (index >= 0 && index < q.choices.length) {
          out.correctChoice = index;
          break;
        }
      }
    }
    if (q.category !== undefined) out.category = q.category;
    if (q.difficulty !== undefined) out.difficulty = q.difficulty;
    return out;
  });
  const bank: QuizBank = { name: raw.name, questions };
  if (raw.locale !== undefined) bank.locale = raw.locale;
  return bank;
}

/** One message per problem; an unknown-fields issue becomes one message per field. */
function flattenIssues(issues: readonly z.core.$ZodIssue[]): Array<{ path: Path; message: string }> {
  const out: Array<{ path: Path; message: string }> = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = issue.path.length === 0 ? 'name, locale, questions' : QUESTION_FIELDS.join(', ');
      for (const key of issue.keys) out.push({ path: [...issue.path, key], message: `unknown field (expected one of ${allowed})` });
    } else {
      out.push({ path: issue.path, message: issue.message });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// YAML

/** Fields whose scalars are text even when YAML would read them as numbers or booleans (answer: 1969). */
const TEXT_FIELDS = new Set(['name', 'locale', 'id', 'question', 'choices', 'answer', 'category']);

function keepTextFieldsAsText(doc: Document): void {
  visit(doc, {
    Scalar(key, node, path) {
      if (typeof node.value === 'string' || node.value === null || node.source === undefined) return;
      for (let k = path.length - 1; k >= 0; k--) {
        const ancestor = path[k];
        if (!isPair(ancestor)) continue;
        const direct = k === path.length - 1;
        const inValue = direct ? key === 'value' : path[k + 1] === ancestor.value;
        if (inValue && isScalar(ancestor.key) && TEXT_FIELDS.has(String(ancestor.key.value))) node.value = node.source;
        return;
      }
    },
  });
}

/** A YAML bank's format: `native` (name, questions), `red` (Red-DiscordBot Trivia), or `auto` (detected). */
export type YamlFormat = 'auto' | 'native' | 'red';

const RED_META_KEYS = new Set(['AUTHOR', 'CONFIG', '$schema']);

/** A Red trivia list: a top-level map without `questions` that has AUTHOR or maps a key to a list. */
export function looksLikeRedTrivia(doc: Document): boolean {
  const top = doc.contents;
  if (!isMap(top)) return false;
  const keys = top.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  if (keys.includes('questions')) return false;
  return keys.includes('AUTHOR') || top.items.some((p) => isSeq(p.value));
}

/** A scalar as written (`1969` stays "1969", `true` stays "true"), trimmed; undefined for anything else. */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return (typeof node.value === 'string' ? node.value : (node.source ?? String(node.value))).trim();
}

/** Parses and validates a YAML bank (native or Red trivia); errors read `file:line: field: message`. */
export function parseBankYaml(source: string, fileName: string, format: YamlFormat = 'auto'): BankResult {
  const parsed = parseYaml(source, fileName);
  if (!parsed.ok) return parsed;
  const { doc, lineCounter } = parsed;
  if (format === 'red' || (format === 'auto' && looksLikeRedTrivia(doc))) return parseRedTrivia(doc, lineCounter, fileName);
  keepTextFieldsAsText(doc);
  const result = bankSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (result.success) return { ok: true, bank: toBank(result.data), format: 'native' };
  const errors = flattenIssues(result.error.issues).map(({ path, message }) => {
    const { offset, resolved } = locate(doc, path);
    // answer: text is validated as a one-item list; name the scalar, not its item 0.
    const shown = resolved === path.length - 1 && path[path.length - 1] === 0 && path[path.length - 2] === 'answer' ? path.slice(0, -1) : path;
    const field = formatPath(shown);
    return { line: lineCounter.linePos(offset).line, text: `${field === '' ? '' : `${field}: `}${message}` };
  });
  return { ok: false, errors: byLine(fileName, errors) };
}

// ---------------------------------------------------------------------------
// Red-DiscordBot Trivia

function parseRedTrivia(doc: Document, lineCounter: LineCounter, fileName: string): BankResult {
  const top = doc.contents;
  const lineOf = (node: unknown, fallback = 1): number => (isNodeWithRange(node) ? lineCounter.linePos(node.range[0]).line : fallback);
  if (!isMap(top)) return { ok: false, errors: [`${fileName}:${lineOf(top)}: expected a Red trivia list: a mapping of questions to lists of accepted answers`] };
  const errors: Array<{ line: number; text: string }> = [];
  const questions: Array<{ question: string; answer: string[] }> = [];
  const lines: number[] = [];
  let author: string | undefined;
  for (const pair of top.items) {
    const line = lineOf(pair.key);
    const key = scalarText(pair.key);
    if (key === undefined || key === '') {
      errors.push({ line, text: 'expected a question (text) as the key' });
      continue;
    }
    if (RED_META_KEYS.has(key)) {
      if (key === 'AUTHOR') {
        author = scalarText(pair.value);
        if (author === undefined || author === '') errors.push({ line, text: 'AUTHOR: expected text' });
      }
      continue;
    }
    const label = JSON.stringify(key);
    if (!isSeq(pair.value)) {
      errors.push({ line, text: `${label}: expected a list of accepted answers` });
      continue;
    }
    if (pair.value.items.length === 0) {
      errors.push({ line, text: `${label}: expected at least one answer` });
      continue;
    }
    const answers: string[] = [];
    pair.value.items.forEach((item, i) => {
      const answer = scalarText(item);
      if (answer === undefined || answer === '') errors.push({ line: lineOf(item, line), text: `${label} (answer ${i + 1}): expected text` });
      else answers.push(answer);
    });
    questions.push({ question: key, answer: answers });
    lines.push(line);
  }
  if (errors.length === 0 && questions.length === 0) errors.push({ line: lineOf(top), text: 'expected at least one question' });
  if (errors.length > 0) return { ok: false, errors: byLine(fileName, errors) };
  const result = bankSchema.safeParse({ name: baseName(fileName), questions });
  if (!result.success) {
    const located = flattenIssues(result.error.issues).map(({ path, message }) => {
      const index = path[1];
      return { line: typeof index === 'number' ? (lines[index] ?? 1) : 1, text: `${formatPath(path.slice(2))}: ${message}` };
    });
    return { ok: false, errors: byLine(fileName, located) };
  }
  const bank = toBank(result.data);
  if (author !== undefined) bank.author = author;
  return { ok: true, bank, format: 'red' };
}

/** A bank written in the native YAML format (what quiz:import stores for a Red list); the AUTHOR becomes a comment. */
export function bankToYaml(bank: QuizBank): string {
  const questions = bank.questions.map((q) => {
    const out: Record<string, unknown> = { id: q.id, question: q.question };
    if (q.choices !== undefined) out.choices = q.choices;
    out.answer = q.answers.length === 1 ? q.answers[0] : q.answers;
    if (q.numeric) out.numeric = true;
    out.points = q.points;
    out.seconds = q.seconds;
    if (q.category !== undefined) out.category = q.category;
    if (q.difficulty !== undefined) out.difficulty = q.difficulty;
    return out;
  });
  const head = bank.author === undefined ? '' : `# AUTHOR: ${bank.author.replace(/\s+/g, ' ')}\n`;
  return head + stringify({ name: bank.name, ...(bank.locale === undefined ? {} : { locale: bank.locale }), questions });
}

// ---------------------------------------------------------------------------
// CSV

interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

type CsvParse =
  | { ok: true; records: CsvRecord[] }
  | { ok: false; line: number; field: number; message: string; records: CsvRecord[] };

/** RFC 4180 records: "," separates fields, CRLF/LF/CR end records, quoted fields may hold anything. */
export function parseCsvRecords(input: string): CsvParse {
  const s = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let line = 1;
  let fields: string[] = [];
  let recordLine = 1;
  let i = 0;
  const atRecordEnd = (): boolean => i >= s.length || s[i] === '\n' || s[i] === '\r';
  const endRecord = (): void => {
    // A line with nothing but spaces on it is not a record.
    if (!(fields.length === 1 && fields[0]?.trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
    if (s[i] === '\r' && s[i + 1] === '\n') i++;
    if (i < s.length) line++;
    i++;
    recordLine = line;
  };
  while (i <= s.length) {
    if (s[i] === '"') {
      const quoteLine = line;
      let value = '';
      i++;
      for (;;) {
        if (i >= s.length) return { ok: false, line: quoteLine, field: fields.length, message: 'unterminated quoted field', records };
        const ch = s[i] ?? '';
        if (ch === '"') {
          if (s[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '\n' || (ch === '\r' && s[i + 1] !== '\n')) line++;
        value += ch;
        i++;
      }
      fields.push(value);
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (atRecordEnd()) {
        endRecord();
        continue;
      }
      return { ok: false, line, field: fields.length - 1, message: 'unexpected text after a closing quote (double quotes inside a quoted field: "")', records };
    }
    const start = i;
    while (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') {
      if (s[i] === '"') return { ok: false, line, field: fields.length, message: 'quote inside an unquoted field (quote the whole field and double the quote)', records };
      i++;
    }
    fields.push(s.slice(start, i));
    if (s[i] === ',') {
      i++;
      continue;
    }
    endRecord();
  }
  return { ok: true, records };
}

const CSV_COLUMNS = ['id', 'question', 'choices', 'answer', 'numeric', 'points', 'seconds', 'category', 'difficulty'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly CsvColumn[] = ['question', 'answer'];

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', '是', '对']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', '否', '不是']);

function csvCell(column: CsvColumn, raw: string): unknown {
  const value = raw.trim();
  if (value === '') return undefined;
  switch (column) {
    case 'choices':
    case 'answer':
      return value.split('|').map((part) => part.trim());
    case 'points':
    case 'seconds':
      return /^[+-]?\d+(?:\.\d+)?$/.test(value) ? Number(value) : value;
    case 'numeric': {
      const word = value.toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : value;
    }
    default:
      return value;
  }
}

function baseName(fileName: string): string {
  const file = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

/** Parses and validates a CSV bank; errors read `file:line: column: message`. */
export function parseBankCsv(source: string, fileName: string): BankResult {
  const parsed = parseCsvRecords(source);
  if (!parsed.ok) {
    const header = parsed.records[0];
    const name = header !== undefined && parsed.line > header.line ? header.fields[parsed.field]?.trim() : undefined;
    const column = name ? name.toLowerCase() : `column ${parsed.field + 1}`;
    return { ok: false, errors: [`${fileName}:${parsed.line}: ${column}: ${parsed.message}`] };
  }
  const [header, ...rows] = parsed.records;
  if (header === undefined) return { ok: false, errors: [`${fileName}:1: empty file: expected a header row (${CSV_COLUMNS.join(',')})`] };

  const errors: string[] = [];
  const columns: Array<CsvColumn | undefined> = [];
  header.fields.forEach((cell, i) => {
    const name = cell.trim().toLowerCase();
    const column = CSV_COLUMNS.find((c) => c === name);
    if (column === undefined) errors.push(`${fileName}:${header.line}: column ${i + 1} "${cell.trim()}": unknown column (expected ${CSV_COLUMNS.join(', ')})`);
    else if (columns.includes(column)) errors.push(`${fileName}:${header.line}: column ${i + 1} "${column}": duplicate column`);
    columns.push(column);
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!columns.includes(required)) errors.push(`${fileName}:${header.line}: missing column "${required}"`);
  }
  if (errors.length > 0) return { ok: false, errors };
  if (rows.length === 0) return { ok: false, errors: [`${fileName}:${header.line + 1}: no questions after the header`] };

  const questions: Array<Record<string, unknown>> = [];
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      errors.push(`${fileName}:${row.line}: expected ${columns.length} fields, found ${row.fields.length} (quote fields that contain commas)`);
      continue;
    }
    const question: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const value = column === undefined ? undefined : csvCell(column, row.fields[i] ?? '');
      if (column !== undefined && value !== undefined) question[column] = value;
    });
    questions.push(question);
  }
  if (errors.length > 0) return { ok: false, errors };

  const result = bankSchema.safeParse({ name: baseName(fileName), questions });
  if (result.success) return { ok: true, bank: toBank(result.data), format: 'csv' };
  const located = flattenIssues(result.error.issues).map(({ path, message }) => {
    const [top, index, column, item] = path;
    if (top === 'questions' && typeof index === 'number') {
      const where = column === undefined ? '' : typeof item === 'number' ? `${String(column)} (item ${item + 1}): ` : `${String(column)}: `;
      return { line: rows[index]?.line ?? header.line, text: `${where}${message}` };
    }
    return { line: header.line, text: `${formatPath(path)}: ${message}` };
  });
  return { ok: false, errors: byLine(fileName, located) };
}
