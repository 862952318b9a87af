import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rootPath } from '../../src/config/load.js';
import { loadBanks } from '../../src/features/quiz/banks.js';
import { runQuizImport } from '../../src/quiz-import.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-quiz-unit-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const GOOD_CSV = 'question,choices,answer\n"1+1=?",1|2|3,B\nCapital of France?,,Paris\n';
const BAD_CSV = 'question,choices,answer,seconds\n"1+1=?",1|2|3,B,10\nCapital of France?,,Paris,3\n';

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { out, err };
}

describe('loading the banks folder', () => {
  it('the shipped banks load without errors', () => {
    const loaded = loadBanks(rootPath('config/quiz'));
    expect(loaded.errors).toEqual([]);
    expect(loaded.banks.get('general')?.questions.length).toBeGreaterThan(5);
  });

  it('names banks by file, reads CSV too, and keeps bad files out with line and field', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'math.csv'), GOOD_CSV);
    writeFileSync(join(dir, 'bad.csv'), BAD_CSV);
    writeFileSync(join(dir, 'math.yaml'), 'name: Dup\nquestions:\n  - question: q\n    answer: a\n');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const loaded = loadBanks(dir);
    expect([...loaded.banks.keys()]).toEqual(['math']);
    expect(loaded.errors).toEqual(['bad.csv:3: seconds: expected an integer between 5 and 600', 'math.yaml:1: a bank named "math" is already loaded from another file']);
  });

  it('a missing folder is reported, not thrown', () => {
    expect(loadBanks(join(tempDir(), 'nope')).errors[0]).toMatch(/cannot read the banks folder/);
  });
});

describe('quiz:import', () => {
  function env(banksDir: string): NodeJS.ProcessEnv {
    const override = join(tempDir(), 'override.yaml');
    writeFileSync(override, `quiz:\n  banksDir: ${banksDir}\n`);
    return { CONFIG_FILE: override };
  }

  it('prints errors with line and field and exits 1 without copying', () => {
    const src = join(tempDir(), 'bad.csv');
    writeFileSync(src, BAD_CSV);
    const banks = tempDir();
    const { err } = capture();
    expect(runQuizImport([src], env(banks))).toBe(1);
    expect(err.join('')).toContain('bad.csv:3: seconds: expected an integer between 5 and 600');
    expect(existsSync(join(banks, 'bad.csv'))).toBe(false);
  });

  it('copies a valid bank into the banks folder, and refuses to overwrite without --force', () => {
    const src = join(tempDir(), 'math.csv');
    writeFileSync(src, GOOD_CSV);
    const banks = tempDir();
    const { out, err } = capture();
    expect(runQuizImport([src], env(banks))).toBe(0);
    expect(readFileSync(join(banks, 'math.csv'), 'utf8')).toBe(GOOD_CSV);
    expect(out.join('')).toContain('2 question(s)');
    expect(runQuizImport([src], env(banks))).toBe(1);
    expect(err.join('')).toContain('--force');
    expect(runQuizImport([src, '--force'], env(banks))).toBe(0);
    expect(runQuizImport([src, '--check'], env(banks))).toBe(0);
    expect(runQuizImport([], env(banks))).toBe(1);
  });

  it('stores a Red trivia list (detected, or --format red) as the native YAML with every answer kept', () => {
    const src = join(tempDir(), 'trivia.yml');
    writeFileSync(src, 'AUTHOR: someone\n"What is 2+2?":\n- 4\n- four\n');
    const banks = tempDir();
    const { out, err } = capture();
    expect(runQuizImport([src], env(banks))).toBe(0);
    expect(out.join('')).toContain('trivia.yml: OK (Red-DiscordBot trivia list), "trivia", 1 question(s).');
    expect(existsSync(join(banks, 'trivia.yml'))).toBe(false);
    const loaded = loadBanks(banks);
    expect(loaded.errors).toEqual([]);
    expect(loaded.banks.get('trivia')?.questions[0]?.answers).toEqual(['4', 'four']);
    expect(runQuizImport([src, '--format', 'red', '--force'], env(banks))).toBe(0);
    expect(runQuizImport([src, '--format=red', '--check'], env(banks))).toBe(0);
    expect(runQuizImport([src, '--format', 'klingon'], env(banks))).toBe(1);
    expect(err.join('')).toContain('usage:');
    const bad = join(tempDir(), 'bad.yaml');
    writeFileSync(bad, 'Q?: answer\n');
    expect(runQuizImport([bad, '--format', 'red'], env(banks))).toBe(1);
    expect(err.join('')).toContain('bad.yaml:1: "Q?": expected a list of accepted answers');
  });
});
