/**
 * Points (积分): the append-only ledger, balances, levels, leaderboards and
 * admin adjustments. Other features award points through PointsService.
 */
import type { Feature } from '../../core/feature.js';
import { pointsCommands, type PointsCommandDeps } from './commands.js';
import { pointsMessages } from './messages.js';

export { PointsService } from './service.js';
export { levelUpLine, levelUpPoster } from './level-up.js';
export { createPointsRepo } from './repo.js';

export function pointsFeature(deps: PointsCommandDeps): Feature {
  return { name: 'points', commands: pointsCommands(deps), messages: pointsMessages };
}
