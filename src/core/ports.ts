import type { AfterCommit } from '../store/group-commit.js';

/**
 * Ports that features receive from the composition root. Features never
 * import BullMQ or Redis: they write what should happen to SQLite, then ask
 * these ports to time it. If the timer service is down, the reconciler arms
 * everything later from SQLite.
 */

/** A job carries ids, not state: `kind` names the handler, `id` the row it re-reads. */
export interface TimerJob {
  kind: string;
  id: number;
}

export interface Timers {
  /** False while Redis is unreachable (commands still work; timers are armed later). */
  available(): boolean;
  /** Arm a one-off timer; idempotent by `jobId` (e.g. `post-12`). */
  at(jobId: string, dueAt: Date, job: TimerJob): Promise<void>;
  cancel(jobId: string): Promise<void>;
  /** A recurring timer (BullMQ job scheduler), cron evaluated in `timezone`. */
  every(schedulerId: string, pattern: string, timezone: string, job: TimerJob): Promise<void>;
  stopEvery(schedulerId: string): Promise<void>;
  /** Hand an outbox delivery to the sender queue. */
  deliver(deliveryId: number): Promise<void>;
}

/**
 * What a job handler gets. The job runtime, not the feature, opens the unit
 * of work: the handler runs inside it (awaiting only the store), and its
 * effects commit together or not at all, like a command's.
 */
export interface JobContext {
  /** Unique per firing (a recurring tick's is the same for a late run of that tick): a retried run has the same key. */
  runKey: string;
  /** The run's time: every effect of one run is dated by it. */
  firedAt: Date;
  /** Work for after the commit (arm the next timer, hand posts to the outbox queue). */
  afterCommit(fn: AfterCommit): void;
}

/**
 * `'missing'`: the row the job names is not in this database. The runtime logs
 * it (a job is never dropped silently); any other outcome is a normal run,
 * including one that found its work already done.
 */
export type JobOutcome = 'missing' | undefined;

export type JobHandler = (id: number, job: JobContext) => JobOutcome | void | Promise<JobOutcome | void>;

/** What should be armed, according to SQLite. The reconciler makes Redis agree. */
export interface DesiredTimers {
  timers: Array<{ jobId: string; dueAt: Date; job: TimerJob }>;
  schedulers: Array<{ id: string; pattern: string; timezone: string; job: TimerJob }>;
  /** Scheduler ids this feature owns start with these prefixes; others are left alone. */
  schedulerPrefixes: string[];
}
