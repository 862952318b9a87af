/**
 * What a platform adapter gives the composition root: a lifecycle, a health
 * state, optional HTTP routes, and a sender for bot-initiated posts (the
 * outbox calls it). Adapters translate; they hold no business rules.
 * What the composition root gives an adapter: `AdapterDeps`, never the whole app.
 */
import type { FastifyInstance } from 'fastify';
import type { Config, Secrets } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { CommandSpec } from '../core/commands/spec.js';
import type { I18n } from '../core/i18n.js';
import type { Router } from '../core/router.js';
import type { AutomodExecution, Sender } from '../core/sender.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/db.js';
import type { WecomBindings } from './wecom/bindings.js';

/** Everything an adapter may use, built once by the composition root (src/app.ts). */
export interface AdapterDeps {
  config: Config;
  /** Tokens, keys and API URLs, from the environment. */
  secrets: Secrets;
  /** Where ChatEvents go; one event, or a batch delivered together (a WeCom member list). */
  router: Pick<Router, 'handle' | 'handleAll'>;
  /** The registry's commands (Discord generates its slash commands from them). */
  commands: readonly CommandSpec[];
  /** The message catalogs; an adapter may add its own (texts it answers itself). */
  i18n: I18n;
  logger: Logger;
  clock: Clock;
  /** A unit of work outside a command (WeCom marks a refused webhook broken). */
  unit: Store['unit'];
  /** WeCom group-robot webhooks (the same bindings /bind writes). */
  wecomBindings: WecomBindings;
  /** This deployment's id (kept in its database): tells its requests apart from another deployment's on the same bot account (Discord message nonces). */
  instanceId: string;
  /** The platform's automatic moderation acted on a member's message (Discord AutoMod): moderation counts it. */
  automodExecuted?: (execution: AutomodExecution) => Promise<void>;
}

export interface Adapter {
  name: string;
  /** Routes on the shared HTTP server (WeCom callbacks); called before the server listens. */
  registerRoutes?(http: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): 'up' | 'down' | 'disabled';
  sender?: Sender;
}
