import { describe, expect, it } from 'vitest';
import { bankToYaml, parseBankYaml, type QuizBank } from '../../src/features/quiz/bank.js';
import { bankOf, errorsOf, yaml } from '../helpers/quiz-bank.js';
import { matchAnswer } from '../../src/features/quiz/normalize.js';


describe('Red-DiscordBot trivia lists', () => {
  it('are detected: each key is a question, its list the accepted answers (the first shown), numbers and booleans kept as written', () => {
    const result = parseBankYaml(yaml('"What is 2+2?":', '- 4', '- four', 'Year of the moon landing?:', '- 1969', 'Is water wet?:', '- yes', '- true'), 'math-trivia.yaml');
    expect(result.ok && result.format).toBe('red');
    const bank = bankOf(result);
    expect(bank.name).toBe('math-trivia');
    expect(bank.author).toBeUndefined();
    expect(bank.questions).toEqual([
      { id: 'q1', question: 'What is 2+2?', answers: ['4', 'four'], numeric: false, points: 10, seconds: 30 },
      { id: 'q2', question: 'Year of the moon landing?', answers: ['1969'], numeric: false, points: 10, seconds: 30 },
      { id: 'q3', question: 'Is water wet?', answers: ['yes', 'true'], numeric: false, points: 10, seconds: 30 },
    ]);
    // Every accepted answer is an alias.
    const first = bank.questions[0] as QuizBank['questions'][number];
    expect(matchAnswer('four', first)).toBe(true);
    expect(matchAnswer('4', first)).toBe(true);
    expect(matchAnswer('five', first)).toBe(false);
  });

  it('keep the AUTHOR and ignore CONFIG and $schema', () => {
    const bank = bankOf(parseBankYaml(yaml('AUTHOR: Twentysix', 'CONFIG:', '  max_score: 10', 'Capital of France?:', '- Paris'), 'geo.yaml'));
    expect(bank.author).toBe('Twentysix');
    expect(bank.questions.map((q) => q.question)).toEqual(['Capital of France?']);
  });

  it('name the file and line of a question whose value is not a list, of an empty list and of an empty answer', () => {
    const source = yaml('AUTHOR: someone', 'Good?:', '- yes', 'Not a list?: 42', 'Empty?: []', 'Blank answer?:', '- ok', '- ""', 'Nested?:', '- [a, b]');
    expect(errorsOf(parseBankYaml(source, 'bad.yaml'))).toEqual([
      'bad.yaml:4: "Not a list?": expected a list of accepted answers',
      'bad.yaml:5: "Empty?": expected at least one answer',
      'bad.yaml:8: "Blank answer?" (answer 2): expected text',
      'bad.yaml:10: "Nested?" (answer 1): expected text',
    ]);
  });

  it('with --format red, a file that would not be detected is still read as Red and fails with lines', () => {
    expect(errorsOf(parseBankYaml(yaml('AUTHOR: only me'), 'none.yaml', 'red'))).toEqual(['none.yaml:1: expected at least one question']);
    expect(errorsOf(parseBankYaml(yaml('name: x', 'locale: en'), 'plain.yaml', 'red'))).toEqual(['plain.yaml:1: "name": expected a list of accepted answers', 'plain.yaml:2: "locale": expected a list of accepted answers']);
    // The same file in auto mode is a native bank missing its questions.
    expect(errorsOf(parseBankYaml(yaml('name: x', 'locale: en'), 'plain.yaml'))).toEqual(['plain.yaml:1: questions: is required']);
  });

  it('report YAML syntax errors and duplicate questions with their line', () => {
    expect(errorsOf(parseBankYaml(yaml('Q?:', '- a', 'Q?:', '- b'), 'dup.yaml'))[0]).toMatch(/^dup\.yaml:3: invalid YAML/);
  });

  it('convert to the native YAML without losing an alias', () => {
    const red = bankOf(parseBankYaml(yaml('AUTHOR: someone', '"What is 2+2?":', '- 4', '- four', 'Yes or no?:', '- "no"'), 'mix.yaml'));
    const native = parseBankYaml(bankToYaml(red), 'mix.yaml');
    expect(native.ok && native.format).toBe('native');
    expect(bankOf(native).questions).toEqual(red.questions);
    expect(bankToYaml(red)).toMatch(/^# AUTHOR: someone\n/);
  });
});
