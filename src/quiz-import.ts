/**
 * `npm run quiz:import -- <file> [--force] [--check]`: validates a question
 * bank (YAML or CSV, schema in src/features/quiz/bank.ts) and copies it into
 * the banks folder (config quiz.banksDir, default config/quiz), where the bot
 * loads it at the next start. Errors print as `file:line: field: message`;
 * any error exits with status 1 and copies nothing.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { basename, extname, isAbsolute, join } from 'node:path';
import { loadConfig, rootPath } from './config/load.js';
import { bankKey, parseBankFile } from './features/quiz/banks.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.csv']);

export function runQuizImport(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const files = argv.filter((a) => !a.startsWith('--'));
  const unknown = [...flags].filter((f) => f !== '--force' && f !== '--check');
  if (files.length !== 1 || unknown.length > 0) {
    err('usage: npm run quiz:import -- <bank.yaml|bank.csv> [--force] [--check]');
    return 1;
  }
  const file = files[0] as string;
  const ext = extname(file).toLowerCase();
  if (!EXTENSIONS.has(ext)) {
    err(`${basename(file)}:1: expected a .yaml, .yml or .csv file`);
    return 1;
  }
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    err(`${file}: cannot read: ${(e as Error).message}`);
    return 1;
  }
  const result = parseBankFile(source, file);
  if (!result.ok) {
    for (const line of result.errors) err(line);
    err(`${result.errors.length} error(s); nothing imported.`);
    return 1;
  }
  out(`${basename(file)}: OK, "${result.bank.name}", ${result.bank.questions.length} question(s).`);
  if (flags.has('--check')) return 0;

  const configured = loadConfig(env).config.quiz.banksDir;
  const dir = isAbsolute(configured) ? configured : rootPath(configured);
  mkdirSync(dir, { recursive: true });
  const key = bankKey(file);
  const target = join(dir, basename(file));
  const clash = readdirSync(dir).find((f) => EXTENSIONS.has(extname(f).toLowerCase()) && bankKey(f) === key && f !== basename(file));
  if (clash !== undefined) {
    err(`${basename(file)}: a bank named "${key}" already exists as ${clash}; rename the file.`);
    return 1;
  }
  if (existsSync(target) && !flags.has('--force')) {
    err(`${target} exists; pass --force to replace it.`);
    return 1;
  }
  copyFileSync(file, target);
  out(`Imported as bank "${key}" → ${target} (loaded at the next start; /quiz start ${key}).`);
  return 0;
}

if (process.argv[1] && basename(process.argv[1]).startsWith('quiz-import')) {
  process.exitCode = runQuizImport(process.argv.slice(2));
}
