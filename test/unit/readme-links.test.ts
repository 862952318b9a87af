/** The README points only at documents the repository has. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README links', () => {
  it('every relative link resolves to a file in the repository', () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1] as string).filter((href) => !/^[a-z]+:/i.test(href));
    expect(links).toContain('docs/architecture.md');
    for (const href of links) expect(existsSync(join(ROOT, href)), href).toBe(true);
  });

  it('names no design document outside the repository', () => {
    expect(readme).not.toMatch(/shared docs|\.\.\/shared|DESIGN\.md/);
  });
});
