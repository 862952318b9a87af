/**
 * Announcements and scheduled posts. Commands write SQLite and arm timers
 * after commit; job handlers re-read SQLite and move status by
 * compare-and-set, so a job that runs twice posts once.
 */
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { CommandContext } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Locale } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import { cronError, firesBetween, minIntervalSeconds, parseCron, upcoming } from '../../core/time/cron.js';
import { check, checkWindow, dayOf, isPromo, memberText, periodOf, type CalendarRules, type CalendarSource, type CalendarViolation, type Firing } from './calendar.js';
import type { PostRow, ScheduleRepo } from './repo.js';

export interface ScheduleRules extends CalendarRules {
  minIntervalSeconds: number;
}

/** A community's calendar for a week or a month: what posted and what will, in time order. */
export interface CalendarView {
  start: Date;
  end: Date;
  firings: Firing[];
  rules: CalendarRules;
}

export const POST_JOB = 'post';
export const SCHEDULE_JOB = 'schedule-post';
const onceJobId = (id: number): string => `post-${id}`;
export const schedulerId = (id: number): string => `schedule-${id}`;

const EVERYONE = /@(all|everyone|所有人)(?![A-Za-z0-9_])/i;

/** What members get: the text without its #promo tag. */
function postReply(stored: string): Reply {
  const text = memberText(stored);
  return { text, ...(EVERYONE.test(text) ? { mentionEveryone: true } : {}) };
}


/** A day in the community's language: 11月23日星期一, Monday, November 23. */
export function formatDay(at: Date, timezone: string, locale: Locale): string {
  return DateTime.fromJSDate(at, { zone: timezone }).setLocale(locale).toLocaleString({ month: 'long', day: 'numeric', weekday: 'long' });
}

/** What a ScheduleService needs, by name (built by the feature's assembly function in index.ts). */
export interface ScheduleServiceDeps {
  repo: ScheduleRepo;
  outbox: Outbox;
  timers: Timers;
  rules: ScheduleRules;
  logger?: Logger;
}

export class ScheduleService {
  private readonly sources: CalendarSource[] = [];

  constructor(private readonly deps: ScheduleServiceDeps) {}

  /** Another feature's posts join the calendar (scheduled quizzes' openings): counted by its caps and shown by /schedule calendar. */
  addCalendarSource(source: CalendarSource): void {
    this.sources.push(source);
  }

  async announce(ctx: CommandContext, text: string): Promise<number> {
    const promo = isPromo(text);
    await this.checkCalendar(ctx, [ctx.now], promo);
    return this.deps.outbox.post(ctx.community.id, postReply(text), {
      key: `announce-${ctx.event.community.platform}-${ctx.event.deliveryId}`,
      source: promo ? 'announce-promo' : 'announce',
      at: ctx.now,
      afterCommit: ctx.afterCommit,
    });
  }

  /** A one-off post at `at` (a `when` argument: checked by the registry). */
  async once(ctx: CommandContext, at: Date, text: string): Promise<number> {
    const promo = isPromo(text);
    await this.checkCalendar(ctx, [at], promo);
    const id = await this.deps.repo.insert({ communityId: ctx.community.id, kind: 'once', cron: null, timezone: ctx.community.timezone, dueAt: at.getTime(), text, promo, createdBy: ctx.member.id, at: ctx.now.getTime() });
    ctx.afterCommit(() => this.deps.timers.at(onceJobId(id), at, { kind: POST_JOB, id }));
    return id;
  }

  async recurring(ctx: CommandContext, pattern: string, text: string): Promise<{ id: number; next: Date }> {
    const parsed = parseCron(pattern, ctx.community.timezone);
    if (!parsed.ok) throw cronError(parsed.error);
    const gap = minIntervalSeconds(parsed.cron, ctx.now);
    if (gap < this.deps.rules.minIntervalSeconds) throw new UserError('schedule.cron.tooOften', { seconds: gap, min: this.deps.rules.minIntervalSeconds });
    const promo = isPromo(text);
    await this.checkCalendar(ctx, upcoming(parsed.cron.expression, ctx.community.timezone, ctx.now), promo);
    const id = await this.deps.repo.insert({ communityId: ctx.community.id, kind: 'cron', cron: parsed.cron.expression, timezone: ctx.community.timezone, dueAt: null, text, promo, createdBy: ctx.member.id, at: ctx.now.getTime() });
    ctx.afterCommit(() => this.deps.timers.every(schedulerId(id), parsed.cron.expression, ctx.community.timezone, { kind: SCHEDULE_JOB, id }));
    return { id, next: parsed.cron.next(ctx.now) };
  }

  async list(ctx: CommandContext): Promise<Array<{ row: PostRow; next: Date | undefined; lastError: string | undefined }>> {
    const out: Array<{ row: PostRow; next: Date | undefined; lastError: string | undefined }> = [];
    for (const row of await this.deps.repo.listOpen(ctx.community.id)) {
      const latest = await this.deps.outbox.repo.latestBySource(`post:${row.id}`);
      out.push({ row, next: row.status === 'active' ? nextRun(row, ctx.now) : undefined, lastError: latest?.status === 'failed' ? (latest.last_error ?? 'failed') : undefined });
    }
    return out;
  }

  async pause(ctx: CommandContext, id: number): Promise<void> {
    const row = await this.owned(ctx, id);
    if (!(await this.deps.repo.moveStatus(id, 'active', 'paused'))) throw new UserError('schedule.notActive', { id });
    ctx.afterCommit(async () => (row.kind === 'once' ? (await this.deps.timers.cancel(onceJobId(id))) : await this.deps.timers.stopEvery(schedulerId(id))));
  }

  async resume(ctx: CommandContext, id: number): Promise<void> {
    const row = await this.owned(ctx, id);
    // A paused post is not in the calendar: coming back, it must fit like a new one.
    if (row.status === 'paused') await this.checkCalendar(ctx, this.plannedFires(row, ctx.now), row.promo === 1);
    if (!(await this.deps.repo.moveStatus(id, 'paused', 'active'))) throw new UserError('schedule.notPaused', { id });
    ctx.afterCommit(() => this.arm(row));
  }

  async remove(ctx: CommandContext, id: number): Promise<void> {
    const row = await this.owned(ctx, id);
    if (!(await this.deps.repo.moveStatus(id, row.status, 'removed'))) throw new UserError('schedule.notFound', { id });
    ctx.afterCommit(async () => (row.kind === 'once' ? (await this.deps.timers.cancel(onceJobId(id))) : await this.deps.timers.stopEvery(schedulerId(id))));
  }

  /** Timer job: a one-off post is due. Posts once however often it runs. */
  async fireOnce(id: number, job: JobContext): Promise<JobOutcome> {
    const now = job.firedAt;
    const row = await this.deps.repo.get(id);
    if (!row) return 'missing';
    if (row.kind !== 'once' || row.status !== 'active') return;
    if (await this.dayIsFull(row.community_id, row.timezone, now)) {
      if (await this.deps.repo.moveStatus(id, 'active', 'skipped')) await this.skip(row, now);
      return;
    }
    if (!(await this.deps.repo.moveStatus(id, 'active', 'done'))) return;
    await this.deps.repo.markRan(id, now.getTime());
    await this.deps.outbox.post(row.community_id, postReply(row.text), { key: `post-${id}`, source: `post:${id}`, at: now, afterCommit: job.afterCommit });
  }

  /** Scheduler job: one tick of a recurring post. `run.runKey` is unique per tick. */
  async fireRecurring(id: number, job: JobContext): Promise<JobOutcome> {
    const now = job.firedAt;
    const row = await this.deps.repo.get(id);
    if (!row) return 'missing';
    if (row.kind !== 'cron' || row.status !== 'active') return;
    if (!(await this.deps.repo.recordRun(id, job.runKey, now.getTime()))) return;
    if (await this.dayIsFull(row.community_id, row.timezone, now)) {
      await this.skip(row, now);
      return;
    }
    await this.deps.repo.markRan(id, now.getTime());
    await this.deps.outbox.post(row.community_id, postReply(row.text), { key: `post-${id}-${job.runKey}`, source: `post:${id}`, at: now, afterCommit: job.afterCommit });
  }

  async desired(): Promise<DesiredTimers> {
    const out: DesiredTimers = { timers: [], schedulers: [], schedulerPrefixes: ['schedule-'] };
    for (const row of await this.deps.repo.allActive()) {
      if (row.kind === 'once' && row.due_at !== null) out.timers.push({ jobId: onceJobId(row.id), dueAt: new Date(row.due_at), job: { kind: POST_JOB, id: row.id } });
      if (row.kind === 'cron' && row.cron) out.schedulers.push({ id: schedulerId(row.id), pattern: row.cron, timezone: row.timezone, job: { kind: SCHEDULE_JOB, id: row.id } });
    }
    return out;
  }

  timerAvailable(): boolean {
    return this.deps.timers.available();
  }

  private async arm(row: PostRow): Promise<void> {
    return row.kind === 'once' && row.due_at !== null
      ? (await this.deps.timers.at(onceJobId(row.id), new Date(row.due_at), { kind: POST_JOB, id: row.id }))
      : await this.deps.timers.every(schedulerId(row.id), row.cron ?? '', row.timezone, { kind: SCHEDULE_JOB, id: row.id });
  }

  private async owned(ctx: CommandContext, id: number): Promise<PostRow> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id || row.status === 'removed' || row.status === 'done') throw new UserError('schedule.notFound', { id });
    return row;
  }

  /**
   * The community's calendar in [from, to): the calendar posts made (from
   * the outbox) and, from `now` on, the active posts' planned firings.
   */
  async firings(communityId: number, from: Date, to: Date, now: Date): Promise<Firing[]> {
    const out: Firing[] = (await this.deps.repo.postedBetween(communityId, from.getTime(), to.getTime())).map((d) => ({
      at: new Date(d.created_at),
      promo: d.promo === 1,
      postId: d.post_id,
      text: memberText((JSON.parse(d.reply_json) as Reply).text ?? ''),
    }));
    const later = new Date(Math.max(from.getTime(), now.getTime() + 1));
    for (const row of await this.deps.repo.active(communityId)) {
      const fires = row.kind === 'once' ? (row.due_at !== null && row.due_at >= from.getTime() && row.due_at < to.getTime() ? [new Date(row.due_at)] : []) : row.cron ? firesBetween(row.cron, row.timezone, later, to) : [];
      for (const at of fires) out.push({ at, promo: row.promo === 1, postId: row.id, text: memberText(row.text) });
    }
    for (const source of this.sources) out.push(...(await source(communityId, from, to, now)));
    return out.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /** `/schedule calendar`: the community's current week or month. */
  async calendar(ctx: CommandContext, unit: 'week' | 'month'): Promise<CalendarView> {
    const { start, end } = periodOf(ctx.now, ctx.community.timezone, unit);
    return { start, end, firings: await this.firings(ctx.community.id, start, end, ctx.now), rules: this.deps.rules };
  }

  /** The firings a post would add to the calendar if it were active. */
  private plannedFires(row: PostRow, now: Date): Date[] {
    if (row.kind === 'once') return row.due_at !== null ? [new Date(Math.max(row.due_at, now.getTime()))] : [];
    return row.cron ? upcoming(row.cron, row.timezone, now) : [];
  }

  /** Refuses, in the community's language, what would break the calendar's rules. */
  async checkCalendar(ctx: CommandContext, added: Date[], promo: boolean): Promise<void> {
    if (added.length === 0) return;
    const timezone = ctx.community.timezone;
    const window = checkWindow(added, timezone, this.deps.rules);
    const violation = check(await this.firings(ctx.community.id, window.start, window.end, ctx.now), added, promo, timezone, this.deps.rules);
    if (violation) throw refusal(violation, timezone, ctx.locale);
  }

  /** At fire time: the community day (in `timezone`) already has its cap of calendar posts, this feature's or another's. */
  async dayIsFull(communityId: number, timezone: string, now: Date): Promise<boolean> {
    const cap = this.deps.rules.dailyCap;
    if (cap === null) return false;
    const day = dayOf(now, timezone);
    let made = (await this.deps.repo.postedBetween(communityId, day.start.getTime(), day.end.getTime())).length;
    for (const source of this.sources) made += (await source(communityId, day.start, day.end, now)).filter((f) => f.at.getTime() <= now.getTime()).length;
    return made >= cap;
  }

  private async skip(row: PostRow, now: Date): Promise<void> {
    await this.deps.repo.markSkipped(row.id, now.getTime());
    this.deps.logger?.warn({ post: row.id, community: row.community_id, cap: this.deps.rules.dailyCap }, 'scheduled post skipped: the community day is at its daily cap');
  }
}

function refusal(v: CalendarViolation, timezone: string, locale: Locale): UserError {
  switch (v.rule) {
    case 'dailyCap':
      return new UserError('schedule.dailyCap', { day: formatDay(v.day, timezone, locale), count: v.count, cap: v.cap });
    case 'promoShare':
      // The share the week would have WITH the new post: that is what goes over the cap.
      return new UserError('schedule.promoCap', { share: Math.round((v.promo / v.total) * 100), promo: v.promo, total: v.total, cap: Math.round(v.cap * 100) });
    case 'promoStreak':
      return new UserError('schedule.promoStreak', { day: formatDay(v.day, timezone, locale), days: v.days, max: v.max });
  }
}

function nextRun(row: PostRow, now: Date): Date | undefined {
  if (row.kind === 'once') return row.due_at !== null ? new Date(row.due_at) : undefined;
  const parsed = row.cron ? parseCron(row.cron, row.timezone) : undefined;
  return parsed?.ok ? parsed.cron.next(now) : undefined;
}
