/**
 * The points shop (积分商城 / 兑换): items, redemption, orders, code pools,
 * manual fulfilment and refunds. See service.ts for the rules and rules.ts
 * for eligibility and private delivery.
 */
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import { shopCommands } from './commands.js';
import { shopMessages } from './messages.js';
import { createShopRepo } from './repo.js';
import { ROLE_EXPIRY_JOB, ShopService, type ShopServiceDeps } from './service.js';

export { ShopService, type ItemsSync } from './service.js';
export { ItemsFileError, loadItemsFile, parseItemsFile, type FileCommunity } from './items-file.js';

export function createShop(options: Omit<FeatureOptions<ShopServiceDeps>, 'unit'>): AssembledFeature<ShopService> {
  const { store, ...deps } = options;
  const service = new ShopService({ ...deps, repo: createShopRepo(store.sql), unit: (fn) => store.unit(fn) });
  return { service, feature: shopFeature(service) };
}

function shopFeature(service: ShopService): Feature {
  return {
    name: 'shop',
    messages: shopMessages,
    commands: shopCommands(service),
    jobs: { [ROLE_EXPIRY_JOB]: (id, job) => service.expireRole(id, job) },
    desiredTimers: () => service.desired(),
  };
}
