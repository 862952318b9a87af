/**
 * Lotteries (抽奖): verifiable draws on the timers. See service.ts for the
 * rules and draw.ts for the algorithm.
 */
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import { lotteryCommands } from './commands.js';
import { lotteryMessages } from './messages.js';
import { createLotteryRepo } from './repo.js';
import { CLAIMS_JOB, DRAW_JOB, REMIND_JOB, LotteryService, type LotteryServiceDeps } from './service.js';

export { LotteryService } from './service.js';

/** Builds the service, enters members who reach a streak milestone (check-in hook), and the feature. */
export function createLottery(options: FeatureOptions<LotteryServiceDeps>): AssembledFeature<LotteryService> {
  const { store, ...deps } = options;
  const service = new LotteryService({ ...deps, repo: createLotteryRepo(store.sql) });
  deps.checkin.addHook((ctx, streak) => service.milestoneEntry(ctx, streak));
  return { service, feature: lotteryFeature(service) };
}

function lotteryFeature(service: LotteryService): Feature {
  return {
    name: 'lottery',
    messages: lotteryMessages,
    commands: lotteryCommands(service),
    jobs: { [DRAW_JOB]: (id, job) => service.drawDue(id, job), [CLAIMS_JOB]: (id, job) => service.claimsDue(id, job), [REMIND_JOB]: (id, job) => service.remindDue(id, job) },
    listeners: { memberJoined: (ctx) => service.newcomerEntryOnJoin(ctx) },
    desiredTimers: (now) => service.desired(now),
  };
}
