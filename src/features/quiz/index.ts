/**
 * Quizzes (答题 / 竞猜): timed questions from the banks in config/quiz,
 * posted through the outbox, closed by timers, points through the ledger.
 * Building blocks: bank.ts (bank schema and parsers), normalize.ts (answer
 * matching), banks.ts (loading the folder).
 */
import { isAbsolute } from 'node:path';
import type { Logger } from 'pino';
import { rootPath } from '../../config/load.js';
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import { loadBanks } from './banks.js';
import { quizCommands } from './commands.js';
import { quizMessages } from './messages.js';
import { createQuizRepo } from './repo.js';
import { CLOSE_JOB, QuizService, REMIND_JOB, SCHEDULED_JOB, type QuizRules, type QuizServiceDeps } from './service.js';

export { QuizService, CLOSE_JOB, closeJobId } from './service.js';
export { createQuizRepo } from './repo.js';
export { loadBanks } from './banks.js';

export interface QuizConfig extends QuizRules {
  /** Folder of bank files, relative to the project root unless absolute. */
  banksDir: string;
}

function quizFeature(service: QuizService): Feature {
  return {
    name: 'quiz',
    messages: quizMessages,
    commands: quizCommands(service),
    listeners: { message: (ctx) => service.onMessage(ctx) },
    jobs: {
      [CLOSE_JOB]: (id, job) => service.fireClose(id, job),
      [SCHEDULED_JOB]: (id, job) => service.fireScheduled(id, job),
      [REMIND_JOB]: (id, job) => service.fireReminder(id, job),
    },
    desiredTimers: (now) => service.desired(now),
  };
}

/** Loads the banks (logging bad files with line and field) and builds the service and the feature. */
export interface QuizOptions extends Omit<FeatureOptions<QuizServiceDeps>, 'loaded' | 'rules'> {
  config: QuizConfig;
  logger: Logger;
}

export function createQuiz(options: QuizOptions): AssembledFeature<QuizService> {
  const { store, config, logger, ...deps } = options;
  const loaded = loadBanks(isAbsolute(config.banksDir) ? config.banksDir : rootPath(config.banksDir));
  for (const error of loaded.errors) logger.warn({ error }, 'quiz bank not loaded');
  logger.info({ banks: [...loaded.banks.keys()] }, 'quiz banks loaded');
  const service = new QuizService({ ...deps, logger, repo: createQuizRepo(store.sql), loaded, rules: config });
  return { service, feature: quizFeature(service) };
}
