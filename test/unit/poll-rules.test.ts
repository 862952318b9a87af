import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { anonymousVoter, bar, parsePollText, resultLines } from '../../src/features/poll/poll.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err.key;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('poll text', () => {
  it('reads a quoted question, options split by | or ｜, and flags before or after the options', () => {
    expect(parsePollText('"周末去哪儿？" 爬山 | 看电影｜宅家')).toEqual({ question: '周末去哪儿？', options: ['爬山', '看电影', '宅家'], anonymous: false, hideResults: false });
    expect(parsePollText('「Best fruit」 apple pie | banana anonymous hide_results')).toEqual({ question: 'Best fruit', options: ['apple pie', 'banana'], anonymous: true, hideResults: true });
    expect(parsePollText('匿名 哪个好？ A | B 隐藏结果')).toMatchObject({ question: '匿名 哪个好？', anonymous: false, hideResults: true });
    expect(parsePollText('哪个好？ 匿名 A | B')).toMatchObject({ options: ['A', 'B'], anonymous: true });
  });

  it('refuses a missing question, too few or too many options, empty and duplicate options', () => {
    expect(refusal(() => parsePollText('A | B'))).toBe('poll.needQuestion');
    expect(refusal(() => parsePollText('"Q" A'))).toBe('poll.optionCount');
    expect(refusal(() => parsePollText('"Q"'))).toBe('poll.optionCount');
    expect(refusal(() => parsePollText(`"Q" ${Array.from({ length: 26 }, (_, i) => `o${i}`).join(' | ')}`))).toBe('poll.optionCount');
    expect(parsePollText(`"Q" ${Array.from({ length: 25 }, (_, i) => `o${i}`).join(' | ')}`).options).toHaveLength(25);
    expect(refusal(() => parsePollText('"Q" A || B'))).toBe('poll.emptyOption');
    expect(refusal(() => parsePollText('"Q" A | a'))).toBe('poll.duplicateOption');
    expect(refusal(() => parsePollText(`"${'x'.repeat(301)}" A | B`))).toBe('poll.questionTooLong');
  });
});

describe('poll results', () => {
  it('draws the share of voters as a bar of ten blocks', () => {
    expect(bar(12, 30)).toBe('▇▇▇▇░░░░░░ 40% (12)');
    expect(bar(0, 0)).toBe('░░░░░░░░░░ 0% (0)');
    expect(bar(3, 3)).toBe('▇▇▇▇▇▇▇▇▇▇ 100% (3)');
    expect(resultLines(['A', 'B'], [1, 3], 4)).toEqual(['1. A\n▇▇▇░░░░░░░ 25% (1)', '2. B\n▇▇▇▇▇▇▇▇░░ 75% (3)']);
  });

  it('an anonymous voter key depends on the salt, the poll and the member, and is fixed-length hex', () => {
    const salt = 'ab'.repeat(32);
    const key = anonymousVoter(salt, 1, 7);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).toBe(anonymousVoter(salt, 1, 7));
    expect(new Set([key, anonymousVoter(salt, 2, 7), anonymousVoter(salt, 1, 8), anonymousVoter('cd'.repeat(32), 1, 7)]).size).toBe(4);
  });
});
