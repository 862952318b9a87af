/**
 * Announcements (公告) and the content calendar (定时): one-off and recurring
 * posts, fired by timers and sent through the outbox.
 */
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import { scheduleCommands } from './commands.js';
import { scheduleMessages } from './messages.js';
import { createScheduleRepo } from './repo.js';
import { POST_JOB, SCHEDULE_JOB, ScheduleService, type ScheduleServiceDeps } from './service.js';

export { ScheduleService } from './service.js';

export function createSchedule(options: FeatureOptions<ScheduleServiceDeps>): AssembledFeature<ScheduleService> {
  const { store, ...deps } = options;
  const service = new ScheduleService({ ...deps, repo: createScheduleRepo(store.sql) });
  return { service, feature: scheduleFeature(service) };
}

function scheduleFeature(service: ScheduleService): Feature {
  return {
    name: 'schedule',
    messages: scheduleMessages,
    commands: scheduleCommands(service),
    jobs: {
      [POST_JOB]: (id, job) => service.fireOnce(id, job),
      [SCHEDULE_JOB]: (id, job) => service.fireRecurring(id, job),
    },
    desiredTimers: () => service.desired(),
  };
}
