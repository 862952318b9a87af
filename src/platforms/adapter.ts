/**
 * What a platform adapter gives the composition root: a lifecycle, a health
 * state, optional HTTP routes, and a sender for bot-initiated posts (the
 * outbox calls it). Adapters translate; they hold no business rules.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../core/chat-event.js';
import type { CommunityInfo } from '../core/context.js';
import type { Reply } from '../core/reply.js';

export interface RateLimit {
  /** One bucket per target, e.g. `wecom-webhook:<key hash>`. */
  key: string;
  limit: number;
  windowMs: number;
}

/** A failed send. Transient errors are retried with backoff; permanent ones fail the delivery at once. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    /** The platform said when to try again (429 Retry-After, errcode 45009). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface Sender {
  platform: Platform;
  /** Per-target limit the outbox enforces before calling send (never drops; the post waits). */
  rateLimit?(community: CommunityInfo): RateLimit | undefined;
  /** Post `reply` to the community's configured channel. Throws SendError. */
  send(community: CommunityInfo, reply: Reply): Promise<void>;
  /** A private message to one member, where the platform allows it. Throws SendError. */
  sendDirect?(community: CommunityInfo, platformUserId: string, reply: Reply): Promise<void>;
  /** A member accepted the community rules (Discord grants the configured role). */
  rulesAccepted?(community: CommunityInfo, platformUserId: string): Promise<void>;
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
