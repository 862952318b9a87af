/**
 * The timer runtime: BullMQ queues and workers on Redis, and the reconciler
 * that makes Redis agree with SQLite (at start, every minute, and whenever
 * the Redis connection comes back). Implements the `Timers` port.
 *
 * Roles: 'all' runs producers and workers; 'gateway' only produces (its
 * commands enqueue); 'worker' only consumes. Several processes can share
 * one Redis: job ids are deterministic and handlers move SQLite state by
 * compare-and-set, so nothing is done twice.
 */
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Platform } from '../core/chat-event.js';
import type { Feature } from '../core/feature.js';
import type { IdentityService } from '../core/identity/service.js';
import type { DeliveryRow, OutboxRepo } from '../core/outbox/repo.js';
import type { CommunityInfo } from '../core/context.js';
import type { DesiredTimers, JobHandler, JobOutcome, TimerJob, Timers } from '../core/ports.js';
import { noMetrics, type Metrics } from '../core/metrics.js';
import type { Reply } from '../core/reply.js';
import { SendError, type Sender } from '../core/sender.js';
import type { Store } from '../store/db.js';
import { QUEUES, assertJobId, catchUpJobId, deliveryJobId, type DeliveryData, type TimerData } from './queues.js';
import { RateLimiter } from './rate-limiter.js';
import { OutageLog } from './outage-log.js';
import type { JobsRepo } from './repo.js';

export type Role = 'all' | 'worker' | 'gateway';

export interface JobSettings {
  concurrency: { timers: number; schedules: number; outbox: number };
  lockDurationMs: number;
  stalledIntervalMs: number;
  reconcileIntervalMs: number;
  /** A recurring tick missed while no worker ran fires once, late, if it is at most this overdue. */
  missedTickGraceMs: number;
  outbox: { attempts: number; backoffMs: number };
}

export interface JobRuntimeOptions {
  redisUrl: string;
  /** The configured prefix; the deployment's instance id is appended to it. */
  prefix: string;
  /** This deployment's id, kept in its database (see repo.ts). */
  instanceId: string;
  jobsRepo: JobsRepo;
  role: Role;
  settings: JobSettings;
  features: readonly Feature[];
  store: Store;
  identity: IdentityService;
  outbox: OutboxRepo;
  senders: () => ReadonlyMap<Platform, Sender>;
  clock: Clock;
  logger: Logger;
  /** Periodic database housekeeping (pruning old dedupe keys), run at most hourly from the reconciler. */
  housekeeping?: (now: Date) => Promise<void>;
  /** Job runs, timer lateness, outbox sends, reconciler repairs; defaults to reporting nothing. */
  metrics?: Metrics;
}

/** Outbox hand-offs sent to Redis in one `addBulk` at most. */
const DELIVERY_BATCH = 500;

export class JobRuntime implements Timers {
  private readonly producer: Redis;
  private readonly queues: Record<keyof typeof QUEUES, Queue>;
  private readonly workers: Worker[] = [];
  /** Worker connections: BullMQ does not close connections it was given. */
  private readonly connections: Redis[] = [];
  private readonly handlers = new Map<string, JobHandler>();
  private readonly limiter: RateLimiter;
  private readonly log: Logger;
  private readonly outage: OutageLog;
  /** The Redis key prefix: the configured one and the deployment's instance id. */
  readonly prefix: string;
  private interval: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private reconciledOnce = false;
  private stopped = false;
  private started = false;
  private lastHousekeeping = 0;
  private readonly metrics: Metrics;
  private pendingDeliveries: { deliveryId: number; resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly options: JobRuntimeOptions) {
    this.log = options.logger.child({ component: 'jobs' });
    this.metrics = options.metrics ?? noMetrics;
    // BullMQ needs an offline queue on its connection (it sends INFO at once),
    // so producer calls check `available()` first and fail fast while Redis is
    // away: interactive commands never wait on it; the reconciler catches up.
    this.prefix = `${options.prefix}:${options.instanceId}`;
    this.outage = new OutageLog(this.log, () => Date.now());
    this.producer = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.producer.on('error', (err) => this.outage.down(err));
    this.producer.on('ready', () => {
      this.outage.up();
      if (this.started && this.options.role !== 'gateway') void this.reconcile();
    });
    const queueOptions = { connection: this.producer, prefix: this.prefix, skipWaitingForReady: true };
    this.queues = {
      timers: new Queue(QUEUES.timers, { ...queueOptions, defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 } } }),
      schedules: new Queue(QUEUES.schedules, { ...queueOptions, defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 } } }),
      outbox: new Queue(QUEUES.outbox, { ...queueOptions, defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 5000 } } }),
    };
    for (const q of Object.values(this.queues)) q.on('error', () => undefined);
    for (const feature of options.features) {
      for (const [kind, handler] of Object.entries(feature.jobs ?? {})) {
        if (this.handlers.has(kind)) throw new Error(`job kind ${kind} registered twice`);
        this.handlers.set(kind, handler);
      }
    }
    this.limiter = new RateLimiter(this.producer, this.prefix);
  }

  available(): boolean {
    return this.producer.status === 'ready';
  }

  private ensureAvailable(): void {
    if (!this.available()) throw new Error('the timer service (Redis) is unavailable');
  }

  async at(jobId: string, dueAt: Date, job: TimerJob): Promise<void> {
    this.ensureAvailable();
    const delay = Math.max(0, dueAt.getTime() - this.options.clock.now().getTime());
    await this.queues.timers.add(job.kind, { id: job.id } satisfies TimerData, { jobId: assertJobId(jobId), delay });
  }

  async cancel(jobId: string): Promise<void> {
    this.ensureAvailable();
    const job = await this.queues.timers.getJob(jobId);
    if (job && !(await job.isActive())) await job.remove();
  }

  async every(schedulerId: string, pattern: string, timezone: string, job: TimerJob): Promise<void> {
    // From now on a tick of this timer that no worker runs is a missed tick (see catchUp).
    const { store, jobsRepo, clock } = this.options;
    await store.unit(() => jobsRepo.armed(schedulerId, clock.now().getTime()));
    this.ensureAvailable();
    await this.queues.schedules.upsertJobScheduler(assertJobId(schedulerId), { pattern, tz: timezone }, { name: job.kind, data: { id: job.id } satisfies TimerData });
  }

  async stopEvery(schedulerId: string): Promise<void> {
    this.ensureAvailable();
    await this.queues.schedules.removeJobScheduler(schedulerId);
  }

  /**
   * Hands a delivery to the outbox queue. Calls made in one turn of the event
   * loop (the after-commit hooks of a unit that posted a thousand prize
   * notices) go to Redis together, one `addBulk` per `DELIVERY_BATCH`,
   * instead of one round trip each; each call resolves once its own job is
   * added (a job id already in the queue is not added twice).
   */
  deliver(deliveryId: number): Promise<void> {
    try {
      this.ensureAvailable();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.pendingDeliveries.push({ deliveryId, resolve, reject });
      if (this.pendingDeliveries.length === 1) setImmediate(() => void this.flushDeliveries());
    });
  }

  private async flushDeliveries(): Promise<void> {
    const batch = this.pendingDeliveries;
    this.pendingDeliveries = [];
    const { attempts, backoffMs } = this.options.settings.outbox;
    for (let i = 0; i < batch.length; i += DELIVERY_BATCH) {
      const part = batch.slice(i, i + DELIVERY_BATCH);
      try {
        await this.queues.outbox.addBulk(
          part.map(({ deliveryId }) => ({
            name: 'deliver',
            data: { deliveryId } satisfies DeliveryData,
            opts: { jobId: deliveryJobId(deliveryId), attempts, backoff: { type: 'exponential', delay: backoffMs } },
          })),
        );
        for (const p of part) p.resolve();
      } catch (err) {
        for (const p of part) p.reject(err);
      }
    }
  }

  async start(): Promise<void> {
    await this.waitUntilReady(3000);
    if (this.options.role !== 'gateway') this.startWorkers();
    this.started = true;
    // The reconciler runs wherever workers run; a gateway only produces.
    if (this.options.role !== 'gateway') {
      await this.reconcile();
      this.interval = setInterval(() => void this.reconcile(), this.options.settings.reconcileIntervalMs);
      this.interval.unref();
    }
  }

  /** Waits a little for the first connection; commands work without it, timers are armed once it comes. */
  private async waitUntilReady(timeoutMs: number): Promise<void> {
    if (this.available()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      this.producer.once('ready', done);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Make Redis agree with SQLite. Safe to run concurrently in several processes. */
  reconcile(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.reconciling ??= this.reconcileOnce().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const now = this.options.clock.now();
    if (this.options.housekeeping && now.getTime() - this.lastHousekeeping >= 3_600_000) {
      this.lastHousekeeping = now.getTime();
      try {
        await this.options.housekeeping(now);
      } catch (err) {
        this.log.warn({ err }, 'housekeeping failed');
      }
    }
    if (!this.available()) return;
    try {
      let armed = 0;
      const schedulerIds = new Set<string>();
      const prefixes: string[] = [];
      for (const feature of this.options.features) {
        if (!feature.desiredTimers) continue;
        const desired = await feature.desiredTimers(now);
        prefixes.push(...desired.schedulerPrefixes);
        for (const t of desired.timers) {
          const existing = await this.queues.timers.getJob(t.jobId);
          const state = existing ? await existing.getState() : undefined;
          if (existing && (state === 'completed' || state === 'failed')) await existing.remove();
          if (!existing || state === 'completed' || state === 'failed') {
            await this.at(t.jobId, t.dueAt, t.job);
            armed++;
          }
        }
        for (const s of desired.schedulers) {
          schedulerIds.add(s.id);
          await this.catchUp(s, now);
          await this.every(s.id, s.pattern, s.timezone, s.job);
        }
      }
      // Schedulers whose schedule is gone or paused.
      let removed = 0;
      for (const s of await this.queues.schedules.getJobSchedulers(0, -1)) {
        const id = s.id ?? s.key;
        if (prefixes.some((p) => id.startsWith(p)) && !schedulerIds.has(id)) {
          await this.stopEvery(id);
          await this.options.store.unit(() => this.options.jobsRepo.forget(id));
          removed++;
        }
      }
      this.reconciledOnce = true;
      let redelivered = 0;
      for (const id of await this.options.outbox.openIds()) {
        const job = await this.queues.outbox.getJob(deliveryJobId(id));
        if (!job) {
          await this.deliver(id);
          redelivered++;
        }
      }
      this.metrics.reconciled({ armed, redelivered });
      if (armed || removed || redelivered) this.log.info({ armed, removedSchedulers: removed, redelivered, schedulers: schedulerIds.size }, 'reconciled timers');
    } catch (err) {
      this.log.warn({ err }, 'reconcile failed; will retry');
    }
  }

  /**
   * Runs one job the one way every job runs: inside a unit of work that the
   * runtime opens (the handler's effects, and a recurring tick's record, commit
   * together or not at all), with a job context, then its after-commit work.
   * Workers call it for each job; tests call it to fire a timer now.
   */
  async run(kind: string, id: number, options: { runKey?: string; tick?: { schedulerId: string; at: number } } = {}): Promise<JobOutcome> {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`no handler for job kind ${kind}`);
    const { store, jobsRepo, clock } = this.options;
    const runKey = options.runKey ?? `${kind}-${id}-now`;
    const finish = async (outcome: JobOutcome | void): Promise<JobOutcome> => {
      if (options.tick) await jobsRepo.ticked(options.tick.schedulerId, options.tick.at);
      return outcome ?? undefined;
    };
    // The handler and the tick's record are one unit of work: both commit or neither.
    const committed = await store.unit(async (unit) => finish(await handler(id, { runKey, firedAt: clock.now(), afterCommit: unit.afterCommit }))).catch((err: unknown) => {
      this.metrics.jobRun(kind, 'error');
      throw err;
    });
    this.metrics.jobRun(kind, committed.value === 'missing' ? 'missing' : 'ok');
    if (committed.value === 'missing') {
      this.log.warn({ kind, id, runKey, prefix: this.prefix }, 'a timer fired for something this database does not have; nothing was done');
    }
    // The run committed; the reconciler re-arms whatever a failing hook did not do.
    await committed.runAfterCommit((err) => this.log.warn({ err, kind, id }, 'after-commit work of a job failed'));
    return committed.value;
  }

  /**
   * A recurring tick that fell while no worker ran (the process was down, or
   * Redis was) fires once, late, within the grace period; an older one is
   * logged and skipped. Only the latest missed tick counts: nothing is replayed
   * in bulk. The catch-up run has the run key the tick itself would have had,
   * so handlers that record run keys never run one tick twice.
   */
  private async catchUp(s: DesiredTimers['schedulers'][number], now: Date): Promise<void> {
    const { jobsRepo, store, settings } = this.options;
    const { value: state } = await store.unit(() => jobsRepo.armed(s.id, now.getTime()));
    let tick: number;
    try {
      tick = CronExpressionParser.parse(s.pattern, { tz: s.timezone, currentDate: now, hashSeed: s.pattern }).prev().getTime();
    } catch {
      return;
    }
    // Right after start nothing of ours is running, so a tick just past is missed; later, give a
    // tick that is firing now (here or in another worker) time to record itself first.
    const settleMs = this.reconciledOnce ? Math.min(60_000, settings.missedTickGraceMs) : 0;
    if (tick <= Math.max(state.armed_at, state.last_tick_at ?? 0) || now.getTime() - tick < settleMs) return;
    if (!(await store.unit(() => jobsRepo.ticked(s.id, tick))).value) return;
    const late = now.getTime() - tick;
    if (late > settings.missedTickGraceMs) {
      this.log.warn({ scheduler: s.id, tick: new Date(tick).toISOString(), lateMs: late, graceMs: settings.missedTickGraceMs }, 'a recurring tick was missed while the bot was down; older than the grace period, so it is skipped');
      return;
    }
    this.log.info({ scheduler: s.id, tick: new Date(tick).toISOString(), lateMs: late }, 'a recurring tick was missed while the bot was down; firing it late, once');
    await this.queues.timers.add(s.job.kind, { id: s.job.id, schedulerId: s.id, tick } satisfies TimerData, { jobId: catchUpJobId(s.id, tick) });
  }

  private startWorkers(): void {
    const { settings, redisUrl } = this.options;
    const common = {
      prefix: this.prefix,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: 1,
    };
    const connection = (): Redis => {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
      redis.on('error', (err) => this.outage.down(err)); // one outage log for all connections
      this.connections.push(redis);
      return redis;
    };
    const runTimer = async (job: Job<TimerData>): Promise<void> => {
      if (!this.handlers.has(job.name)) throw new UnrecoverableError(`no handler for job kind ${job.name}`);
      // A recurring tick, from its scheduler or late from the catch-up: one run key per tick either way.
      const schedulerId = job.data.schedulerId ?? job.repeatJobKey;
      const tick = job.data.tick ?? (job.repeatJobKey !== undefined ? job.opts.prevMillis : undefined);
      const runKey = schedulerId !== undefined && tick !== undefined ? `repeat:${schedulerId}:${tick}` : (job.id ?? `${job.name}-${job.data.id}`);
      // Due: a tick's own time (from its scheduler, or the missed tick of a catch-up); a one-off timer's delay after it was added.
      this.metrics.timerLateness(job.name, (job.processedOn ?? Date.now()) - (tick ?? job.timestamp + (job.opts.delay ?? 0)));
      await this.run(job.name, job.data.id, { runKey, ...(schedulerId !== undefined && tick !== undefined ? { tick: { schedulerId, at: tick } } : {}) });
    };
    this.workers.push(
      new Worker(QUEUES.timers, runTimer, { ...common, connection: connection(), concurrency: settings.concurrency.timers }),
      new Worker(QUEUES.schedules, runTimer, { ...common, connection: connection(), concurrency: settings.concurrency.schedules }),
      new Worker<DeliveryData>(QUEUES.outbox, (job, token) => this.deliverJob(job, token), { ...common, connection: connection(), concurrency: settings.concurrency.outbox }),
    );
    for (const worker of this.workers) {
      // While Redis is away every worker reports every reconnect attempt: one outage log says it all.
      worker.on('error', (err) => (this.available() ? this.log.warn({ err: err.message, queue: worker.name }, 'worker error') : this.outage.down(err)));
      worker.on('failed', (job, err) => {
        if (job && !(err instanceof DelayedError)) this.log.warn({ queue: worker.name, jobId: job.id, attempt: job.attemptsMade, err: err.message }, 'job failed');
      });
    }
  }

  private async deliverJob(job: Job<DeliveryData>, token: string | undefined): Promise<void> {
    const { outbox, identity, store } = this.options;
    const id = job.data.deliveryId;
    const row = await outbox.get(id);
    if (!row || row.status === 'sent' || row.status === 'failed') return;
    const community = await identity.communityById(row.community_id);
    const sender = community ? this.options.senders().get(community.platform) : undefined;
    if (!community || !sender) {
      await store.unit(() => outbox.markFailed(id, `no sender for ${community?.platform ?? 'unknown community'}`));
      this.metrics.delivery(community?.platform ?? 'unknown', 'failed');
      throw new UnrecoverableError(`no sender for delivery ${id}`);
    }
    const limit = await sender.rateLimit?.(community);
    if (limit) {
      const wait = await this.limiter.take(limit, Date.now());
      if (wait > 0) {
        // The post waits for the window; it is never dropped.
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
    }
    try {
      await this.sendRow(sender, community, row);
      await store.unit(() => outbox.markSent(id, this.options.clock.now().getTime()));
      this.metrics.delivery(community.platform, 'sent');
      this.log.debug({ deliveryId: id, source: row.source }, 'delivered');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const transient = err instanceof SendError ? err.transient : true;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.metrics.delivery(community.platform, !transient || last ? 'failed' : 'retry');
      if (!transient || last) {
        await store.unit(() => outbox.markFailed(id, message));
        this.log.error({ deliveryId: id, source: row.source, attempts: job.attemptsMade + 1, err: message }, 'delivery failed for good');
        throw new UnrecoverableError(message);
      }
      await store.unit(() => outbox.markRetry(id, message));
      if (err instanceof SendError && err.retryAfterMs !== undefined) {
        await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
        throw new DelayedError();
      }
      throw err;
    }
  }

  /**
   * A direct message goes privately where the sender can; where it cannot, or
   * the platform refuses it for good (DMs closed), the fallback is posted in
   * the community instead.
   */
  private async sendRow(sender: Sender, community: CommunityInfo, row: DeliveryRow): Promise<void> {
    const reply = JSON.parse(row.reply_json) as Reply;
    const delivery = { id: row.id };
    if (row.recipient === null) return sender.send(community, reply, delivery);
    const fallback = row.fallback_json ? (JSON.parse(row.fallback_json) as Reply) : reply;
    if (!sender.sendDirect) return sender.send(community, fallback, delivery);
    try {
      await sender.sendDirect(community, row.recipient, reply, delivery);
    } catch (err) {
      if (err instanceof SendError && !err.transient) {
        this.log.info({ deliveryId: row.id, reason: err.message }, 'direct message refused; posting in the community instead');
        return sender.send(community, fallback, delivery);
      }
      throw err;
    }
  }

  health(): 'up' | 'down' {
    return this.available() ? 'up' : 'down';
  }

  /**
   * Stop taking jobs, let running ones finish, close connections. With Redis
   * away there is nothing to finish cleanly: connections are dropped first so
   * that closing does not wait for a reconnect that never comes.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    this.outage.stop();
    const reachable = this.available();
    if (!reachable) {
      for (const redis of this.connections) redis.disconnect();
      this.producer.disconnect();
    }
    await this.reconciling?.catch(() => undefined);
    await Promise.all(this.workers.map((w) => w.close(!reachable).catch(() => undefined)));
    await Promise.all(Object.values(this.queues).map((q) => q.close().catch(() => undefined)));
    for (const redis of this.connections) redis.disconnect();
    this.producer.disconnect();
  }
}
