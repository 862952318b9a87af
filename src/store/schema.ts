/** Every table, re-exported for drizzle-kit (drizzle.config.ts points here). */
export * from '../core/identity/schema.js';
export * from '../features/points/schema.js';
export * from '../features/checkin/schema.js';
export * from '../platforms/playground/schema.js';
export * from '../core/outbox/schema.js';
export * from '../core/settings/schema.js';
export * from '../features/schedule/schema.js';
export * from '../platforms/wecom/schema.js';
export * from '../features/lottery/schema.js';
export * from '../features/poll/schema.js';
export * from '../features/quiz/schema.js';
export * from '../features/lifecycle/schema.js';
export * from '../jobs/schema.js';
export * from '../core/ratelimit/schema.js';
export * from '../features/analytics/schema.js';
