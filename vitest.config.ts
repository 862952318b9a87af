import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-redis.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e files start processes and Redis connections; two cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
