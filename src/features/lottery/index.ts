/**
 * Lotteries (抽奖): verifiable draws on the timers. See service.ts for the
 * rules and draw.ts for the algorithm.
 */
import type { Feature } from '../../core/feature.js';
import { lotteryCommands } from './commands.js';
import { lotteryMessages } from './messages.js';
import { DRAW_JOB, type LotteryService } from './service.js';

export { LotteryService } from './service.js';
export { createLotteryRepo } from './repo.js';

export function lotteryFeature(service: LotteryService): Feature {
  return {
    name: 'lottery',
    messages: lotteryMessages,
    commands: lotteryCommands(service),
    jobs: { [DRAW_JOB]: (id, job) => service.drawDue(id, job) },
    listeners: { memberJoined: (ctx) => service.newcomerEntryOnJoin(ctx) },
    desiredTimers: () => service.desired(),
  };
}
