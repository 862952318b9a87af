/**
 * The port the outbox delivers through: one `Sender` per platform, built by
 * that platform's adapter (or the playground) and looked up by the job runtime.
 * It lives in the core so the runtime and the core never import a platform folder.
 */
import type { Platform } from './chat-event.js';
import type { CommunityInfo } from './context.js';
import type { Reply } from './reply.js';

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

/**
 * The outbox delivery a send is for. A send that succeeded but whose "sent"
 * mark was lost (a crash between the two) is sent again; a platform that can
 * recognise a repeat by this id (the playground's feed) posts it once.
 */
export interface DeliveryRef {
  id: number;
}

export interface Sender {
  platform: Platform;
  /** Per-target limit the outbox enforces before calling send (never drops; the post waits). */
  rateLimit?(community: CommunityInfo): RateLimit | undefined | Promise<RateLimit | undefined>;
  /** Post `reply` to the community's configured channel. Throws SendError. */
  send(community: CommunityInfo, reply: Reply, delivery?: DeliveryRef): Promise<void>;
  /** A private message to one member, where the platform allows it. Throws SendError. */
  sendDirect?(community: CommunityInfo, platformUserId: string, reply: Reply, delivery?: DeliveryRef): Promise<void>;
  /** A member accepted the community rules (Discord grants the configured role). */
  rulesAccepted?(community: CommunityInfo, platformUserId: string): Promise<void>;
}
