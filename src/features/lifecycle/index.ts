/**
 * Member lifecycle (入群欢迎, 新用户引导, 活跃, 用户分层, 沉默用户激活):
 * welcome posts batched per community minute with a once-ever newcomer
 * bonus, day 1/3/7 onboarding tips, activity counting and activity points
 * with anti-farming caps, segments with daily snapshots, and silent-member
 * nudges. See service.ts for the flow and rules.ts for the pure rules.
 */
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import { lifecycleCommands } from './commands.js';
import { lifecycleMessages } from './messages.js';
import { createLifecycleRepo } from './repo.js';
import { DAILY_JOB, FOLLOWUP_JOB, WELCOME_JOB, LifecycleService, RULES_REMINDER_JOB, type LifecycleServiceDeps } from './service.js';

export { LifecycleService, type LifecycleConfig } from './service.js';
export { lifecycleStatsSubcommands } from './commands.js';

export function createLifecycle(options: FeatureOptions<LifecycleServiceDeps>): AssembledFeature<LifecycleService> {
  const { store, ...deps } = options;
  const service = new LifecycleService({ ...deps, repo: createLifecycleRepo(store.sql) });
  return { service, feature: lifecycleFeature(service) };
}

function lifecycleFeature(service: LifecycleService): Feature {
  return {
    name: 'lifecycle',
    messages: lifecycleMessages,
    commands: lifecycleCommands(service),
    listeners: {
      memberJoined: (ctx) => service.onJoined(ctx),
      message: (ctx, earlier) => service.onMessage(ctx, earlier.length > 0),
      command: (ctx) => service.onCommand(ctx),
    },
    jobs: {
      [WELCOME_JOB]: (id, job) => service.fireWelcomeBatch(id, job),
      [FOLLOWUP_JOB]: (id, job) => service.fireFollowup(id, job),
      [DAILY_JOB]: (_id, job) => service.runDaily(job),
      [RULES_REMINDER_JOB]: (memberId, job) => service.fireRulesReminder(memberId, job),
    },
    desiredTimers: () => service.desired(),
  };
}
