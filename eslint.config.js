import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The core, the features and the job runtime see platforms only through ports (core/sender.ts, ChatEvent).
const noPlatforms = { group: ['**/platforms', '**/platforms/**'], message: 'Platforms depend on the core, never the other way: put the port in src/core.' };
const ioLibraries = ['discord.js', 'bullmq', 'ioredis', 'fastify', 'undici', 'ws', 'node:http', 'node:https', 'http', 'https', '@wecom/aibot-node-sdk', 'prom-client'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'migrations/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', setImmediate: 'readonly', structuredClone: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error'],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Typed rules: a promise must be awaited, returned or explicitly voided, never
    // used as a condition or spread (every store call returns one).
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // Features and the core never touch platform, queue or HTTP libraries,
    // and take time and randomness from the injected Clock and Rng.
    files: ['src/core/**/*.ts', 'src/features/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioLibraries.map((name) => ({ name, message: 'Features and the core receive ports; only adapters and src/jobs use I/O libraries.' })),
        patterns: [noPlatforms],
      }],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'Use the injected Rng.' },
        { object: 'Date', property: 'now', message: 'Use the injected Clock.' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the injected Clock.' }],
    },
  },
  {
    // The job runtime uses BullMQ and Redis, but delivers through the core's Sender port.
    files: ['src/jobs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noPlatforms] }] },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
