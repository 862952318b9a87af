/**
 * Polls (投票): votes on the timers, anonymous when asked, posted as the
 * platform's own poll where one fits (Discord). See service.ts for the rules
 * and poll.ts for parsing, voter keys, the native-poll fit and the result bars.
 */
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import { pollCommands } from './commands.js';
import { pollMessages } from './messages.js';
import { createPollRepo } from './repo.js';
import { CLOSE_JOB, POST_JOB, PollService, type PollServiceDeps } from './service.js';

export { PollService } from './service.js';

export function createPoll(options: Omit<FeatureOptions<PollServiceDeps>, 'unit'>): AssembledFeature<PollService> {
  const { store, ...deps } = options;
  const service = new PollService({ ...deps, repo: createPollRepo(store.sql), unit: (fn) => store.unit(fn) });
  return { service, feature: pollFeature(service) };
}

function pollFeature(service: PollService): Feature {
  return {
    name: 'poll',
    messages: pollMessages,
    commands: pollCommands(service),
    listeners: { pollVote: (ctx) => service.nativeVote(ctx) },
    jobs: { [CLOSE_JOB]: (id, job) => service.closeDue(id, job), [POST_JOB]: (id, job) => service.postDue(id, job) },
    desiredTimers: () => service.desired(),
  };
}
