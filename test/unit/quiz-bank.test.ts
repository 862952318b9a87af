import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBankCsv, parseBankYaml, parseCsvRecords } from '../../src/features/quiz/bank.js';
import { bankOf, errorsOf, yaml } from '../helpers/quiz-bank.js';
import { CHOICE_LABELS, matchAnswer } from '../../src/features/quiz/normalize.js';


describe('config/quiz/general.yaml', () => {
  const source = readFileSync(new URL('../../config/quiz/general.yaml', import.meta.url), 'utf8');
  const bank = bankOf(parseBankYaml(source, 'general.yaml'));

  it('is a valid bank of about a dozen questions with unique ids', () => {
    expect(bank.questions.length).toBeGreaterThanOrEqual(10);
    expect(new Set(bank.questions.map((q) => q.id)).size).toBe(bank.questions.length);
    expect(bank.locale).toBe('zh-CN');
    expect(bank.questions.some((q) => /^[\x20-\x7e]+$/.test(q.question))).toBe(true); // some English
  });

  it('accepts its own answers, and the correct letter for choice questions', () => {
    for (const q of bank.questions) {
      for (const alias of q.answers) expect(matchAnswer(alias, q), `${q.id}: ${alias}`).toBe(true);
      if (q.choices !== undefined) {
        expect(q.correctChoice, q.id).toBeDefined();
        const letter = CHOICE_LABELS[q.correctChoice ?? 0] ?? '';
        expect(matchAnswer(`选${letter}`, q), q.id).toBe(true);
        const wrong = CHOICE_LABELS[((q.correctChoice ?? 0) + 1) % q.choices.length] ?? '';
        expect(matchAnswer(wrong, q), q.id).toBe(false);
      }
    }
  });

  it('answers numeric questions with Chinese numerals too', () => {
    const q = bank.questions.find((x) => x.id === 'provincial-divisions');
    expect(q?.numeric).toBe(true);
    expect(q && matchAnswer('三十四个', q)).toBe(true);
    expect(q && matchAnswer('35', q)).toBe(false);
  });
});

describe('parseBankYaml', () => {
  it('applies defaults, generates ids and keeps YAML numbers as text where text is expected', () => {
    const bank = bankOf(
      parseBankYaml(
        yaml(
          'name: 测试',
          'questions:',
          '  - question: 阿波罗11号哪一年登月？',
          '    answer: 1969',
          '    numeric: true',
          '  - id: q1',
          '    question: Pick the even number',
          '    choices: [1, 2, 3]',
          '    answer: 2',
          '    points: 0',
          '    seconds: 600',
          '    difficulty: hard',
          '    category: math',
        ),
        'quiz.yaml',
      ),
    );
    expect(bank).toEqual({
      name: '测试',
      questions: [
        { id: 'q1-2', question: '阿波罗11号哪一年登月？', answers: ['1969'], numeric: true, points: 10, seconds: 30 },
        { id: 'q1', question: 'Pick the even number', choices: ['1', '2', '3'], answers: ['2'], correctChoice: 1, numeric: false, points: 0, seconds: 600, difficulty: 'hard', category: 'math' },
      ],
    });
  });

  it('resolves letter and text answers to the correct choice', () => {
    const bank = bankOf(
      parseBankYaml(
        yaml(
          'name: t',
          'questions:',
          '  - { question: q, choices: [a1, b1, c1], answer: c }',
          '  - { question: q, choices: [a1, b1, c1], answer: [ B1 ] }',
          '  - { question: q, choices: [北京, 上海], answer: [A, 北京市] }',
        ),
        'quiz.yaml',
      ),
    );
    expect(bank.questions.map((q) => q.correctChoice)).toEqual([2, 1, 0]);
  });

  it('names the line and field: the documented example', () => {
    const source = yaml(
      'name: Test', //                         1
      'questions:', //                         2
      '  - question: 一', //                   3
      '    answer: 1', //                      4
      '  - question: 二', //                   5
      '    answer: 2', //                      6
      '  - question: 三', //                   7
      '    answer: 3', //                      8
      '  - question: 四', //                   9
      '    answer: 4', //                      10
      '    points: 5', //                      11
      '    seconds: 3', //                     12
    );
    expect(errorsOf(parseBankYaml(source, 'quiz.yaml'))).toEqual(['quiz.yaml:12: questions[3].seconds: expected an integer between 5 and 600']);
  });

  it('reports every problem with its line', () => {
    const source = yaml(
      'name: Broken', //                                 1
      'questions:', //                                   2
      '  - question: 缺答案', //                          3
      '    points: 10', //                                4
      '  - question: Too few choices', //                 5
      '    choices:', //                                  6
      '      - only one', //                              7
      '    answer: A', //                                 8
      '  - question: Bad letter', //                      9
      '    choices: [x, y, z, w]', //                     10
      '    answer: E', //                                 11
      '  - question: Not a choice', //                    12
      '    choices: [x, y]', //                           13
      '    answer: zz', //                                14
      '  - question: Typo', //                            15
      '    anwser: 1', //                                 16
      '    answer: 1', //                                 17
      '  - question: Numeric', //                         18
      '    answer: many', //                              19
      '    numeric: true', //                             20
      '  - question: Difficulty', //                      21
      '    answer: x', //                                 22
      '    difficulty: extreme', //                       23
      '    seconds: 30.5', //                             24
      '  - question: "  "', //                            25
      '    answer: [ok, ""]', //                          26
      '    points: ten', //                               27
      '  - question: Two choices named', //               28
      '    choices: [x, y, x]', //                        29
      '    answer: [A, y]', //                            30
      '  - question: Numeric flag', //                    31
      '    answer: 1', //                                 32
      '    numeric: yes', //                              33
    );
    expect(errorsOf(parseBankYaml(source, 'bank.yaml'))).toEqual([
      'bank.yaml:3: questions[0].answer: is required',
      'bank.yaml:6: questions[1].choices: expected a list of 2–6 choices',
      'bank.yaml:11: questions[2].answer: "E" is not a choice letter (A–D)',
      'bank.yaml:14: questions[3].answer: must name one of the choices by letter (A–B) or by its text',
      'bank.yaml:16: questions[4].anwser: unknown field (expected one of id, question, choices, answer, numeric, points, seconds, category, difficulty)',
      'bank.yaml:19: questions[5].answer: numeric: true needs an answer that is a number',
      'bank.yaml:23: questions[6].difficulty: expected easy, medium or hard',
      'bank.yaml:24: questions[6].seconds: expected an integer between 5 and 600',
      'bank.yaml:25: questions[7].question: must not be empty',
      'bank.yaml:26: questions[7].answer[1]: must not be empty',
      'bank.yaml:27: questions[7].points: expected an integer between 0 and 10000',
      'bank.yaml:29: questions[8].choices[2]: same as choice A',
      'bank.yaml:30: questions[8].answer: names more than one choice (A, B)',
      'bank.yaml:33: questions[9].numeric: expected true or false',
    ]);
  });

  it('reports duplicate ids, missing name and empty question lists', () => {
    expect(errorsOf(parseBankYaml(yaml('name: x', 'questions:', '  - { id: a, question: q, answer: x }', '  - id: a', '    question: q', '    answer: y'), 'q.yaml'))).toEqual([
      'q.yaml:4: questions[1].id: duplicate id "a" (also questions[0])',
    ]);
    expect(errorsOf(parseBankYaml(yaml('locale: en', 'questions: []'), 'q.yaml'))).toEqual([
      'q.yaml:1: name: is required',
      'q.yaml:2: questions: expected at least one question',
    ]);
    expect(errorsOf(parseBankYaml(yaml('name: x', 'questions: 3', 'extra: 1'), 'q.yaml'))).toEqual([
      'q.yaml:2: questions: expected a list of questions',
      'q.yaml:3: extra: unknown field (expected one of name, locale, questions)',
    ]);
    expect(errorsOf(parseBankYaml('- just\n- a list\n', 'q.yaml'))).toEqual(['q.yaml:1: expected a bank: a mapping with name and questions']);
    expect(errorsOf(parseBankYaml('', 'q.yaml'))).toEqual(['q.yaml:1: expected a bank: a mapping with name and questions']);
  });

  it('reports YAML syntax errors with their line', () => {
    const errors = errorsOf(parseBankYaml(yaml('name: x', 'questions:', '  - question: "unclosed', '    answer: y'), 'q.yaml'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^q\.yaml:\d+: invalid YAML: /);
    const dup = errorsOf(parseBankYaml(yaml('name: x', 'name: y', 'questions: []'), 'q.yaml'));
    expect(dup[0]).toMatch(/^q\.yaml:2: invalid YAML: .*unique/i);
  });
});

describe('parseBankCsv', () => {
  const header = 'question,choices,answer,points,seconds,category,difficulty';

  it('imports rows with RFC 4180 quoting, CRLF and a BOM', () => {
    const source =
      '\uFEFF' +
      [
        header,
        '中国的首都是？,上海|北京|广州,B,,,地理,easy',
        '"Say ""hi"", please",,"hi|hello",5,20,,',
        '"A question\nover two lines",,yes,,,,hard',
        '"Capital, France?",Paris|London,Paris,,,"geo",medium',
      ].join('\r\n') +
      '\r\n';
    const bank = bankOf(parseBankCsv(source, 'data/zh-general.csv'));
    expect(bank.name).toBe('zh-general');
    expect(bank.questions).toEqual([
      { id: 'q1', question: '中国的首都是？', choices: ['上海', '北京', '广州'], answers: ['B'], correctChoice: 1, numeric: false, points: 10, seconds: 30, category: '地理', difficulty: 'easy' },
      { id: 'q2', question: 'Say "hi", please', answers: ['hi', 'hello'], numeric: false, points: 5, seconds: 20 },
      { id: 'q3', question: 'A question\nover two lines', answers: ['yes'], numeric: false, points: 10, seconds: 30, difficulty: 'hard' },
      { id: 'q4', question: 'Capital, France?', choices: ['Paris', 'London'], answers: ['Paris'], correctChoice: 0, numeric: false, points: 10, seconds: 30, category: 'geo', difficulty: 'medium' },
    ]);
  });

  it('accepts columns in any order, optional id and numeric columns, and skips blank lines', () => {
    const bank = bankOf(parseBankCsv('Answer,Question,Numeric,ID\n\n一百二十三,多少？,yes,n123\n', 'x.csv'));
    expect(bank.questions).toEqual([{ id: 'n123', question: '多少？', answers: ['一百二十三'], numeric: true, points: 10, seconds: 30 }]);
  });

  it('names the line and column of invalid values, counting lines inside quoted fields', () => {
    const source = [
      header, //                                   1
      '"two', //                                   2
      'lines",,x,,,,', //                          3
      'ok?,,x,,3,,', //                            4
      'letter?,a|b,C,ten,,,insane', //             5
      ',,,,,,', //                                  6
      'aliases,,a||b,,,,', //                       7
      'letter?,a|b,C,,,,', //                       8
    ].join('\n');
    expect(errorsOf(parseBankCsv(source, 'quiz.csv'))).toEqual([
      'quiz.csv:4: seconds: expected an integer between 5 and 600',
      'quiz.csv:5: points: expected an integer between 0 and 10000',
      'quiz.csv:5: difficulty: expected easy, medium or hard',
      'quiz.csv:6: question: is required',
      'quiz.csv:6: answer: is required',
      'quiz.csv:7: answer (item 2): must not be empty',
      'quiz.csv:8: answer: "C" is not a choice letter (A–B)',
    ]);
  });

  it('reports header problems', () => {
    expect(errorsOf(parseBankCsv('question,anwser,points\nq,a,1\n', 'h.csv'))).toEqual([
      'h.csv:1: column 2 "anwser": unknown column (expected id, question, choices, answer, numeric, points, seconds, category, difficulty)',
      'h.csv:1: missing column "answer"',
    ]);
    expect(errorsOf(parseBankCsv('question,answer,question\n', 'h.csv'))).toEqual(['h.csv:1: column 3 "question": duplicate column']);
    expect(errorsOf(parseBankCsv('', 'h.csv'))).toEqual(['h.csv:1: empty file: expected a header row (id,question,choices,answer,numeric,points,seconds,category,difficulty)']);
    expect(errorsOf(parseBankCsv('question,answer\n', 'h.csv'))).toEqual(['h.csv:2: no questions after the header']);
  });

  it('reports malformed CSV with line and column name', () => {
    expect(errorsOf(parseBankCsv('question,answer\nq,"unterminated\nmore\n', 'm.csv'))).toEqual(['m.csv:2: answer: unterminated quoted field']);
    expect(errorsOf(parseBankCsv('question,answer\nq,a\nsay "hi",b\n', 'm.csv'))).toEqual([
      'm.csv:3: question: quote inside an unquoted field (quote the whole field and double the quote)',
    ]);
    expect(errorsOf(parseBankCsv('question,answer\n"q"x,a\n', 'm.csv'))).toEqual([
      'm.csv:2: question: unexpected text after a closing quote (double quotes inside a quoted field: "")',
    ]);
    expect(errorsOf(parseBankCsv('question,answer\nWhat is 1,000?,1000\n', 'm.csv'))).toEqual([
      'm.csv:2: expected 2 fields, found 3 (quote fields that contain commas)',
    ]);
  });
});

describe('parseCsvRecords', () => {
  it('follows RFC 4180', () => {
    const parsed = parseCsvRecords('a,b,c\r\n"x,1","y""2","z\r\n3"\n,,\n"",last\r');
    expect(parsed).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['x,1', 'y"2', 'z\r\n3'] },
        { line: 4, fields: ['', '', ''] },
        { line: 5, fields: ['', 'last'] },
      ],
    });
    expect(parseCsvRecords('a,')).toEqual({ ok: true, records: [{ line: 1, fields: ['a', ''] }] });
    expect(parseCsvRecords('')).toEqual({ ok: true, records: [] });
  });
});
