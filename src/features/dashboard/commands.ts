import type { LeafCommand } from '../../core/commands/spec.js';
import type { DashboardService } from './service.js';

/**
 * `/stats dashboard` (看板; admins), also typed `/dashboard`, `看板` or
 * `数据看板`: one line of /stats in /help, a short name to type.
 */
export function dashboardSubcommand(service: DashboardService): LeafCommand {
  return {
    name: 'dashboard',
    aliases: ['看板', '数据看板'],
    shortcuts: ['dashboard', '看板', '数据看板'],
    description: 'stats.dashboard.describe',
    role: 'admin',
    enabled: () => service.config.enabled,
    handler: (ctx) => service.link(ctx),
  };
}
