/** Small readers of a bank parse result, shared by the bank format tests. */
import type { BankResult, QuizBank } from '../../src/features/quiz/bank.js';

export function bankOf(result: BankResult): QuizBank {
  if (!result.ok) throw new Error(`expected a valid bank, got:\n${result.errors.join('\n')}`);
  return result.bank;
}

export function errorsOf(result: BankResult): string[] {
  if (result.ok) throw new Error('expected errors, got a valid bank');
  return result.errors;
}

/** YAML text from lines. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
