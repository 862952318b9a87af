/**
 * The Metrics port (core/metrics.ts) on prom-client, with a registry of its
 * own per app (never prom-client's global one: several apps run in one test
 * process, and each counts only its own work). Gauges that describe state
 * (outbox depth, SQLite and Redis health) are read at scrape time.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandOutcome, DeliveryResult, JobRunOutcome, Metrics } from '../core/metrics.js';

/** State read at each scrape. */
export interface ScrapeSources {
  /** The database answers (read at scrape time). */
  databaseUp(): Promise<boolean>;
  redisUp(): boolean;
  /** Units of work run again because PostgreSQL asked (a running total; 0 on SQLite). */
  unitRetries(): number;
  /** Outbox rows not yet sent (pending or being sent), by platform. */
  outboxPending(): Promise<ReadonlyArray<{ platform: string; count: number }>>;
}

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly commandSeconds: Histogram;
  private readonly inboundTotal: Counter<'platform'>;
  private readonly duplicates: Counter<'platform'>;
  private readonly deliveries: Counter<'platform' | 'result'>;
  private readonly jobRuns: Counter<'kind' | 'outcome'>;
  private readonly lateness: Histogram<'kind'>;
  private readonly repairs: Counter<'repair'>;
  private processMetrics = false;

  constructor(sources: ScrapeSources) {
    const registers = [this.registry];
    this.commands = new Counter({ name: 'qunbot_commands_total', help: 'Commands handled, by command and outcome (ok, refused, error, duplicate, rate-limited).', labelNames: ['command', 'outcome'], registers });
    this.commandSeconds = new Histogram({
      name: 'qunbot_command_duration_seconds',
      help: "A command's unit of work in the router, from receipt to its commit (after-commit work excluded).",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.inboundTotal = new Counter({ name: 'qunbot_inbound_deliveries_total', help: 'Inbound deliveries (messages, commands, actions, member changes), by platform.', labelNames: ['platform'], registers });
    this.duplicates = new Counter({ name: 'qunbot_inbound_duplicates_total', help: 'Inbound deliveries seen before (platform retries, replays), answered from the dedupe store.', labelNames: ['platform'], registers });
    this.deliveries = new Counter({ name: 'qunbot_outbox_deliveries_total', help: 'Outbox send attempts by platform and result: sent, retry (a transient failure, tried again), failed (for good).', labelNames: ['platform', 'result'], registers });
    new Gauge({
      name: 'qunbot_outbox_pending',
      help: 'Outbox deliveries not yet sent, by platform (read at scrape time).',
      labelNames: ['platform'],
      registers,
      async collect() {
        const pending = await sources.outboxPending();
        this.reset();
        for (const { platform, count } of pending) this.set({ platform }, count);
      },
    });
    this.jobRuns = new Counter({ name: 'qunbot_job_runs_total', help: 'Job runs (timers, recurring ticks, catch-ups) by kind and outcome (ok, missing, error).', labelNames: ['kind', 'outcome'], registers });
    this.lateness = new Histogram({
      name: 'qunbot_timer_lateness_seconds',
      help: "How late a timer's job started: start time minus due time.",
      labelNames: ['kind'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.repairs = new Counter({ name: 'qunbot_reconciler_repairs_total', help: 'Repairs made by the reconciler: armed (a timer missing in Redis), redelivered (an outbox row handed back to the queue).', labelNames: ['repair'], registers });
    new Gauge({ name: 'qunbot_database_up', help: 'The database (SQLite or PostgreSQL) answers (1) or not (0).', registers, collect: upGauge(sources.databaseUp) });
    let retriesSeen = 0;
    const retries: Counter = new Counter({
      name: 'qunbot_database_unit_retries_total',
      help: 'Units of work run again from the start because PostgreSQL reported a serialization failure or a deadlock (always 0 on SQLite).',
      registers,
      collect: () => {
        const now = sources.unitRetries();
        retries.inc(now - retriesSeen);
        retriesSeen = now;
      },
    });
    new Gauge({ name: 'qunbot_redis_up', help: 'Redis (timers and queues) is connected (1) or not (0).', registers, collect: upGauge(sources.redisUp) });
    // Zero series for outcomes known in advance, so that rate() works from the first event.
    for (const repair of ['armed', 'redelivered']) this.repairs.inc({ repair }, 0);
  }

  commandTimer(): (command: string, outcome: CommandOutcome) => void {
    const end = this.commandSeconds.startTimer();
    return (command, outcome) => {
      end();
      this.commands.inc({ command, outcome });
    };
  }

  inbound(platform: string, duplicate: boolean): void {
    this.inboundTotal.inc({ platform });
    if (duplicate) this.duplicates.inc({ platform });
  }

  jobRun(kind: string, outcome: JobRunOutcome): void {
    this.jobRuns.inc({ kind, outcome });
  }

  timerLateness(kind: string, lateMs: number): void {
    this.lateness.observe({ kind }, Math.max(0, lateMs) / 1000);
  }

  delivery(platform: string, result: DeliveryResult): void {
    this.deliveries.inc({ platform, result });
  }

  reconciled({ armed, redelivered }: { armed: number; redelivered: number }): void {
    if (armed) this.repairs.inc({ repair: 'armed' }, armed);
    if (redelivered) this.repairs.inc({ repair: 'redelivered' }, redelivered);
  }

  /** The scrape: Prometheus text format. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    // Process metrics (CPU, memory, event-loop lag, GC) start with the first scrape: their
    // collectors (an event-loop monitor, a GC observer) cost nothing in apps nobody scrapes.
    if (!this.processMetrics) {
      this.processMetrics = true;
      collectDefaultMetrics({ register: this.registry });
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function upGauge(check: () => boolean | Promise<boolean>) {
  return async function (this: Gauge): Promise<void> {
    let up = false;
    try {
      up = await check();
    } catch {
      up = false;
    }
    this.set(up ? 1 : 0);
  };
}
