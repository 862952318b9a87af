/**
 * The real process (`node dist/src/main.js`) refuses to start with a bad shop
 * items file (shop.itemsFile): exit code 2 and each problem's file and line on
 * stderr, before it opens the database or listens.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/process.js';
import { testPrefix, testRedisUrl } from '../helpers/app.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
// A fresh checkout builds dist/ first (tsc), which can take longer than one test's timeout.
beforeAll(() => ensureBuilt(), 300_000);
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', REDIS_URL: testRedisUrl(), REDIS_PREFIX: testPrefix(), HTTP_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => res({ code, output }));
  });
}

describe('shop items file at start', () => {
  it('a bad file stops the process with exit code 2, naming the file and line of each problem, before the database is opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qunbot-items-'));
    dirs.push(dir);
    const items = join(dir, 'items.yaml');
    writeFileSync(items, '"wecom:g1":\n  - name: 咖啡券\n    price: lots\n  - { name: 杯子, price: 5, colour: red }\n');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `shop:\n  itemsFile: ${JSON.stringify(items)}\n`);
    const databasePath = join(dir, 'qunbot.sqlite');
    const { code, output } = await run({ CONFIG_FILE: config, DATABASE_PATH: databasePath });
    expect(code).toBe(2);
    expect(output).toContain('qunbot: the shop items file is invalid:\n  items.yaml:3: wecom:g1[0].price: expected a whole number from 0 to 100000000\n  items.yaml:4: wecom:g1[1].colour: unknown field');
    expect(existsSync(databasePath)).toBe(false);
  });
});
