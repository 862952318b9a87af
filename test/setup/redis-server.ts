/**
 * Finds or starts a Redis for tests. REDIS_TEST_URL wins; otherwise a Redis
 * answering on 127.0.0.1:6379 is used (tests only touch keys under their own
 * random prefix); otherwise a private redis-server is started on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function ping(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
  kill(): void;
  dir: string;
}

/** Start a private redis-server (optionally with AOF) on a free loopback port. */
export async function startRedis(options: { appendonly?: boolean; dir?: string; port?: number; hz?: number } = {}): Promise<RedisProcess> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'qunbot-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--appendonly', options.appendonly ? 'yes' : 'no', '--hz', String(options.hz ?? 100)];
  if (options.appendonly) args.push('--appendfsync', 'everysec');
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 100; i++) {
    if (await ping('127.0.0.1', port)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        dir,
        kill: () => void child.kill('SIGKILL'),
        async stop() {
          child.kill('SIGTERM');
          await exited;
          if (!options.dir) rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port} (is it installed?)`);
}
