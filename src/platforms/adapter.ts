/**
 * What a platform adapter gives the composition root: a lifecycle, a health
 * state, optional HTTP routes, and a sender for bot-initiated posts (the
 * outbox calls it). Adapters translate; they hold no business rules.
 */
import type { FastifyInstance } from 'fastify';
import type { Sender } from '../core/sender.js';

export interface Adapter {
  name: string;
  /** Routes on the shared HTTP server (WeCom callbacks); called before the server listens. */
  registerRoutes?(http: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): 'up' | 'down' | 'disabled';
  sender?: Sender;
}
