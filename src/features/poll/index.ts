/**
 * Polls (投票): votes on the timers, anonymous when asked. See service.ts
 * for the rules and poll.ts for parsing, voter keys and the result bars.
 */
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import { pollCommands } from './commands.js';
import { pollMessages } from './messages.js';
import { createPollRepo } from './repo.js';
import { CLOSE_JOB, PollService, type PollServiceDeps } from './service.js';

export { PollService } from './service.js';

export function createPoll(options: FeatureOptions<PollServiceDeps>): AssembledFeature<PollService> {
  const { store, ...deps } = options;
  const service = new PollService({ ...deps, repo: createPollRepo(store.sql) });
  return { service, feature: pollFeature(service) };
}

function pollFeature(service: PollService): Feature {
  return {
    name: 'poll',
    messages: pollMessages,
    commands: pollCommands(service),
    jobs: { [CLOSE_JOB]: (id, job) => service.closeDue(id, job) },
    desiredTimers: () => service.desired(),
  };
}
