/**
 * Announcements and scheduled posts. Commands write SQLite and arm timers
 * after commit; job handlers re-read SQLite and move status by
 * compare-and-set, so a job that runs twice posts once.
 */
import { DateTime } from 'luxon';
import type { CommandContext } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import { cronError, minIntervalSeconds, parseCron } from '../../core/time/cron.js';
import type { PostRow, ScheduleRepo } from './repo.js';

export interface ScheduleRules {
  /** Largest share (0-1) of a week's posts that may be #promo; null turns the check off. */
  promoMaxShare: number | null;
  minIntervalSeconds: number;
}

export const POST_JOB = 'post';
export const SCHEDULE_JOB = 'schedule-post';
const onceJobId = (id: number): string => `post-${id}`;
export const schedulerId = (id: number): string => `schedule-${id}`;

const PROMO_TAG = /(^|\s)#promo\b/i;
const EVERYONE = /@(all|everyone|所有人)(?![A-Za-z0-9_])/i;

function postReply(text: string): Reply {
  return { text, ...(EVERYONE.test(text) ? { mentionEveryone: true } : {}) };
}

/** What a ScheduleService needs, by name (built by the feature's assembly function in index.ts). */
export interface ScheduleServiceDeps {
  repo: ScheduleRepo;
  outbox: Outbox;
  timers: Timers;
  rules: ScheduleRules;
}

export class ScheduleService {
  constructor(private readonly deps: ScheduleServiceDeps) {}

  announce(ctx: CommandContext, text: string): number {
    return this.deps.outbox.post(ctx.community.id, postReply(text), {
      key: `announce-${ctx.event.community.platform}-${ctx.event.deliveryId}`,
      source: PROMO_TAG.test(text) ? 'announce-promo' : 'announce',
      at: ctx.now,
      afterCommit: ctx.afterCommit,
    });
  }

  /** A one-off post at `at` (a `when` argument: checked by the registry). */
  once(ctx: CommandContext, at: Date, text: string): number {
    const promo = PROMO_TAG.test(text);
    this.checkPromo(ctx, promo, [at]);
    const id = this.deps.repo.insert({ communityId: ctx.community.id, kind: 'once', cron: null, timezone: ctx.community.timezone, dueAt: at.getTime(), text, promo, createdBy: ctx.member.id, at: ctx.now.getTime() });
    ctx.afterCommit(() => this.deps.timers.at(onceJobId(id), at, { kind: POST_JOB, id }));
    return id;
  }

  recurring(ctx: CommandContext, pattern: string, text: string): { id: number; next: Date } {
    const parsed = parseCron(pattern, ctx.community.timezone);
    if (!parsed.ok) throw cronError(parsed.error);
    const gap = minIntervalSeconds(parsed.cron, ctx.now);
    if (gap < this.deps.rules.minIntervalSeconds) throw new UserError('schedule.cron.tooOften', { seconds: gap, min: this.deps.rules.minIntervalSeconds });
    const promo = PROMO_TAG.test(text);
    this.checkPromo(ctx, promo, firesBetween(parsed.cron.expression, ctx.community.timezone, ctx.now, new Date(ctx.now.getTime() + 7 * 86_400_000)));
    const id = this.deps.repo.insert({ communityId: ctx.community.id, kind: 'cron', cron: parsed.cron.expression, timezone: ctx.community.timezone, dueAt: null, text, promo, createdBy: ctx.member.id, at: ctx.now.getTime() });
    ctx.afterCommit(() => this.deps.timers.every(schedulerId(id), parsed.cron.expression, ctx.community.timezone, { kind: SCHEDULE_JOB, id }));
    return { id, next: parsed.cron.next(ctx.now) };
  }

  list(ctx: CommandContext): Array<{ row: PostRow; next: Date | undefined; lastError: string | undefined }> {
    return this.deps.repo.listOpen(ctx.community.id).map((row) => {
      const latest = this.deps.outbox.repo.latestBySource(`post:${row.id}`);
      return { row, next: row.status === 'active' ? nextRun(row, ctx.now) : undefined, lastError: latest?.status === 'failed' ? (latest.last_error ?? 'failed') : undefined };
    });
  }

  pause(ctx: CommandContext, id: number): void {
    const row = this.owned(ctx, id);
    if (!this.deps.repo.moveStatus(id, 'active', 'paused')) throw new UserError('schedule.notActive', { id });
    ctx.afterCommit(() => (row.kind === 'once' ? this.deps.timers.cancel(onceJobId(id)) : this.deps.timers.stopEvery(schedulerId(id))));
  }

  resume(ctx: CommandContext, id: number): void {
    const row = this.owned(ctx, id);
    if (!this.deps.repo.moveStatus(id, 'paused', 'active')) throw new UserError('schedule.notPaused', { id });
    ctx.afterCommit(() => this.arm(row));
  }

  remove(ctx: CommandContext, id: number): void {
    const row = this.owned(ctx, id);
    if (!this.deps.repo.moveStatus(id, row.status, 'removed')) throw new UserError('schedule.notFound', { id });
    ctx.afterCommit(() => (row.kind === 'once' ? this.deps.timers.cancel(onceJobId(id)) : this.deps.timers.stopEvery(schedulerId(id))));
  }

  /** Timer job: a one-off post is due. Posts once however often it runs. */
  fireOnce(id: number, job: JobContext): JobOutcome {
    const now = job.firedAt;
    const row = this.deps.repo.get(id);
    if (!row) return 'missing';
    if (!row || row.kind !== 'once' || !this.deps.repo.moveStatus(id, 'active', 'done')) return;
    this.deps.repo.markRan(id, now.getTime());
    this.deps.outbox.post(row.community_id, postReply(row.text), { key: `post-${id}`, source: `post:${id}`, at: now, afterCommit: job.afterCommit });
  }

  /** Scheduler job: one tick of a recurring post. `run.runKey` is unique per tick. */
  fireRecurring(id: number, job: JobContext): JobOutcome {
    const now = job.firedAt;
    const row = this.deps.repo.get(id);
    if (!row) return 'missing';
    if (!row || row.kind !== 'cron' || row.status !== 'active') return;
    if (!this.deps.repo.recordRun(id, job.runKey, now.getTime())) return;
    this.deps.repo.markRan(id, now.getTime());
    this.deps.outbox.post(row.community_id, postReply(row.text), { key: `post-${id}-${job.runKey}`, source: `post:${id}`, at: now, afterCommit: job.afterCommit });
  }

  desired(): DesiredTimers {
    const out: DesiredTimers = { timers: [], schedulers: [], schedulerPrefixes: ['schedule-'] };
    for (const row of this.deps.repo.allActive()) {
      if (row.kind === 'once' && row.due_at !== null) out.timers.push({ jobId: onceJobId(row.id), dueAt: new Date(row.due_at), job: { kind: POST_JOB, id: row.id } });
      if (row.kind === 'cron' && row.cron) out.schedulers.push({ id: schedulerId(row.id), pattern: row.cron, timezone: row.timezone, job: { kind: SCHEDULE_JOB, id: row.id } });
    }
    return out;
  }

  timerAvailable(): boolean {
    return this.deps.timers.available();
  }

  private arm(row: PostRow): Promise<void> {
    return row.kind === 'once' && row.due_at !== null
      ? this.deps.timers.at(onceJobId(row.id), new Date(row.due_at), { kind: POST_JOB, id: row.id })
      : this.deps.timers.every(schedulerId(row.id), row.cron ?? '', row.timezone, { kind: SCHEDULE_JOB, id: row.id });
  }

  private owned(ctx: CommandContext, id: number): PostRow {
    const row = this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id || row.status === 'removed' || row.status === 'done') throw new UserError('schedule.notFound', { id });
    return row;
  }

  /**
   * The content-calendar rule: #promo posts may be at most `promoMaxShare`
   * of the week's posts (one promo post a week is always allowed). The
   * week is the community's calendar week of the new post's first firing.
   */
  private checkPromo(ctx: CommandContext, promo: boolean, newFires: Date[]): void {
    const cap = this.deps.rules.promoMaxShare;
    if (!promo || cap === null || newFires.length === 0) return;
    const { start, end } = weekOf(newFires[0] as Date, ctx.community.timezone);
    let total = 0;
    let promos = 0;
    for (const row of this.deps.repo.calendar(ctx.community.id)) {
      const n = row.kind === 'once' ? (row.due_at !== null && row.due_at >= start.getTime() && row.due_at < end.getTime() ? 1 : 0) : row.status === 'active' && row.cron ? firesBetween(row.cron, row.timezone, start, end).length : 0;
      total += n;
      if (row.promo) promos += n;
    }
    const added = newFires.filter((d) => d >= start && d < end).length;
    total += added;
    promos += added;
    if (promos > Math.max(1, Math.floor(cap * total))) {
      // The share the week would have WITH the new post: that is what goes over the cap.
      throw new UserError('schedule.promoCap', { share: Math.round((promos / total) * 100), promo: promos, total, cap: Math.round(cap * 100) });
    }
  }
}

function nextRun(row: PostRow, now: Date): Date | undefined {
  if (row.kind === 'once') return row.due_at !== null ? new Date(row.due_at) : undefined;
  const parsed = row.cron ? parseCron(row.cron, row.timezone) : undefined;
  return parsed?.ok ? parsed.cron.next(now) : undefined;
}

function weekOf(at: Date, timezone: string): { start: Date; end: Date } {
  const start = DateTime.fromJSDate(at, { zone: timezone }).startOf('week');
  return { start: start.toJSDate(), end: start.plus({ weeks: 1 }).toJSDate() };
}

function firesBetween(pattern: string, timezone: string, from: Date, to: Date): Date[] {
  const parsed = parseCron(pattern, timezone);
  if (!parsed.ok) return [];
  const out: Date[] = [];
  let cursor = new Date(from.getTime() - 1);
  while (out.length < 2000) {
    const next = parsed.cron.next(cursor);
    if (next >= to) break;
    out.push(next);
    cursor = next;
  }
  return out;
}
