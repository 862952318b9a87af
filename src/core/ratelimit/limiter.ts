/**
 * The per-member command rate limit: at most `limit` commands in a window of
 * `windowMs` per member per community. The first command over the limit gets
 * one polite notice; the rest of that window gets no reply at all. The router
 * asks after claiming the delivery, so a platform's retry of one delivery
 * (a WeCom msgid) is answered from the dedupe store and never counted twice.
 */
import type { RateLimitRepo, WindowKey } from './repo.js';

export interface CommandRateLimit {
  limit: number;
  windowMs: number;
}

export type RateDecision = { kind: 'ok' } | { kind: 'notice'; retryInSeconds: number } | { kind: 'silent' };

export class CommandLimiter {
  constructor(
    private readonly repo: RateLimitRepo,
    /** The community's limit; null: no limit there. */
    private readonly limitFor: (platform: string, community: string) => CommandRateLimit | null,
  ) {}

  /** Counts one command; inside the command's unit of work. */
  async take(key: WindowKey, now: number): Promise<RateDecision> {
    const limit = this.limitFor(key.platform, key.community);
    if (!limit) return { kind: 'ok' };
    const window = await this.repo.hit(key, now, limit.windowMs);
    if (window.count <= limit.limit) return { kind: 'ok' };
    if (window.noticed) return { kind: 'silent' };
    await this.repo.markNoticed(key);
    return { kind: 'notice', retryInSeconds: Math.max(1, Math.ceil((window.windowStart + limit.windowMs - now) / 1000)) };
  }
}
