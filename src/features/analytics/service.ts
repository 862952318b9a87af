/**
 * Community metrics: loads a community's history from the other features'
 * tables and the membership log, and lets rules.ts say what the numbers are.
 * It records joins and leaves (listeners, inside the event's transaction) and
 * otherwise only reads.
 */
import type { PlatformCapabilities } from '../../core/capabilities.js';
import { addDays, communityDay, dayStart, daysBetween, type Day } from '../../core/community-day.js';
import type { AfterCommit, CommandContext, CommunityInfo } from '../../core/context.js';
import type { MessageKey, Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import type { AnalyticsRepo, LastCounts } from './repo.js';
import {
  isSpike,
  mondayOf,
  presentBefore,
  retentionFromDays,
  spellsOf,
  type JoinDay,
  lowActiveRate,
  measure,
  measureRollups,
  periodOf,
  previousPeriod,
  retention,
  ROLLUP_LOOKBACK_DAYS,
  type CohortRow,
  type CommunityHistory,
  type DailyRollup,
  type MemberHistory,
  type MembershipEvent,
  type MetricRules,
  type PeriodKind,
  type PeriodMetrics,
  weekOnWeek,
} from './rules.js';

/** The day-end alerts that stay open until they recover, and their outbox key prefixes. */
type AlertName = 'lowActive' | 'weekDrop';
const ALERT_KEYS: Record<AlertName, string> = { lowActive: 'analytics-low-active', weekDrop: 'analytics-week-drop' };

export interface AnalyticsConfig {
  rollup: { cron: string; timezone: string };
  /** Days of rollups kept. */
  retainDays: number;
  /** Days of raw activity and membership events kept (once rolled up). */
  rawRetainDays: number;
  alerts: {
    enabled: boolean;
    activeRateBelow: number;
    /** Week-on-week drop of the speaking (or interaction) rate that alerts, as a share; 0: off. */
    weekDropAbove: number;
    minMembers: number;
    windowSeconds: number;
    leaves: number;
    joins: number;
    /** Admins to alert by direct message, per `<platform>:<external id>`. */
    recipients: Record<string, string[]>;
  };
}

export interface AnalyticsServiceDeps {
  repo: AnalyticsRepo;
  /** What the community's platform lets the bot see (core/capabilities.ts). */
  capabilities: (communityId: number) => Promise<PlatformCapabilities>;
  config: AnalyticsConfig;
  outbox: Outbox;
  communityById: (id: number) => Promise<CommunityInfo | undefined>;
  /** A community's translator, for posts made outside a command. */
  translate: (communityId: number) => Promise<Translate>;
  /** Whether the community's platform can deliver direct messages. */
  canDirect: (communityId: number) => Promise<boolean>;
  /** Runs `fn` as a unit of work of its own (the pruning batches after a maintenance run). */
  unit: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Raw rows deleted per unit of work when pruning, and units per maintenance run (the rest waits for the next run). */
export const PRUNE_BATCH_ROWS = 10_000;
export const PRUNE_MAX_BATCHES = 50;
/** The most active members kept with each day's rollup. */
export const TOP_MEMBERS = 10;

export const DAILY_JOB = 'analytics-daily';
const DAILY_SCHEDULER = 'analytics-daily';
/** `/stats history` shows at most this many days. */
export const HISTORY_MAX_DAYS = 30;

export interface HistoryDay {
  day: Day;
  members: number;
  active: number;
}

/** What one maintenance run did for a community. */
export interface DailyRun {
  rolled: Day[];
  rawPrunedBefore: Day | null;
}

export interface Headline {
  kind: PeriodKind;
  current: PeriodMetrics;
  previous: PeriodMetrics;
  seesAllMessages: boolean;
}

export const RETENTION_WEEKS = 8;

export class AnalyticsService {
  constructor(private readonly deps: AnalyticsServiceDeps) {}

  get config(): AnalyticsConfig {
    return this.deps.config;
  }

  /**
   * memberJoined / memberLeft listener: records the event, then counts the
   * distinct members who did the same within the alert window (event times,
   * from the database, so every process sees every join) and alerts the
   * admins at once on a spike, once per community day per kind.
   */
  async onMembership(ctx: CommandContext, kind: MembershipEvent['kind']): Promise<void> {
    const now = ctx.now.getTime();
    await this.deps.repo.recordMembership(ctx.community.id, ctx.member.id, kind, now);
    const { alerts } = this.config;
    const threshold = kind === 'join' ? alerts.joins : alerts.leaves;
    if (!alerts.enabled || threshold <= 0) return;
    const count = await this.deps.repo.recentMembers(ctx.community.id, kind, now - alerts.windowSeconds * 1000, now);
    if (!isSpike(count, threshold)) return;
    const key: MessageKey = kind === 'join' ? 'stats.alert.joinSpike' : 'stats.alert.leaveSpike';
    const text = ctx.t(key, { count, minutes: Math.round(alerts.windowSeconds / 60), threshold });
    await this.alertAdmins(ctx.community, text, `analytics-${kind}-spike-${ctx.community.id}-${ctx.day}`, ctx.now, ctx.afterCommit);
  }

  async seesAllMessages(communityId: number): Promise<boolean> {
    return (await this.deps.capabilities(communityId)).seesAllMessages;
  }

  /**
   * `/stats today|week|month`: the period ending today and the one before it,
   * both from daily rows (rules.measureRollups gives the numbers `measure`
   * gives from the raw records): the stored rollups of the days that are over
   * (a day not rolled up yet computed by the same SQL), and today's row so far,
   * from today's records alone (see `computeRollups`). Nothing loads the
   * members or 30 days of records.
   */
  async headline(community: CommunityInfo, kind: PeriodKind, today: Day): Promise<Headline> {
    const rules = await this.rules(community);
    const period = periodOf(kind, today);
    const before = previousPeriod(period);
    const rows = await this.rowsThrough(community, before.from, today);
    const current = measureRollups(rows, period, rules);
    const previous = measureRollups(rows, before, rules);
    if (current && previous) return { kind, current, previous, seesAllMessages: rules.seesAllMessages };
    // Unreachable while every day of the two periods has a row; the definitions themselves, from the raw records, otherwise.
    const history = await this.history(community, addDays(before.to, -ROLLUP_LOOKBACK_DAYS), today);
    return { kind, current: measure(history, period, rules), previous: measure(history, before, rules), seesAllMessages: rules.seesAllMessages };
  }

  /**
   * The daily rows of [from, today]: stored rollups, days not rolled up yet
   * computed (not stored), zeros before the community's first day, and today
   * so far.
   */
  private async rowsThrough(community: CommunityInfo, from: Day, today: Day): Promise<DailyRollup[]> {
    const firstDay = communityDay(new Date(await this.createdAt(community.id)), community);
    const rows = await this.rollupsOrRaw(community, from, addDays(today, -1), from, firstDay);
    const yesterday = rows.find((r) => r.day === addDays(today, -1));
    const [todayRow] = await this.computeRollups(community, today, today, { membersBefore: yesterday?.members });
    return todayRow ? [...rows, todayRow] : rows;
  }

  /**
   * `/stats history [days]`: the members and daily actives of the `days`
   * complete days before today, from the rollups; a day not rolled up yet
   * (the maintenance run has not come) is computed from the raw records.
   */
  async dailyHistory(community: CommunityInfo, today: Day, days: number): Promise<HistoryDay[]> {
    const n = Math.min(Math.max(1, days), HISTORY_MAX_DAYS);
    return (await this.rollupsOrRaw(community, addDays(today, -n), addDays(today, -1))).map((r) => ({ day: r.day, members: r.members, active: r.active }));
  }

  /**
   * The daily rows of the `days` complete days before today that the
   * community has (none before its first day or beyond the rollups kept),
   * oldest first: the rollups, and for a day not rolled up yet, the same row
   * computed from the raw records (the dashboard's series and CSV).
   */
  async dailyRows(community: CommunityInfo, today: Day, days: number): Promise<DailyRollup[]> {
    const createdAt = await this.createdAt(community.id);
    const from = [addDays(today, -Math.max(1, days)), communityDay(new Date(createdAt), community), addDays(today, -this.config.retainDays)].reduce((a, b) => (a > b ? a : b));
    return this.rollupsOrRaw(community, from, addDays(today, -1), await this.firstRollupDay(community, createdAt, today));
  }

  /**
   * The rollups of [from, to]; the days missing from `rawFrom` on are
   * computed from the raw records (not stored), and with `firstDay` the days
   * before the community's first are rows of zeros.
   */
  private async rollupsOrRaw(community: CommunityInfo, from: Day, to: Day, rawFrom: Day = from, firstDay?: Day): Promise<DailyRollup[]> {
    if (from > to) return [];
    const rows = new Map((await this.deps.repo.rollups(community.id, from, to)).map((r) => [r.day, r]));
    const missing: Day[] = [];
    for (let day = from; day <= to; day = addDays(day, 1)) {
      if (rows.has(day)) continue;
      if (firstDay !== undefined && day < firstDay) rows.set(day, zeroRow(day));
      else if (day >= rawFrom) missing.push(day);
    }
    for (const [a, b] of runsOf(missing)) for (const r of await this.computeRollups(community, a, b)) rows.set(r.day, r);
    return [...rows.values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  // ── daily rollups ────────────────────────────────────────────────────

  /** The maintenance job: per community, roll up the days that are over, prune, and check yesterday's active rate. */
  async runDaily(job: JobContext): Promise<void> {
    for (const { id } of await this.deps.repo.communities()) {
      const community = await this.deps.communityById(id);
      if (community) await this.dailyFor(community, job.firedAt, job.afterCommit);
    }
  }

  /**
   * One community's maintenance run. Call inside a write transaction; running
   * it again does nothing more. The raw records it makes prunable are deleted
   * after the commit, in units of their own of at most PRUNE_BATCH_ROWS rows
   * (`pruneBatches`), so a first run over millions of old rows never holds
   * one long transaction.
   */
  async dailyFor(community: CommunityInfo, now: Date, afterCommit: (fn: AfterCommit) => void): Promise<DailyRun> {
    const today = communityDay(now, community);
    const rolled = await this.rollupPending(community, now);
    await this.fillRetention(community, today);
    await this.deps.repo.pruneRollups(community.id, addDays(today, -this.config.retainDays));
    const rawPrunedBefore = await this.pruneRaw(community, today);
    await this.checkAlerts(community, addDays(today, -1), now, afterCommit);
    const prune = await this.deps.repo.pruneState(community.id);
    if (prune.target !== null && prune.target !== prune.done) afterCommit(async () => void (await this.pruneBatches(community)));
    return { rolled, rawPrunedBefore };
  }

  /**
   * Deletes the raw records before `raw_pruned_before` that nothing needs any
   * more, oldest first, PRUNE_BATCH_ROWS per unit of work and at most
   * PRUNE_MAX_BATCHES units; the next run goes on where this one stopped.
   * Returns the rows deleted, and whether it is done.
   */
  async pruneBatches(community: CommunityInfo, maxBatches = PRUNE_MAX_BATCHES, batchRows = PRUNE_BATCH_ROWS): Promise<{ deleted: number; done: boolean }> {
    const { repo } = this.deps;
    let dayCursor = '';
    let atCursor = 0;
    let phase: 'activity' | 'events' = 'activity';
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const step = await this.deps.unit(async () => {
        const { target, done } = await repo.pruneState(community.id);
        if (target === null || target === done) return { finished: true, rows: 0, dayCursor, atCursor, phase };
        if (phase === 'activity') {
          const days = await repo.pruneActivityBatch(community.id, target, dayCursor, batchRows);
          const next = days.reduce((a, b) => (a > b ? a : b), dayCursor);
          return { finished: false, rows: days.length, dayCursor: next, atCursor, phase: days.length < batchRows ? ('events' as const) : phase };
        }
        const ats = await repo.pruneEventsBatch(community.id, dayStart(target, community).getTime(), atCursor, batchRows);
        const finished = ats.length < batchRows;
        if (finished) await repo.setPruneDone(community.id, target);
        return { finished, rows: ats.length, dayCursor, atCursor: ats.reduce((a, b) => Math.max(a, b), atCursor), phase };
      });
      // The cursors move only once the batch has committed.
      ({ dayCursor, atCursor, phase } = step);
      deleted += step.rows;
      if (step.finished) return { deleted, done: true };
    }
    return { deleted, done: false };
  }

  /**
   * Rows rolled up before the retention numerators were kept get them, for
   * the days `/stats retention` reads (its weeks and the 30 days before),
   * while the raw records they need are there: once, after an upgrade.
   */
  private async fillRetention(community: CommunityInfo, today: Day): Promise<void> {
    const from = addDays(mondayOf(today), -7 * (RETENTION_WEEKS - 1));
    const pruned = await this.deps.repo.rawPrunedBefore(community.id);
    for (const r of await this.deps.repo.retentionDays(community.id, from, addDays(today, -1))) {
      if (r.retained1 !== null && r.retained7 !== null && r.retained30 !== null) continue;
      if (pruned !== null && addDays(r.day, -30) < pruned) continue;
      const { joined } = await this.membership(community, r.day, r.day, addDays(r.day, -30), 0);
      const active = await this.deps.repo.activeIds(community.id, r.day);
      const retained = [1, 7, 30].map((n) => (joined.get(addDays(r.day, -n)) ?? []).filter((m) => active.has(m)).length) as [number, number, number];
      await this.deps.repo.setRetained(community.id, r.day, retained);
    }
  }

  /** The first day the rollups cover: the community's first, the oldest one kept, and one whose raw window is still whole. */
  private async firstRollupDay(community: CommunityInfo, createdAt: number, today: Day): Promise<Day> {
    const pruned = await this.deps.repo.rawPrunedBefore(community.id);
    const candidates = [communityDay(new Date(createdAt), community), addDays(today, -this.config.retainDays)];
    if (pruned !== null) candidates.push(addDays(pruned, ROLLUP_LOOKBACK_DAYS));
    return candidates.reduce((a, b) => (a > b ? a : b));
  }

  private async createdAt(communityId: number): Promise<number> {
    return (await this.deps.repo.communities()).find((c) => c.id === communityId)?.created_at ?? 0;
  }

  /** Rolls up every day before today that has no rollup yet; returns those days. */
  async rollupPending(community: CommunityInfo, now: Date): Promise<Day[]> {
    const today = communityDay(now, community);
    const to = addDays(today, -1);
    const from = await this.firstRollupDay(community, await this.createdAt(community.id), today);
    if (from > to) return [];
    const done = await this.deps.repo.rolledDays(community.id, from, to);
    const missing: Day[] = [];
    for (let day = from; day <= to; day = addDays(day, 1)) if (!done.has(day)) missing.push(day);
    for (const [a, b] of runsOf(missing)) {
      // The members at the end of the day before, as its rollup kept them (counted in SQL when there is none).
      const [before] = await this.deps.repo.rollups(community.id, addDays(a, -1), addDays(a, -1));
      await this.computeRollups(community, a, b, { saveAt: now.getTime(), membersBefore: before?.members });
    }
    return missing;
  }

  /**
   * Rolls up one past day again, replacing its row (the same numbers unless
   * the raw records changed). False, and the row kept, when the day is not
   * over or its raw window was pruned.
   */
  async rollup(community: CommunityInfo, day: Day, now: Date): Promise<boolean> {
    const today = communityDay(now, community);
    const pruned = await this.deps.repo.rawPrunedBefore(community.id);
    if (day >= today || (pruned !== null && addDays(day, -ROLLUP_LOOKBACK_DAYS) < pruned)) return false;
    return (await this.computeRollups(community, day, day, { saveAt: now.getTime() })).length === 1;
  }

  async rollups(communityId: number, from: Day, to: Day): Promise<DailyRollup[]> {
    return this.deps.repo.rollups(communityId, from, to);
  }

  /**
   * Moves the raw records' horizon to the raw retention, but never past a
   * record a day not rolled up yet still needs (its 30-day window); the
   * records before it are deleted after the commit (`pruneBatches`). Returns
   * the horizon, or null.
   */
  private async pruneRaw(community: CommunityInfo, today: Day): Promise<Day | null> {
    const previous = await this.deps.repo.rawPrunedBefore(community.id);
    let before = addDays(today, -this.config.rawRetainDays);
    const from = await this.firstRollupDay(community, await this.createdAt(community.id), today);
    const done = await this.deps.repo.rolledDays(community.id, from, addDays(today, -1));
    for (let day = from; day < today; day = addDays(day, 1)) {
      if (!done.has(day)) {
        const limit = addDays(day, -ROLLUP_LOOKBACK_DAYS);
        if (limit < before) before = limit;
        break;
      }
    }
    if (previous !== null && before <= previous) return previous;
    // From now on no day needing the records before it is rolled up again; the batches after the commit delete them.
    await this.deps.repo.setRawPrunedBefore(community.id, before);
    return before;
  }

  // ── alerts ───────────────────────────────────────────────────────────

  /**
   * The day-end alerts, checked on the day just rolled up: a low active rate,
   * and a week-on-week drop of the speaking rate (interactions where the bot
   * sees only what is addressed to it). Each alerts once per day while it
   * lasts (the outbox key has the day) and gets one line when it recovers
   * (the open ones are kept in analytics_state).
   */
  private async checkAlerts(community: CommunityInfo, day: Day, now: Date, afterCommit: (fn: AfterCommit) => void): Promise<void> {
    const { alerts } = this.config;
    if (!alerts.enabled) return;
    const rows = await this.deps.repo.rollups(community.id, addDays(day, -13), day);
    const row = rows.find((r) => r.day === day);
    if (!row) return;
    const t = await this.deps.translate(community.id);
    const pct = (r: number): string => `${Math.round(r * 100)}%`;
    const open = new Set(await this.deps.repo.openAlerts(community.id));
    const before = [...open].sort().join();
    const raise = async (name: AlertName, text: string): Promise<void> => {
      await this.alertAdmins(community, text, `${ALERT_KEYS[name]}-${community.id}-${day}`, now, afterCommit);
      open.add(name);
    };
    const recover = async (name: AlertName, text: string): Promise<void> => {
      if (!open.delete(name)) return;
      await this.alertAdmins(community, text, `${ALERT_KEYS[name]}-recovered-${community.id}-${day}`, now, afterCommit);
    };

    const low = lowActiveRate(row, alerts);
    const lowText = { day, threshold: pct(alerts.activeRateBelow), active: row.active, members: row.members };
    if (low !== undefined) await raise('lowActive', t('stats.alert.lowActive', { ...lowText, rate: pct(low) }));
    else await recover('lowActive', t('stats.alert.lowActiveRecovered', { ...lowText, rate: pct(row.members > 0 ? row.active / row.members : 0) }));

    const week = alerts.weekDropAbove > 0 ? weekOnWeek(rows, day, await this.seesAllMessages(community.id), alerts.minMembers) : undefined;
    if (week) {
      const value = (v: number): string => (week.metric === 'speaking' ? pct(v) : v.toFixed(1));
      const params = { day, thisWeek: value(week.thisWeek), lastWeek: value(week.lastWeek), drop: pct(week.drop), threshold: pct(alerts.weekDropAbove) };
      if (week.drop > alerts.weekDropAbove) await raise('weekDrop', t(week.metric === 'speaking' ? 'stats.alert.speakingDrop' : 'stats.alert.interactionDrop', params));
      else await recover('weekDrop', t(week.metric === 'speaking' ? 'stats.alert.speakingRecovered' : 'stats.alert.interactionRecovered', params));
    } else if (alerts.weekDropAbove <= 0) open.delete('weekDrop');
    if ([...open].sort().join() !== before) await this.deps.repo.setOpenAlerts(community.id, [...open]);
  }

  /**
   * An alert for the community's admins: a direct message to each configured
   * admin where the platform sends them (posted in the community if refused),
   * else one post in the community addressed to the admins. `key` makes it once.
   * The one admin-alert path: moderation alerts through it too (app.ts).
   */
  async alertAdmins(community: CommunityInfo, text: string, key: string, at: Date, afterCommit: (fn: AfterCommit) => void, source = 'analytics-alert'): Promise<void> {
    const t = await this.deps.translate(community.id);
    const recipients = this.config.alerts.recipients[`${community.platform}:${community.externalId}`] ?? [];
    const mentions = Object.fromEntries(recipients.map((id) => [id, id]));
    const inCommunity: Reply = { text: [t('stats.alert.forAdmins', { admins: recipients.map((id) => `<@${id}>`).join(' ') }).trim(), text].join('\n'), ...(recipients.length ? { mentions } : {}) };
    if (recipients.length > 0 && (await this.deps.canDirect(community.id))) {
      for (const id of recipients) {
        await this.deps.outbox.post(community.id, { text }, { key: `${key}-${id}`, source, at, afterCommit, direct: { recipient: id, fallback: inCommunity } });
      }
      return;
    }
    await this.deps.outbox.post(community.id, inCommunity, { key, source, at, afterCommit });
  }

  async desired(): Promise<DesiredTimers> {
    const { cron, timezone } = this.config.rollup;
    return { timers: [], schedulers: [{ id: DAILY_SCHEDULER, pattern: cron, timezone, job: { kind: DAILY_JOB, id: 0 } }], schedulerPrefixes: [DAILY_SCHEDULER] };
  }

  /**
   * `/stats retention`: weekly join cohorts, the newest first, from the
   * rolled-up days (their joins and the retention numerators each day
   * counted) and today's joins; from the raw records while a day of the
   * weeks has no such row (not rolled up yet, or rolled up before they were kept).
   */
  async cohorts(community: CommunityInfo, today: Day, weeks = RETENTION_WEEKS): Promise<CohortRow[]> {
    const first = addDays(mondayOf(today), -7 * (weeks - 1));
    const firstDay = communityDay(new Date(await this.createdAt(community.id)), community);
    const stored = new Map((await this.deps.repo.retentionDays(community.id, first, addDays(today, -1))).map((r) => [r.day, r]));
    const days: JoinDay[] = [];
    for (let day = first; day < today; day = addDays(day, 1)) {
      const r = stored.get(day);
      if (r && r.retained1 !== null && r.retained7 !== null && r.retained30 !== null) days.push({ day, joins: r.joins, retained1: r.retained1, retained7: r.retained7, retained30: r.retained30 });
      else if (day >= firstDay) return retention(await this.history(community, addDays(today, -7 * weeks), today), today, await this.rules(community), weeks);
    }
    // Today's joins so far (and any later in its week): no member count needed.
    const weekEnd = addDays(mondayOf(today), 6);
    const { joins } = await this.membership(community, today, weekEnd, today, 0);
    joins.forEach((n, i) => days.push({ day: addDays(today, i), joins: n, retained1: 0, retained7: 0, retained30: 0 }));
    return retentionFromDays(days, today, weeks);
  }

  /** The most active members of the 30 days ending yesterday (active days, then interactions): stored with yesterday's rollup, else counted. */
  async topMembers(community: CommunityInfo, today: Day, limit = TOP_MEMBERS): Promise<Array<{ memberId: number; days: number; interactions: number }>> {
    const yesterday = addDays(today, -1);
    const stored = limit <= TOP_MEMBERS ? await this.deps.repo.storedTop(community.id, yesterday) : undefined;
    const rows = stored ?? (await this.deps.repo.top(community.id, addDays(yesterday, -ROLLUP_LOOKBACK_DAYS), yesterday, limit));
    return rows.slice(0, limit).map(([memberId, days, interactions]) => ({ memberId, days, interactions }));
  }

  // ── rollups by SQL aggregates ────────────────────────────────────────

  /**
   * Members at each day's end, joins and leaves of the days [from, to], and
   * the members of each join from `joinsFrom` on (by join day): the members
   * present before `from` (given, or counted in SQL) plus the changes of the
   * few members whose presence changed, their spells read by rules.spellsOf.
   */
  private async membership(community: CommunityInfo, from: Day, to: Day, joinsFrom: Day, membersBefore?: number) {
    const n = daysBetween(from, to) + 1;
    const starts = Array.from({ length: n + 1 }, (_, i) => dayStart(addDays(from, i), community).getTime());
    const start = starts[0] as number;
    const end = starts[n] as number;
    const lo = joinsFrom < from ? dayStart(joinsFrom, community).getTime() : start;
    const histories = new Map<number, MemberHistory & { events: MembershipEvent[]; leftAt: number | null }>();
    for (const r of await this.deps.repo.touched(community.id, lo, end)) {
      const id = Number(r.id);
      const h = histories.get(id) ?? { memberId: id, firstSeen: Number(r.created_at), events: [], leftAt: r.left_at === null ? null : Number(r.left_at) };
      if (r.kind !== null && r.at !== null) h.events.push({ kind: r.kind, at: Number(r.at) });
      histories.set(id, h);
    }
    const members = new Array<number>(n).fill(membersBefore ?? (await this.deps.repo.presentBefore(community.id, start)));
    const joins = new Array<number>(n).fill(0);
    const leaves = new Array<number>(n).fill(0);
    const joined = new Map<Day, number[]>();
    const dayIndex = (at: number): number => {
      for (let i = 0; i < n; i++) if (at >= (starts[i] as number) && at < (starts[i + 1] as number)) return i;
      return -1;
    };
    for (const h of histories.values()) {
      // Leaves recorded before the membership log existed are on the member row only.
      const spells = spellsOf(h.events.length > 0 ? h : { ...h, events: h.leftAt === null ? [] : [{ kind: 'leave', at: h.leftAt }] });
      const was = presentBefore(spells, start) ? 1 : 0;
      for (let i = 0; i < n; i++) members[i] = (members[i] as number) + (presentBefore(spells, starts[i + 1] as number) ? 1 : 0) - was;
      for (const s of spells) {
        if (s.joined && s.from >= lo && s.from < end) {
          const i = dayIndex(s.from);
          if (i >= 0) joins[i] = (joins[i] as number) + 1;
          const day = communityDay(new Date(s.from), community);
          const list = joined.get(day);
          if (list) list.push(h.memberId);
          else joined.set(day, [h.memberId]);
        }
        if (s.to !== null) {
          const i = dayIndex(s.to);
          if (i >= 0) leaves[i] = (leaves[i] as number) + 1;
        }
      }
    }
    return { members, joins, leaves, joined };
  }

  /**
   * The rollups of the days [from, to] by SQL aggregates, the numbers
   * rules.rollupDays gives from the raw records. Windowed distinct counts of
   * a day D come from analytics_members when it is through D - 1 (the members
   * whose last day falls in the window, plus D's members whose last day does
   * not), else from the raw records of the window.
   *
   * With `saveAt`, each day is stored as it is computed, with the retention
   * numerators and the top members, and analytics_members follows it a day at
   * a time (rebuilt first when it is behind; left alone when a day before it
   * is rolled up again). Without, nothing is written: a day not rolled up
   * yet, or today so far (`membersBefore`: yesterday's members, when known).
   */
  private async computeRollups(community: CommunityInfo, from: Day, to: Day, options: { saveAt?: number; membersBefore?: number } = {}): Promise<DailyRollup[]> {
    const { repo } = this.deps;
    const id = community.id;
    const save = options.saveAt !== undefined;
    const membership = await this.membership(community, from, to, save ? addDays(from, -30) : from, options.membersBefore);
    let through = await repo.membersThrough(id);
    const totals = new Map<Day, { active: number; speakers: number; messages: number; commands: number }>();
    let totalsRead = false;
    const out: DailyRollup[] = [];
    for (let i = 0, day = from; day <= to; i++, day = addDays(day, 1)) {
      const from7 = addDays(day, -6);
      const from30 = addDays(day, -ROLLUP_LOOKBACK_DAYS);
      const before = addDays(day, -1);
      if (save && (through === null || through < before)) {
        await repo.rebuildMembers(id, addDays(before, -(ROLLUP_LOOKBACK_DAYS - 1)), before);
        through = before;
      }
      let windows;
      if (through === before) {
        // Today's row reads the counts yesterday's rollup kept, when it did.
        const prior = save ? undefined : await repo.storedNext(id, before);
        const w = await repo.windowsFromMembers(id, day, from7, from30, prior);
        totals.set(day, w.totals);
        windows = w;
      } else {
        if (!totalsRead) for (const t of await repo.dayTotals(id, day, to)) totals.set(t.day, t);
        totalsRead = true;
        windows = await repo.windows(id, day, from7, from30);
      }
      const t = totals.get(day) ?? { active: 0, speakers: 0, messages: 0, commands: 0 };
      const end = dayStart(addDays(day, 1), community).getTime();
      const p = await repo.participantWindows(id, dayStart(day, community).getTime(), dayStart(from7, community).getTime(), dayStart(from30, community).getTime(), end);
      const row: DailyRollup = {
        day, members: membership.members[i] ?? 0, joins: membership.joins[i] ?? 0, leaves: membership.leaves[i] ?? 0, messages: t.messages, commands: t.commands,
        active: t.active, active7: windows.active7, active30: windows.active30,
        speakers: t.speakers, speakers7: windows.speakers7, speakers30: windows.speakers30,
        checkins: windows.checkins, checkins7: windows.checkins7, checkins30: windows.checkins30,
        ...p,
      };
      out.push(row);
      if (options.saveAt === undefined) continue;
      const active = await repo.activeIds(id, day);
      const retained = [1, 7, 30].map((n) => (membership.joined.get(addDays(day, -n)) ?? []).filter((m) => active.has(m)).length) as [number, number, number];
      let next: LastCounts;
      if (through === before) {
        await repo.mergeMembersDay(id, day);
        through = day;
        next = await repo.lastCounts(id, addDays(day, -5), addDays(day, -(ROLLUP_LOOKBACK_DAYS - 1)));
      } else {
        const w = await repo.windows(id, day, addDays(day, -5), addDays(day, -(ROLLUP_LOOKBACK_DAYS - 1)));
        next = { active: { in7: w.active7, in30: w.active30 }, spoke: { in7: w.speakers7, in30: w.speakers30 }, checkin: { in7: w.checkins7, in30: w.checkins30 } };
      }
      await repo.saveRollup(id, row, options.saveAt, { retained, next, top: await repo.top(id, from30, day, TOP_MEMBERS) });
    }
    return out;
  }

  async rules(community: CommunityInfo): Promise<MetricRules> {
    return { timezone: community.timezone, dayStartHour: community.dayStartHour, seesAllMessages: (await this.seesAllMessages(community.id)) };
  }

  /** Every member's joins and leaves, and the activity, check-ins and participations of the days [from, to] (the definitions' own input: the fallbacks). */
  async history(community: CommunityInfo, from: Day, to: Day): Promise<CommunityHistory> {
    const { repo } = this.deps;
    const events = new Map<number, MembershipEvent[]>();
    for (const e of await repo.membershipEvents(community.id)) {
      const list = events.get(e.member_id) ?? [];
      list.push({ kind: e.kind, at: e.at });
      events.set(e.member_id, list);
    }
    const members: MemberHistory[] = (await repo.members(community.id)).map((m) => ({
      memberId: m.id,
      firstSeen: m.created_at,
      // Leaves recorded before the membership log existed are on the member row only.
      events: events.get(m.id) ?? (m.left_at === null ? [] : [{ kind: 'leave', at: m.left_at }]),
    }));
    const start = dayStart(from, community).getTime();
    const end = dayStart(addDays(to, 1), community).getTime();
    return {
      members,
      activity: (await repo.activity(community.id, from, to)).map((r) => ({ memberId: r.member_id, day: r.day, messages: r.messages, commands: r.commands })),
      checkins: (await repo.checkins(community.id, from, to)).map((r) => ({ memberId: r.member_id, day: r.day })),
      participations: (await repo.participations(community.id, start, end)).map((r) => ({ memberId: r.member_id, at: r.at })),
    };
  }
}

/** A day before the community's first: nothing and nobody. */
function zeroRow(day: Day): DailyRollup {
  return {
    day, members: 0, joins: 0, leaves: 0, messages: 0, commands: 0, active: 0, active7: 0, active30: 0, speakers: 0, speakers7: 0, speakers30: 0,
    checkins: 0, checkins7: 0, checkins30: 0, participants: 0, participants7: 0, participants30: 0,
  };
}

/** Sorted days as runs of consecutive days, [first, last] each. */
function runsOf(days: readonly Day[]): Array<[Day, Day]> {
  const runs: Array<[Day, Day]> = [];
  for (const day of days) {
    const last = runs[runs.length - 1];
    if (last && addDays(last[1], 1) === day) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}
