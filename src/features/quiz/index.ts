/**
 * Quizzes (答题 / 竞猜): timed questions from the banks in config/quiz,
 * posted through the outbox, closed by timers, points through the ledger.
 * Building blocks: bank.ts (bank schema and parsers), normalize.ts (answer
 * matching), banks.ts (loading the folder).
 */
import { isAbsolute } from 'node:path';
import type { Logger } from 'pino';
import { rootPath } from '../../config/load.js';
import type { Feature } from '../../core/feature.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { Timers } from '../../core/ports.js';
import type { Rng } from '../../core/rng.js';
import type { Store } from '../../store/db.js';
import type { PointsService } from '../points/service.js';
import { loadBanks } from './banks.js';
import { quizCommands } from './commands.js';
import { quizMessages } from './messages.js';
import { createQuizRepo } from './repo.js';
import { CLOSE_JOB, QuizService, SCHEDULED_JOB, type QuizRules } from './service.js';
import type { Locale } from '../../core/i18n.js';

export { QuizService, CLOSE_JOB, closeJobId } from './service.js';
export { createQuizRepo } from './repo.js';
export { loadBanks } from './banks.js';

export interface QuizConfig extends QuizRules {
  /** Folder of bank files, relative to the project root unless absolute. */
  banksDir: string;
}

export function quizFeature(service: QuizService): Feature {
  return {
    name: 'quiz',
    messages: quizMessages,
    commands: quizCommands(service),
    listeners: { message: (ctx) => service.onMessage(ctx) },
    jobs: {
      [CLOSE_JOB]: (id, job) => service.fireClose(id, job),
      [SCHEDULED_JOB]: (id, job) => service.fireScheduled(id, job),
    },
    desiredTimers: () => service.desired(),
  };
}

/** Loads the banks (logging bad files with line and field) and builds the service and the feature. */
export function createQuiz(deps: { store: Store; outbox: Outbox; timers: Timers; points: PointsService; rng: Rng; config: QuizConfig; logger: Logger; communityLocale: (communityId: number) => Locale }): { service: QuizService; feature: Feature } {
  const { config, logger } = deps;
  const loaded = loadBanks(isAbsolute(config.banksDir) ? config.banksDir : rootPath(config.banksDir));
  for (const error of loaded.errors) logger.warn({ error }, 'quiz bank not loaded');
  logger.info({ banks: [...loaded.banks.keys()] }, 'quiz banks loaded');
  const service = new QuizService(createQuizRepo(deps.store.sqlite), deps.outbox, deps.timers, deps.points, deps.rng, loaded, config, deps.communityLocale);
  return { service, feature: quizFeature(service) };
}
