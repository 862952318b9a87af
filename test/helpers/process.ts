/** Starts the real bot process (`npm start` without the build step) and waits until /healthz answers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../setup/redis-server.js';
import { pgDatabaseFor, testPrefix, testRedisUrl } from './app.js';
import { testEngine } from './pg.js';

const ROOT = resolve(import.meta.dirname, '../..');

export function ensureBuilt(): void {
  if (!existsSync(join(ROOT, 'dist/src/main.js'))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }
}

export interface BotProcess {
  url: string;
  port: number;
  dir: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  cleanup(): void;
}

export async function startBot(env: Record<string, string> = {}, options: { dir?: string; args?: string[] } = {}): Promise<BotProcess> {
  ensureBuilt();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'qunbot-e2e-'));
  const port = await freePort();
  // On PostgreSQL runs the process gets the schema of its folder's database path, the one a
  // test app or a restarted process on the same folder uses (schemas go with the run's database).
  const databasePath = join(dir, 'qunbot.sqlite');
  const pg = testEngine() === 'postgres' && !env.DATABASE_URL ? await pgDatabaseFor(databasePath) : undefined;
  let out = '';
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js'), ...(options.args ?? [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: testRedisUrl(), REDIS_PREFIX: testPrefix(), DATABASE_PATH: databasePath, ...(pg ? { DATABASE_URL: pg.url } : {}), HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`bot exited early (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200 || res.status === 503) {
        // A PostgreSQL run that silently fell back to SQLite would prove nothing.
        if (pg && !(await res.text()).includes('postgres')) throw new Error(`QUNBOT_TEST_ENGINE=postgres but the bot does not report PostgreSQL:\n${out}`);
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
    if (i === 199) throw new Error(`bot did not come up:\n${out}`);
  }
  return {
    url,
    port,
    dir,
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    cleanup() {
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A config file (for CONFIG_FILE) with fast timers: 10-second cron patterns allowed, stalled jobs of a
 * killed worker picked up within seconds, short outbox back-off; `extra` YAML is appended.
 */
export function fastTimersConfig(dir: string, extra = ''): string {
  const path = join(dir, 'test-config.yaml');
  writeFileSync(path, `posts:\n  minIntervalSeconds: 1\n  promoMaxShare: null\n  dailyCap: null\n  promoMaxConsecutiveDays: null\nrateLimit:\n  commands: null\njobs:\n  lockDurationMs: 2000\n  stalledIntervalMs: 2000\n  outbox: { attempts: 12, backoffMs: 200 }\n${extra}`);
  return path;
}
