/**
 * Community metrics: loads a community's history from the other features'
 * tables and the membership log, and lets rules.ts say what the numbers are.
 * It records joins and leaves (listeners, inside the event's transaction) and
 * otherwise only reads.
 */
import type { PlatformCapabilities } from '../../core/capabilities.js';
import { addDays, communityDay, dayStart, type Day } from '../../core/community-day.js';
import type { AfterCommit, CommandContext, CommunityInfo } from '../../core/context.js';
import type { MessageKey, Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import type { AnalyticsRepo } from './repo.js';
import {
  isSpike,
  lowActiveRate,
  measure,
  measureRollups,
  periodOf,
  previousPeriod,
  retention,
  rollupDays,
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
}

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
   * `/stats today|week|month`: the period ending today and the one before it.
   * The earlier period is over: its numbers come from its days' rollups when
   * they are all rolled up (the same numbers, see rules.measureRollups), else
   * from the raw records. The current period reads the raw records of the 30
   * days ending today (its monthly actives), always within their retention.
   */
  async headline(community: CommunityInfo, kind: PeriodKind, today: Day): Promise<Headline> {
    const rules = await this.rules(community);
    const period = periodOf(kind, today);
    const before = previousPeriod(period);
    const rolled = measureRollups(await this.deps.repo.rollups(community.id, before.from, before.to), before, rules);
    // The earlier period's monthly actives reach 29 days before it.
    const history = await this.history(community, addDays(rolled ? period.to : before.to, -ROLLUP_LOOKBACK_DAYS), today);
    return { kind, current: measure(history, period, rules), previous: rolled ?? measure(history, before, rules), seesAllMessages: rules.seesAllMessages };
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

  /** The rollups of [from, to]; the days missing from `rawFrom` on are computed from the raw records. */
  private async rollupsOrRaw(community: CommunityInfo, from: Day, to: Day, rawFrom: Day = from): Promise<DailyRollup[]> {
    if (from > to) return [];
    const rows = new Map((await this.deps.repo.rollups(community.id, from, to)).map((r) => [r.day, r]));
    let first: Day | undefined;
    for (let day = rawFrom > from ? rawFrom : from; day <= to && first === undefined; day = addDays(day, 1)) if (!rows.has(day)) first = day;
    if (first !== undefined) {
      for (const r of rollupDays(await this.history(community, addDays(first, -ROLLUP_LOOKBACK_DAYS), to), first, to, community)) if (!rows.has(r.day)) rows.set(r.day, r);
    }
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

  /** One community's maintenance run. Call inside a write transaction; running it again does nothing more. */
  async dailyFor(community: CommunityInfo, now: Date, afterCommit: (fn: AfterCommit) => void): Promise<DailyRun> {
    const today = communityDay(now, community);
    const rolled = await this.rollupPending(community, now);
    await this.deps.repo.pruneRollups(community.id, addDays(today, -this.config.retainDays));
    const rawPrunedBefore = await this.pruneRaw(community, today);
    await this.checkAlerts(community, addDays(today, -1), now, afterCommit);
    return { rolled, rawPrunedBefore };
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
    const first = missing[0];
    if (first === undefined) return [];
    const todo = new Set(missing);
    const rows = rollupDays(await this.history(community, addDays(first, -ROLLUP_LOOKBACK_DAYS), to), first, to, community);
    for (const row of rows) if (todo.has(row.day)) await this.deps.repo.saveRollup(community.id, row, now.getTime());
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
    const [row] = rollupDays(await this.history(community, addDays(day, -ROLLUP_LOOKBACK_DAYS), day), day, day, community);
    if (!row) return false;
    await this.deps.repo.saveRollup(community.id, row, now.getTime());
    return true;
  }

  async rollups(communityId: number, from: Day, to: Day): Promise<DailyRollup[]> {
    return this.deps.repo.rollups(communityId, from, to);
  }

  /**
   * Prunes raw activity and membership events older than the raw retention,
   * but never a record a day not rolled up yet still needs (its 30-day
   * window). Returns the day the raw records now start, or null.
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
    await this.deps.repo.pruneActivity(community.id, before);
    await this.deps.repo.pruneEvents(community.id, dayStart(before, community).getTime());
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

  /** `/stats retention`: weekly join cohorts, the newest first. */
  async cohorts(community: CommunityInfo, today: Day, weeks = RETENTION_WEEKS): Promise<CohortRow[]> {
    const from = addDays(today, -7 * weeks);
    return retention(await this.history(community, from, today), today, await this.rules(community), weeks);
  }

  private async rules(community: CommunityInfo): Promise<MetricRules> {
    return { timezone: community.timezone, dayStartHour: community.dayStartHour, seesAllMessages: (await this.seesAllMessages(community.id)) };
  }

  /** Every member's joins and leaves, and the activity, check-ins and participations of the days [from, to]. */
  private async history(community: CommunityInfo, from: Day, to: Day): Promise<CommunityHistory> {
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
