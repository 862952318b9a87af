/**
 * The weekly report (周报), sent privately to a community's admins at a
 * configured weekday and time in the community's timezone: the week's
 * headline numbers against the week before (the /stats ones), the best day,
 * the most active members, each lottery, quiz and poll with its participation
 * (new against returning members), the members who went silent, the week's
 * alerts, and a chart of the week as a PNG (the dashboard's chart definition,
 * rendered on the server). `/stats report` sends the week so far to the
 * caller through the same code.
 *
 * Run key: a row per community and week (analytics_weekly_reports), written in
 * the unit that posts the report, so a restart or a duplicate tick never posts
 * a week twice.
 */
import type { EChartsOption } from 'echarts';
import { addDays, communityDay, dayStart, type Day } from '../../core/community-day.js';
import type { AfterCommit, CommandContext, CommunityInfo } from '../../core/context.js';
import type { MessageKey, Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import { firesBetween } from '../../core/time/cron.js';
import { activeChart } from './charts.js';
import { headlineReply } from './commands.js';
import type { ChartRenderer } from './report-render.js';
import type { ActivityRow, NamedCount, ReportRepo } from './report-repo.js';
import { BENCHMARKS, type DailyRollup } from './rules.js';
import type { AnalyticsService, Headline } from './service.js';

export const WEEKLY_JOB = 'analytics-weekly';
const WEEKLY_SCHEDULER = 'analytics-weekly';
export const REPORT_SOURCE = 'analytics-weekly';
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
/** A report whose moment passed while no worker ran is still sent within this long; after that the week is skipped. */
const LATE_MS = 24 * 3600 * 1000;
const TOP_MEMBERS = 5;
const SILENT_NAMES = 5;
const ACTIVITY_LINES = 6;

export interface WeeklyReportConfig {
  enabled: boolean;
  weekday: (typeof WEEKDAYS)[number];
  /** HH:MM in the community's timezone. */
  time: string;
  /** Discord guild id → admin channel id. */
  discordChannel: Record<string, string>;
  /** WeCom chat id → admin group chat id (its bound webhook). */
  wecomAdminGroup: Record<string, string>;
}

export interface WeeklyReportDeps {
  analytics: AnalyticsService;
  repo: ReportRepo;
  config: WeeklyReportConfig;
  outbox: Outbox;
  communityById: (id: number) => Promise<CommunityInfo | undefined>;
  translate: (communityId: number) => Promise<Translate>;
  canDirect: (communityId: number) => Promise<boolean>;
  renderChart: ChartRenderer;
}

export type AlertKind = 'lowActive' | 'weekDrop' | 'joinSpike' | 'leaveSpike';
const ALERT_KINDS: Record<string, AlertKind> = { 'low-active': 'lowActive', 'week-drop': 'weekDrop', 'join-spike': 'joinSpike', 'leave-spike': 'leaveSpike' };

/** What one week's report says, before it is written out. */
export interface WeeklyReport {
  community: CommunityInfo;
  from: Day;
  to: Day;
  headline: Headline;
  /** The week's days (rollups, or from the raw records for a day not rolled up yet), oldest first. */
  days: DailyRollup[];
  best: DailyRollup | null;
  top: NamedCount[];
  activities: ActivityRow[];
  silent: { count: number; names: string[] };
  /** Alerts raised in the week, by kind: each alert counted once per day, however many admins it went to. */
  alerts: Record<AlertKind, number>;
}

/** The alert kinds and days of the analytics alerts' outbox keys (`analytics-<kind>-<community>-<day>[-<admin>]`; recoveries left out). */
export function countAlerts(keys: readonly string[]): Record<AlertKind, number> {
  const seen = new Set<string>();
  const counts: Record<AlertKind, number> = { lowActive: 0, weekDrop: 0, joinSpike: 0, leaveSpike: 0 };
  for (const key of keys) {
    const m = /^analytics-(low-active|week-drop|join-spike|leave-spike)-(\d+)-(\d{4}-\d{2}-\d{2})/.exec(key);
    const kind = m?.[1] ? ALERT_KINDS[m[1]] : undefined;
    if (!m || !kind || seen.has(`${kind}|${m[3]}`)) continue;
    seen.add(`${kind}|${m[3]}`);
    counts[kind]++;
  }
  return counts;
}

/** The week's chart: the dashboard's active chart over the report's days, with the dashboard's labels. */
export function reportChart(t: Translate, days: readonly DailyRollup[]): EChartsOption {
  const pct = `${Math.round(BENCHMARKS.dailyActiveRate * 100)}%`;
  return activeChart(days, {
    title: t('dashboard.page.activeChart'),
    dau: t('dashboard.page.dau'),
    wau: t('dashboard.page.wau'),
    mau: t('dashboard.page.mau'),
    activeRate: t('dashboard.page.activeRate'),
    benchmark: t('dashboard.page.healthy', { rate: pct }),
  });
}

const pct = (part: number, of: number): string => `${of === 0 ? 0 : Math.round((part / of) * 100)}%`;

/** The report as one chat message (title, about 15 short lines), without its image. */
export function reportText(t: Translate, r: WeeklyReport): Reply {
  const members = r.headline.current.members;
  const sep = t('report.separator');
  const lines: string[] = [t('report.headline'), ...headlineReply({ t }, r.headline).text.split('\n')];
  lines.push(r.best ? t('report.best', { day: r.best.day, active: r.best.active, rate: pct(r.best.active, r.best.members) }) : t('report.bestNone'));
  lines.push(r.top.length ? t('report.top', { list: r.top.map((m) => t('report.topItem', { name: m.name, count: m.n })).join(sep) }) : t('report.topNone'));
  if (r.activities.length === 0) lines.push(t('report.activitiesNone'));
  else {
    lines.push(t('report.activities', { members }));
    for (const a of r.activities.slice(0, ACTIVITY_LINES)) {
      const key: MessageKey = `report.activity.${a.kind}`;
      lines.push(`- ${t(key, { name: a.name, count: a.participants, rate: pct(a.participants, members), newcomers: a.newcomers, returning: a.participants - a.newcomers })}`);
    }
    if (r.activities.length > ACTIVITY_LINES) lines.push(t('report.activitiesMore', { count: r.activities.length - ACTIVITY_LINES }));
  }
  if (r.silent.count === 0) lines.push(t('report.silentNone'));
  else {
    const names = r.silent.names.join(sep);
    lines.push(t('report.silent', { count: r.silent.count, names: r.silent.count > r.silent.names.length ? t('report.silentMore', { names }) : names }));
  }
  const alertTotal = Object.values(r.alerts).reduce((a, b) => a + b, 0);
  if (alertTotal === 0) lines.push(t('report.alertsNone'));
  else {
    const list = (Object.keys(r.alerts) as AlertKind[]).filter((k) => r.alerts[k] > 0).map((k) => t(`report.alert.${k}`, { count: r.alerts[k] }));
    lines.push(t('report.alerts', { count: alertTotal, list: list.join(sep) }));
  }
  return { title: t('report.title', { community: r.community.name || r.community.externalId, from: r.from, to: r.to }), text: lines.join('\n') };
}

export class WeeklyReports {
  constructor(private readonly deps: WeeklyReportDeps) {}

  get config(): WeeklyReportConfig {
    return this.deps.config;
  }

  /** The cron of the report's moment, in the community's timezone. */
  cron(): string {
    const [hh, mm] = this.config.time.split(':').map(Number);
    return `${mm ?? 0} ${hh ?? 0} * * ${WEEKDAYS.indexOf(this.config.weekday)}`;
  }

  /**
   * The report's moment that came last in (now − 1 day, now] in the
   * community's timezone, and the week it reports: the 7 community days
   * before the moment's day. Undefined when no moment is that recent.
   */
  dueWeek(community: CommunityInfo, now: Date): { moment: Date; from: Day; to: Day } | undefined {
    const moment = firesBetween(this.cron(), community.timezone, new Date(now.getTime() - LATE_MS + 1), new Date(now.getTime() + 1)).pop();
    if (!moment) return undefined;
    const to = addDays(communityDay(moment, community), -1);
    return { moment, from: addDays(to, -6), to };
  }

  /** The report of the 7 days ending `to` (today for the week so far). Reads only. */
  async build(community: CommunityInfo, to: Day): Promise<WeeklyReport> {
    const { analytics, repo } = this.deps;
    const from = addDays(to, -6);
    const start = dayStart(from, community).getTime();
    const end = dayStart(addDays(to, 1), community).getTime();
    const headline = await analytics.headline(community, 'week', to);
    const days = (await analytics.dailyRows(community, addDays(to, 1), 7)).filter((d) => d.day >= from);
    const best = days.reduce<DailyRollup | null>((a, d) => (d.active > 0 && (a === null || d.active > a.active) ? d : a), null);
    const silent = await repo.silent(community.id, addDays(from, -7), addDays(from, -1), from, to);
    return {
      community,
      from,
      to,
      headline,
      days,
      best,
      top: await repo.topMembers(community.id, from, to, TOP_MEMBERS),
      activities: await repo.activities(community.id, start, end),
      silent: { count: silent.length, names: silent.slice(0, SILENT_NAMES).map((s) => s.name) },
      alerts: countAlerts(await repo.alertKeys(community.id, start, end)),
    };
  }

  /** The report as a reply with its chart image. */
  async reply(report: WeeklyReport, t?: Translate): Promise<Reply> {
    const tr = t ?? (await this.deps.translate(report.community.id));
    const png = this.deps.renderChart(reportChart(tr, report.days));
    return {
      ...reportText(tr, report),
      image: { pngBase64: png.toString('base64'), name: `weekly-${report.community.id}-${report.from}.png`, alt: tr('report.imageAlt', { from: report.from, to: report.to }) },
    };
  }

  /**
   * Hands the report to the outbox for the community's admins: the Discord
   * admin channel when one is configured, else a direct message to each
   * configured admin (analytics.alerts.recipients) where the platform sends
   * them (Discord DMs, WeCom app messages, the playground's feed), else the
   * WeCom admin group's webhook. Never the community itself: a refused DM
   * gets a short note without the numbers. False when there is nowhere to send it.
   */
  async deliver(community: CommunityInfo, reply: Reply, key: string, at: Date, afterCommit: (fn: AfterCommit) => void): Promise<boolean> {
    const { outbox } = this.deps;
    const post = { source: REPORT_SOURCE, at, afterCommit };
    const channel = community.platform === 'discord' ? this.config.discordChannel[community.externalId] : undefined;
    if (channel) {
      await outbox.post(community.id, { ...reply, channel }, { ...post, key });
      return true;
    }
    const recipients = this.deps.analytics.config.alerts.recipients[`${community.platform}:${community.externalId}`] ?? [];
    if (recipients.length > 0 && (await this.deps.canDirect(community.id))) {
      const t = await this.deps.translate(community.id);
      for (const id of recipients) {
        const fallback: Reply = { text: t('report.dmRefused', { admins: `<@${id}>` }), mentions: { [id]: id } };
        await outbox.post(community.id, reply, { ...post, key: `${key}-${id}`, direct: { recipient: id, fallback } });
      }
      return true;
    }
    const group = community.platform === 'wecom' ? this.config.wecomAdminGroup[community.externalId] : undefined;
    if (group) {
      await outbox.post(community.id, { ...reply, channel: group }, { ...post, key });
      return true;
    }
    return false;
  }

  /**
   * The weekly job: each community whose report moment has come (within a
   * day) and whose week has no report yet gets it. Runs in one unit: the run
   * key row and the outbox rows commit together.
   */
  async runWeekly(job: JobContext): Promise<void> {
    if (!this.config.enabled) return;
    for (const { id, created_at } of await this.deps.repo.communities()) {
      const community = await this.deps.communityById(id);
      if (community) await this.weeklyFor(community, created_at, job.firedAt, job.afterCommit);
    }
  }

  /** One community's weekly run; the week reported, or undefined when nothing was due or it was done before. */
  async weeklyFor(community: CommunityInfo, createdAt: number, now: Date, afterCommit: (fn: AfterCommit) => void): Promise<Day | undefined> {
    const due = this.dueWeek(community, now);
    // A community first seen after the moment gets its first report the week after.
    if (!due || createdAt > due.moment.getTime()) return undefined;
    if (!(await this.deps.repo.claimWeek(community.id, due.from, now.getTime()))) return undefined;
    const reply = await this.reply(await this.build(community, due.to));
    await this.deliver(community, reply, `${REPORT_SOURCE}-${community.id}-${due.from}`, now, afterCommit);
    return due.from;
  }

  /**
   * `/stats report`: the week so far (the 7 days ending today), privately to
   * the caller by direct message; where the platform sends none (a WeCom
   * group without the app), a note instead, never the numbers in the group.
   */
  async preview(ctx: CommandContext): Promise<Reply> {
    if (!(await this.deps.canDirect(ctx.community.id))) return { text: ctx.t('report.noDirect'), ephemeral: true };
    const reply = await this.reply(await this.build(ctx.community, ctx.day), ctx.t);
    const id = ctx.member.platformUserId;
    await this.deps.outbox.post(ctx.community.id, reply, {
      key: `${REPORT_SOURCE}-preview-${ctx.community.id}-${ctx.event.deliveryId}`,
      source: REPORT_SOURCE,
      at: ctx.now,
      afterCommit: ctx.afterCommit,
      direct: { recipient: id, fallback: { text: ctx.t('report.dmRefused', { admins: `<@${id}>` }), mentions: { [id]: ctx.member.displayName } } },
    });
    return { text: ctx.t('report.sentPrivately'), ephemeral: true };
  }

  /** One scheduler, hourly at the configured minute: each community's own moment is checked in its timezone. */
  desired(): DesiredTimers {
    if (!this.config.enabled) return { timers: [], schedulers: [], schedulerPrefixes: [WEEKLY_SCHEDULER] };
    const minute = Number(this.config.time.split(':')[1] ?? 0);
    return { timers: [], schedulers: [{ id: WEEKLY_SCHEDULER, pattern: `${minute} * * * *`, timezone: 'UTC', job: { kind: WEEKLY_JOB, id: 0 } }], schedulerPrefixes: [WEEKLY_SCHEDULER] };
  }
}
