/** `npm start` compiles only when a source changed since the last build (issue: 10-16 s before every start). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const run = (): string => execFileSync(process.execPath, [join(ROOT, 'scripts/build-if-stale.mjs')], { cwd: ROOT, encoding: 'utf8' });

describe('npm start', () => {
  it('runs the stale-build check before starting, and the check compiles nothing when nothing changed', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe('node scripts/build-if-stale.mjs');
    expect(pkg.scripts.start).toBe('node dist/src/main.js');
    run(); // brings dist up to date if a source is newer (a test run builds first, so usually nothing)
    expect(run()).toBe('');
  }, 120_000);
});
