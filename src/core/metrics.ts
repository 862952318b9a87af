/**
 * The metrics port: what the core and the job runtime report, without
 * knowing how it is exposed. The composition root passes the prom-client
 * implementation (src/ops/metrics.ts); tests and tools that do not care get
 * `noMetrics`.
 */

/** How a command ended: `rate-limited` is the member's excess in a window (core/ratelimit). */
export type CommandOutcome = 'ok' | 'refused' | 'error' | 'duplicate' | 'rate-limited';

/** How a job run ended: `missing` is a timer for a row this database does not have. */
export type JobRunOutcome = 'ok' | 'missing' | 'error';

/** What became of one outbox send attempt. */
export type DeliveryResult = 'sent' | 'retry' | 'failed';

export interface Metrics {
  /** Starts timing one event's unit of work (commit included); the returned function ends it. */
  commandTimer(): (command: string, outcome: CommandOutcome) => void;
  /** One inbound delivery (any event type), and whether it was a duplicate of one seen before. */
  inbound(platform: string, duplicate: boolean): void;
  /** One job run (timer, recurring tick, catch-up). */
  jobRun(kind: string, outcome: JobRunOutcome): void;
  /** How late a timer started: start time minus due time, in milliseconds. */
  timerLateness(kind: string, lateMs: number): void;
  /** One outbox send attempt. */
  delivery(platform: string, result: DeliveryResult): void;
  /** Repairs made by one reconciler pass: timers armed, deliveries handed back to the queue. */
  reconciled(repairs: { armed: number; redelivered: number }): void;
}

const nothing = (): void => undefined;

/** Reports nothing. */
export const noMetrics: Metrics = {
  commandTimer: () => nothing,
  inbound: nothing,
  jobRun: nothing,
  timerLateness: nothing,
  delivery: nothing,
  reconciled: nothing,
};
