/**
 * Points (积分): the append-only ledger, balances, levels, leaderboards and
 * admin adjustments. Other features award points through PointsService.
 */
import type { AssembledFeature, FeatureOptions } from '../../core/feature.js';
import { pointsCommands, type PointsCommandDeps } from './commands.js';
import { pointsMessages } from './messages.js';
import { createPointsRepo } from './repo.js';
import { PointsService, type PointsServiceDeps } from './service.js';

export { PointsService } from './service.js';
export { levelRoleGranter, levelRoleRemover, levelUpLine, levelUpPoster } from './level-up.js';

export type PointsOptions = FeatureOptions<PointsServiceDeps> & Omit<PointsCommandDeps, 'points'>;

export function createPoints(options: PointsOptions): AssembledFeature<PointsService> {
  const { store, levels, postLevelUp, grantLevelRoles, removeLevelRoles, ...commands } = options;
  const service = new PointsService({ repo: createPointsRepo(store.sql), levels, postLevelUp, grantLevelRoles, removeLevelRoles });
  return { service, feature: { name: 'points', commands: pointsCommands({ ...commands, points: service }), messages: pointsMessages } };
}
