/** The deployment files stay in step with what the bot reads from its environment. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SECRET_ENV } from '../../src/config/load.js';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (name: string): string => readFileSync(join(ROOT, name), 'utf8');

describe('docker-compose.yml and .env.example', () => {
  it('every secret the bot reads is listed (only the test-only long-connection URL is left out)', () => {
    const source = read('src/config/load.ts');
    const readNames = new Set([...source.matchAll(/(?:opt|list)\(env\.([A-Z_]+)\)/g)].map((m) => m[1]));
    readNames.delete('WECOM_BOT_WS_URL');
    expect([...readNames].sort()).toEqual([...SECRET_ENV].sort());
  });

  it('the compose file passes each of them to the bot, has no obsolete version key, and outwaits the shutdown deadline', () => {
    const compose = parse(read('docker-compose.yml')) as { version?: string; services: { bot: { environment: Record<string, string>; stop_grace_period?: string } } };
    expect(compose.version).toBeUndefined();
    const env = compose.services.bot.environment;
    for (const name of SECRET_ENV) expect(env, name).toHaveProperty(name, `\${${name}:-}`);
    expect(Number.parseInt(compose.services.bot.stop_grace_period ?? '0', 10)).toBeGreaterThan(10);
  });

  it('.env.example names each of them', () => {
    const example = read('.env.example');
    for (const name of SECRET_ENV) expect(example, name).toMatch(new RegExp(`^# ${name}=`, 'm'));
  });
});
