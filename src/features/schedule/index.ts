/**
 * Announcements (公告) and the content calendar (定时): one-off and recurring
 * posts, fired by timers and sent through the outbox.
 */
import type { Clock } from '../../core/clock.js';
import type { Feature } from '../../core/feature.js';
import { scheduleCommands } from './commands.js';
import { scheduleMessages } from './messages.js';
import { POST_JOB, SCHEDULE_JOB, type ScheduleService } from './service.js';

export { ScheduleService } from './service.js';
export { createScheduleRepo } from './repo.js';

export function scheduleFeature(service: ScheduleService, clock: Clock): Feature {
  return {
    name: 'schedule',
    messages: scheduleMessages,
    commands: scheduleCommands(service),
    jobs: {
      [POST_JOB]: (id, run) => service.fireOnce(id, run, clock.now()),
      [SCHEDULE_JOB]: (id, run) => service.fireRecurring(id, run, clock.now()),
    },
    desiredTimers: () => service.desired(),
  };
}
