/**
 * `npm run quiz:import -- <file> [--format red] [--force] [--check]`: validates
 * a question bank (YAML, CSV, or a Red-DiscordBot Trivia list; schema in
 * src/features/quiz/bank.ts) and copies it into the banks folder (config
 * quiz.banksDir, default config/quiz), where the bot loads it at the next
 * start. A Red list (detected, or `--format red`) is stored converted to the
 * native YAML format, every accepted answer kept as an alias. Errors print as
 * `file:line: field: message`; any error exits with status 1 and copies nothing.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, extname, isAbsolute, join } from 'node:path';
import { loadConfig, rootPath } from './config/load.js';
import { bankToYaml, type YamlFormat } from './features/quiz/bank.js';
import { bankKey, parseBankFile } from './features/quiz/banks.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.csv']);
/** `--format` values: `red` (Red-DiscordBot Trivia), `yaml` (the native YAML), `auto` (the default: by extension, Red detected). */
const FORMATS: Record<string, YamlFormat> = { auto: 'auto', red: 'red', yaml: 'native' };
const USAGE = 'usage: npm run quiz:import -- <bank.yaml|bank.csv|trivia.yaml> [--format red|yaml|auto] [--force] [--check]';

interface ImportArgs {
  files: string[];
  flags: Set<string>;
  format: YamlFormat | undefined;
}

/** `--format red` and `--format=red` both work; an unknown flag or format leaves `format` undefined. */
function parseArgs(argv: readonly string[]): ImportArgs {
  const files: string[] = [];
  const flags = new Set<string>();
  let format: YamlFormat | undefined = 'auto';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? argv[++i] : arg.slice('--format='.length);
      format = value === undefined ? undefined : FORMATS[value];
    } else if (arg.startsWith('--')) flags.add(arg);
    else files.push(arg);
  }
  return { files, flags, format };
}

export function runQuizImport(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  const { files, flags, format } = parseArgs(argv);
  const unknown = [...flags].filter((f) => f !== '--force' && f !== '--check');
  if (files.length !== 1 || unknown.length > 0 || format === undefined) {
    err(USAGE);
    return 1;
  }
  const file = files[0] as string;
  const ext = extname(file).toLowerCase();
  if (!EXTENSIONS.has(ext) || (format !== 'auto' && ext === '.csv')) {
    err(`${basename(file)}:1: expected a .yaml or .yml file${format === 'auto' ? ' or a .csv file' : ' for this --format'}`);
    return 1;
  }
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    err(`${file}: cannot read: ${(e as Error).message}`);
    return 1;
  }
  const result = parseBankFile(source, file, format);
  if (!result.ok) {
    for (const line of result.errors) err(line);
    err(`${result.errors.length} error(s); nothing imported.`);
    return 1;
  }
  const red = result.format === 'red';
  out(`${basename(file)}: OK${red ? ' (Red-DiscordBot trivia list)' : ''}, "${result.bank.name}", ${result.bank.questions.length} question(s).`);
  if (flags.has('--check')) return 0;

  const configured = loadConfig(env).config.quiz.banksDir;
  const dir = isAbsolute(configured) ? configured : rootPath(configured);
  mkdirSync(dir, { recursive: true });
  const key = bankKey(file);
  // A Red list is stored as the native YAML, so the loader never has to guess its format.
  const targetName = red ? `${key}.yaml` : basename(file);
  const target = join(dir, targetName);
  const clash = readdirSync(dir).find((f) => EXTENSIONS.has(extname(f).toLowerCase()) && bankKey(f) === key && f !== targetName);
  if (clash !== undefined) {
    err(`${basename(file)}: a bank named "${key}" already exists as ${clash}; rename the file.`);
    return 1;
  }
  if (existsSync(target) && !flags.has('--force')) {
    err(`${target} exists; pass --force to replace it.`);
    return 1;
  }
  if (red) writeFileSync(target, bankToYaml(result.bank));
  else copyFileSync(file, target);
  out(`Imported as bank "${key}" → ${target} (loaded at the next start; /quiz start ${key}).`);
  return 0;
}

if (process.argv[1] && basename(process.argv[1]).startsWith('quiz-import')) {
  process.exitCode = runQuizImport(process.argv.slice(2));
}
