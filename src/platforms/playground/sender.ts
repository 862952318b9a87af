import type { Sender, RateLimit } from '../../core/sender.js';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/db.js';
import type { PlaygroundFeed } from './feed.js';

/** The playground is an outbox target like any platform: posts land in its feed. */
export function playgroundSender(feed: PlaygroundFeed, store: Store, clock: Clock, rateLimit: Omit<RateLimit, 'key'> | null): Sender {
  return {
    platform: 'playground',
    rateLimit: rateLimit ? (community) => ({ key: `playground-${community.externalId}`, ...rateLimit }) : undefined,
    async send(community, reply, delivery) {
      await store.unit(() => feed.post(community.externalId, reply, clock.now(), delivery?.id));
    },
    // The playground shows direct messages in its feed, marked as such.
    async sendDirect(community, userId, reply, delivery) {
      const title = `✉️ → ${reply.mentions?.[userId] ?? userId}${reply.title ? ` · ${reply.title}` : ''}`;
      await store.unit(() => feed.post(community.externalId, { ...reply, title }, clock.now(), delivery?.id));
    },
  };
}
