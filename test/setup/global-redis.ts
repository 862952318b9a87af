import type { TestProject } from 'vitest/node';
import { ping, startRedis, type RedisProcess } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let own: RedisProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_TEST_URL;
  if (!url) {
    if (await ping('127.0.0.1', 6379)) url = 'redis://127.0.0.1:6379';
    else {
      own = await startRedis();
      url = own.url;
    }
  }
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  await own?.stop();
}
