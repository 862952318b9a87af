/**
 * A feature registers itself with one plain object; the composition root
 * (src/app.ts) lists the features by hand.
 */
import type { CommandSpec } from './commands/spec.js';
import type { CommandContext } from './context.js';
import type { KnownCatalog } from './i18n.js';
import type { Reply } from './reply.js';
import type { DesiredTimers, JobHandler } from './ports.js';
import type { Store } from '../store/db.js';

/**
 * A listener runs inside the event's transaction, like a command handler.
 * `earlier` holds the replies of the listeners before it (features in the
 * order src/app.ts lists them): a message a feature answered (a quiz answer).
 */
export type EventListener = (ctx: CommandContext, earlier: readonly Reply[]) => Reply[] | void | Promise<Reply[] | void>;

export type ListenerName = 'memberJoined' | 'memberLeft' | 'message' | 'command' | 'pollVote';

export interface Feature {
  name: string;
  commands?: readonly CommandSpec[];
  messages?: KnownCatalog;
  /**
   * `message` sees every chat message that is not a command (activity tracking);
   * `pollVote` a vote with the platform's own poll controls (after it, the
   * `command` listeners run too: a vote counts as activity however it is cast).
   */
  listeners?: Partial<Record<ListenerName, EventListener>>;
  /** Handlers for timer jobs, by job kind (`post`, `lottery-draw`, ...). */
  jobs?: Record<string, JobHandler>;
  /** Read the store and say which timers should exist (run at start, every minute, and when Redis returns). */
  desiredTimers?: (now: Date) => Promise<DesiredTimers>;
}

/**
 * The one way to assemble a feature: each feature's index.ts exports
 * `create<Name>(options)`, named fields in, its service (which other features
 * and the app may call) and the Feature the app lists out.
 */
export interface AssembledFeature<Service> {
  service: Service;
  feature: Feature;
}

/** A feature assembly's options: its service's dependencies, with the store in place of the repository it builds. */
export type FeatureOptions<ServiceDeps> = Omit<ServiceDeps, 'repo'> & { store: Store };
