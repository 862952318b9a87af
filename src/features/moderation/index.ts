/**
 * Moderation (群管理 / 敏感词): the word filter on members' messages, strikes
 * on a ladder, `/filter` and `/mod`. Building blocks: normalize.ts (what is
 * compared), matcher.ts (Aho–Corasick), filter.ts (allow entries, repeats,
 * word edges), wordlist.ts (the list file and entry checks).
 */
import { isAbsolute } from 'node:path';
import { rootPath } from '../../config/load.js';
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import { moderationCommands } from './commands.js';
import { moderationMessages } from './messages.js';
import { createModerationRepo } from './repo.js';
import { ModerationService, type ModerationConfig, type ModerationServiceDeps } from './service.js';
import { loadWordList, type WordList } from './wordlist.js';

export { ModerationService } from './service.js';
export { WordListError } from './wordlist.js';

export interface ModerationOptions extends Omit<FeatureOptions<ModerationServiceDeps>, 'defaultList' | 'config' | 'unit'> {
  config: ModerationConfig & {
    /** The default list file, relative to the project root unless absolute; null: none. */
    listFile: string | null;
  };
}

/** Builds the feature; a default list with a bad line stops the start with `file:line` errors (WordListError). */
export function createModeration(options: ModerationOptions): AssembledFeature<ModerationService> {
  const { store, config, ...deps } = options;
  const defaultList: WordList = config.listFile === null ? { entries: [], variants: new Map() } : loadWordList(isAbsolute(config.listFile) ? config.listFile : rootPath(config.listFile));
  const service = new ModerationService({ ...deps, config, defaultList, repo: createModerationRepo(store.sql), unit: (fn) => store.unit(fn) });
  return { service, feature: moderationFeature(service) };
}

function moderationFeature(service: ModerationService): Feature {
  return {
    name: 'moderation',
    messages: moderationMessages,
    commands: moderationCommands(service),
    listeners: { message: (ctx) => service.onMessage(ctx) },
  };
}
