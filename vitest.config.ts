import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A Redis, and a private PostgreSQL database for the run (dropped at the end).
    globalSetup: ['test/setup/global-redis.ts', 'test/setup/global-postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e files start processes and Redis connections; two cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
