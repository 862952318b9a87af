/**
 * The dashboard (数据看板): `/dashboard` gives an admin a short-lived login
 * link, privately; the page, its JSON API and the CSV export are served by
 * the bot's HTTP server (src/http/dashboard.ts) from this service. It adds
 * no table: links and sessions are signed (token.ts), the numbers are read
 * from analytics' rollups and the other features' tables.
 */
import type { AssembledFeature, FeatureOptions } from '../../core/feature.js';
import { dashboardSubcommand } from './commands.js';
import { dashboardMessages } from './messages.js';
import { createDashboardRepo } from './repo.js';
import { DashboardService, type DashboardServiceDeps } from './service.js';

export { DashboardService, MAX_DAYS, type DashboardConfig, type DashboardData } from './service.js';
export { covers, type DashboardScope } from './token.js';

/** `statsSubcommand` goes into /stats (analytics), like lifecycle's members and farming. */
export function createDashboard(options: FeatureOptions<DashboardServiceDeps>): AssembledFeature<DashboardService> & { statsSubcommand: ReturnType<typeof dashboardSubcommand> } {
  const { store, ...deps } = options;
  const service = new DashboardService({ ...deps, repo: createDashboardRepo(store.sql) });
  return { service, feature: { name: 'dashboard', messages: dashboardMessages }, statsSubcommand: dashboardSubcommand(service) };
}
