/**
 * The loaded question banks: every `*.yaml`, `*.yml` and `*.csv` file in
 * the banks folder (config/quiz), validated at start. A bank is known by its
 * file name without the extension (`general`); bad files are left out and
 * their errors (file, line, field) kept for the log and `/quiz banks`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseBankCsv, parseBankYaml, type BankResult, type QuizBank, type YamlFormat } from './bank.js';

export interface LoadedBanks {
  /** By key (file name without extension), in file-name order. */
  banks: Map<string, QuizBank>;
  /** `file:line: field: message`, one per problem. */
  errors: string[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.csv']);

export function bankKey(fileName: string): string {
  return basename(fileName, extname(fileName));
}

/** Parses one bank file by its extension; a YAML file's format is detected unless given. */
export function parseBankFile(source: string, fileName: string, format: YamlFormat = 'auto'): BankResult {
  return extname(fileName).toLowerCase() === '.csv' ? parseBankCsv(source, basename(fileName)) : parseBankYaml(source, basename(fileName), format);
}

export function loadBanks(dir: string): LoadedBanks {
  const banks = new Map<string, QuizBank>();
  const errors: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => EXTENSIONS.has(extname(f).toLowerCase())).sort();
  } catch (err) {
    return { banks, errors: [`${dir}: cannot read the banks folder (${(err as Error).message})`] };
  }
  for (const file of files) {
    const key = bankKey(file);
    if (banks.has(key)) {
      errors.push(`${file}:1: a bank named "${key}" is already loaded from another file`);
      continue;
    }
    const result = parseBankFile(readFileSync(join(dir, file), 'utf8'), file);
    if (result.ok) banks.set(key, result.bank);
    else errors.push(...result.errors);
  }
  return { banks, errors };
}
