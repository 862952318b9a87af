/**
 * Analytics (数据): the community's headline numbers (active rates, check-in,
 * speaking and participation rates, interactions, growth) against the
 * previous period and the playbooks' benchmarks, and retention by join
 * cohort; daily rollups kept 400 days (/stats history, past periods), raw
 * records pruned once rolled up, and alerts to the admins (a low active
 * rate, a spike of joins or leaves). rules.ts defines every metric; the
 * service loads the history.
 */
import type { LeafCommand } from '../../core/commands/spec.js';
import type { AssembledFeature, FeatureOptions } from '../../core/feature.js';
import { statsCommand } from './commands.js';
import { analyticsMessages } from './messages.js';
import { createAnalyticsRepo } from './repo.js';
import { AnalyticsService, DAILY_JOB, type AnalyticsServiceDeps } from './service.js';

export { AnalyticsService, type AnalyticsConfig } from './service.js';

export interface AnalyticsOptions extends FeatureOptions<Omit<AnalyticsServiceDeps, 'unit'>> {
  /** More `/stats` subcommands from other features (lifecycle's members and farming). */
  statsSubcommands: readonly LeafCommand[];
}

export function createAnalytics(options: AnalyticsOptions): AssembledFeature<AnalyticsService> {
  const { store, statsSubcommands, ...deps } = options;
  const service = new AnalyticsService({ ...deps, repo: createAnalyticsRepo(store.sql), unit: async (fn) => (await store.unit(fn)).value });
  return {
    service,
    feature: {
      name: 'analytics',
      messages: analyticsMessages,
      commands: [statsCommand(service, statsSubcommands)],
      listeners: {
        memberJoined: (ctx) => service.onMembership(ctx, 'join'),
        memberLeft: (ctx) => service.onMembership(ctx, 'leave'),
      },
      jobs: { [DAILY_JOB]: (_id, job) => service.runDaily(job) },
      desiredTimers: () => service.desired(),
    },
  };
}
