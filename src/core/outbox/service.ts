/**
 * The outbox: features post through it inside their transaction; the
 * delivery is handed to the sender queue after commit. The outbox worker
 * (src/jobs) sends with retries, backoff and per-target rate limits.
 */
import type { AfterCommit } from '../context.js';
import type { Timers } from '../ports.js';
import type { Reply } from '../reply.js';
import type { OutboxRepo } from './repo.js';

/**
 * A direct message (DM) to one member: sent privately where the platform's
 * sender can, otherwise `fallback` is posted in the community instead.
 */
export interface DirectMessage {
  recipient: string;
  fallback: Reply;
}

export class Outbox {
  constructor(
    readonly repo: OutboxRepo,
    private readonly timers: Timers,
  ) {}

  /**
   * Record a post for the community; call inside a write transaction. The
   * same `key` posts once however often it is called.
   */
  async post(communityId: number, reply: Reply, opts: { key: string; source: string; at: Date; afterCommit: (fn: AfterCommit) => void; direct?: DirectMessage }): Promise<number> {
    const [id, created] = await this.repo.insert(communityId, opts.key, opts.source, reply, opts.at.getTime(), opts.direct);
    // Not awaited: the hand-offs of one unit's posts then reach the queue
    // together (Timers.deliver batches calls made in one turn). If the queue is
    // unreachable now, the reconciler hands open deliveries over later.
    if (created)
      opts.afterCommit(() => {
        void this.timers.deliver(id).catch(() => undefined);
        return Promise.resolve();
      });
    return id;
  }
}
