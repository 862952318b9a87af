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
import type { ChartRenderer } from './report-render.js';
import { createReportRepo } from './report-repo.js';
import { WEEKLY_JOB, WeeklyReports, type WeeklyReportConfig } from './report.js';
import { AnalyticsService, DAILY_JOB, type AnalyticsServiceDeps } from './service.js';

export { AnalyticsService, type AnalyticsConfig } from './service.js';
export { WeeklyReports, type WeeklyReportConfig } from './report.js';

export interface AnalyticsOptions extends FeatureOptions<Omit<AnalyticsServiceDeps, 'unit'>> {
  /** More `/stats` subcommands from other features (lifecycle's members and farming). */
  statsSubcommands: readonly LeafCommand[];
  weeklyReport: WeeklyReportConfig;
  /** Chart option → PNG (report-render.ts), for the weekly report's image. */
  renderChart: ChartRenderer;
}

export function createAnalytics(options: AnalyticsOptions): AssembledFeature<AnalyticsService> & { reports: WeeklyReports } {
  const { store, statsSubcommands, weeklyReport, renderChart, ...deps } = options;
  const service = new AnalyticsService({ ...deps, repo: createAnalyticsRepo(store.sql), unit: async (fn) => (await store.unit(fn)).value });
  const reports = new WeeklyReports({
    analytics: service,
    repo: createReportRepo(store.sql),
    config: weeklyReport,
    outbox: deps.outbox,
    communityById: deps.communityById,
    translate: deps.translate,
    canDirect: deps.canDirect,
    renderChart,
  });
  const report: LeafCommand = { name: 'report', aliases: ['周报'], description: 'stats.report.describe', role: 'admin', handler: (ctx) => reports.preview(ctx) };
  return {
    service,
    reports,
    feature: {
      name: 'analytics',
      messages: analyticsMessages,
      commands: [statsCommand(service, [report, ...statsSubcommands])],
      listeners: {
        memberJoined: (ctx) => service.onMembership(ctx, 'join'),
        memberLeft: (ctx) => service.onMembership(ctx, 'leave'),
      },
      jobs: { [DAILY_JOB]: (_id, job) => service.runDaily(job), [WEEKLY_JOB]: (_id, job) => reports.runWeekly(job) },
      desiredTimers: async () => {
        const daily = await service.desired();
        const weekly = reports.desired();
        return { timers: [], schedulers: [...daily.schedulers, ...weekly.schedulers], schedulerPrefixes: [...daily.schedulerPrefixes, ...weekly.schedulerPrefixes] };
      },
    },
  };
}
