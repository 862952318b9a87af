/**
 * The dashboard (数据看板): issues an admin's login link (privately), checks
 * links and sessions (token.ts), and assembles one community's numbers for
 * the page, its JSON API and the CSV export. It reads only; the HTTP routes
 * (src/http/dashboard.ts) decide who may read what with `access`.
 */
import { privateReplies } from '../../core/capabilities.js';
import { addDays, communityDay, type Day } from '../../core/community-day.js';
import type { CommandContext, CommunityInfo } from '../../core/context.js';
import type { Locale, MessageKey, Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { CalendarRules, Firing } from '../schedule/calendar.js';
import { calendarWindow, dashboardCalendar, type DashboardCalendar } from './calendar.js';
import { mention, type Reply } from '../../core/reply.js';
import { formatLocal } from '../../core/time/when.js';
import { activeChart, growthChart, percent, retentionChart, segmentsChart, type SegmentDay } from '../analytics/charts.js';
import type { AnalyticsService } from '../analytics/service.js';
import { BENCHMARKS, type CohortRow, type DailyRollup } from '../analytics/rules.js';
import { SEGMENTS } from '../lifecycle/rules.js';
import { toCsv } from './csv.js';
import type { DashboardRepo } from './repo.js';
import { covers, signToken, verifyToken, type DashboardScope } from './token.js';

export interface DashboardConfig {
  enabled: boolean;
  /** How long a login link from `/dashboard` stays valid. */
  linkMinutes: number;
  /** How long the session cookie it sets lasts. */
  sessionHours: number;
  /** Days of daily numbers the page and the CSV show by default (at most the rollups kept). */
  days: number;
}

export interface DashboardServiceDeps {
  repo: DashboardRepo;
  /** Analytics is assembled after /stats is given this feature's subcommand, so it is read when used. */
  analytics: () => AnalyticsService;
  outbox: Outbox;
  config: DashboardConfig;
  /** The HMAC key of links and sessions (token.ts). */
  key: Uint8Array;
  /** Where the bot's HTTP server is reached from a browser (`http.publicUrl`, else the address it listens on). */
  baseUrl: () => string;
  communityById: (id: number) => Promise<CommunityInfo | undefined>;
  translate: (locale: Locale) => Translate;
  seesAllMessages: (communityId: number) => Promise<boolean>;
  /** The job queue's state as this process sees it (Redis). */
  queueHealth: () => 'up' | 'down' | 'disabled';
  /** The content calendar's posts in [from, to), made and planned, and its rules (features/schedule). */
  calendar: (communityId: number, from: Date, to: Date, now: Date) => Promise<{ firings: Firing[]; rules: CalendarRules }>;
}

/** The most days one request may ask for (the rollups are kept about this long). */
export const MAX_DAYS = 400;
const DAY_MS = 86_400_000;

/** The page's labels, in the community's language. */
const PAGE_KEYS = [
  'title', 'communities', 'members', 'dau', 'wau', 'mau', 'activeRate', 'noDays', 'activeMeansInteracted', 'noSegments', 'topMembers', 'member', 'activeDays',
  'interactions', 'points', 'activities', 'activity', 'kind.lottery', 'kind.quiz', 'kind.poll', 'status', 'status.upcoming', 'status.ended', 'status.cancelled',
  'when', 'participants', 'participation', 'posts', 'post', 'schedule', 'runs', 'postStatus.active', 'postStatus.paused', 'delivery', 'pending', 'failed30',
  'oldestPending', 'queue', 'queue.up', 'queue.down', 'queue.disabled', 'failures', 'source', 'error', 'none', 'download',
  'calendar', 'day', 'kind.post', 'kind.announcement', 'promo', 'over',
] as const;
type PageKey = (typeof PAGE_KEYS)[number];

export interface ActivityView {
  kind: 'lottery' | 'quiz' | 'poll';
  id: number;
  title: string;
  status: 'upcoming' | 'ended' | 'cancelled';
  /** Created, and when it ends or ended (community time, or null). */
  startedAt: string;
  endsAt: string | null;
  participants: number;
  /** Of the members now, in percent (one decimal). */
  participation: number | null;
}

export interface DashboardData {
  community: { id: number; name: string; externalId: string; platform: string; locale: Locale; timezone: string };
  labels: Record<PageKey, string> & { asOf: string; healthy: string; participationGood: string; days: string; calendarSummary: string };
  seesAllMessages: boolean;
  members: number;
  /** The last whole day's numbers (null before the first one). */
  latest: (DailyRollup & { activeRate: number | null }) | null;
  daily: DailyRollup[];
  cohorts: CohortRow[];
  segments: SegmentDay[];
  topMembers: Array<{ name: string; days: number; interactions: number; earned: number }>;
  activities: ActivityView[];
  posts: Array<{ id: number; text: string; schedule: string; status: 'active' | 'paused'; runs: number; lastRunAt: string | null }>;
  delivery: { pending: number; failed: number; oldestPending: string | null; queue: 'up' | 'down' | 'disabled'; failures: Array<{ id: number; source: string; error: string; at: string; attempts: number }> };
  /** This week's and next week's posts, made and planned, against the daily cap and the promo share. */
  calendar: DashboardCalendar;
  /** ECharts options (features/analytics/charts.ts), ready for `setOption`. */
  charts: { active: unknown; growth: unknown; retention: unknown; segments: unknown };
}

const CSV_HEADER = [
  'community', 'day', 'members', 'joins', 'leaves', 'net', 'active', 'active7', 'active30', 'daily_active_rate_pct', 'speakers', 'speakers7', 'speakers30',
  'checkins', 'checkins7', 'checkins30', 'participants', 'participants7', 'participants30', 'messages', 'commands',
] as const;

export class DashboardService {
  constructor(private readonly deps: DashboardServiceDeps) {}

  get config(): DashboardConfig {
    return this.deps.config;
  }

  // ── access ───────────────────────────────────────────────────────────

  /** A login link for one community, valid `linkMinutes` from `now`. */
  loginUrl(communityId: number, now: Date): string {
    const token = signToken(this.deps.key, 'link', { all: false, communityId }, now.getTime() + this.config.linkMinutes * 60_000);
    return `${this.deps.baseUrl().replace(/\/+$/, '')}/dashboard/login?t=${token}`;
  }

  /** The link's community, while it is valid. */
  verifyLink(token: string, now: Date): DashboardScope | undefined {
    return verifyToken(this.deps.key, 'link', token, now.getTime());
  }

  /** A session cookie's value for the scope, and how long it lasts (seconds). */
  session(scope: DashboardScope, now: Date): { value: string; maxAge: number } {
    const maxAge = this.config.sessionHours * 3600;
    return { value: signToken(this.deps.key, 'session', scope, now.getTime() + maxAge * 1000), maxAge };
  }

  verifySession(token: string, now: Date): DashboardScope | undefined {
    return verifyToken(this.deps.key, 'session', token, now.getTime());
  }

  /**
   * `/dashboard` (看板; admins): the link, privately: in the reply where only
   * the admin sees it (a Discord slash command, the playground), else by
   * direct message (a WeCom group, a Discord text command), with a notice in
   * the group that names no link when no direct message can be sent. (The
   * direct message is an outbox row, so the link sits in `deliveries` for the
   * minutes it is valid.)
   */
  async link(ctx: CommandContext): Promise<Reply> {
    const text = ctx.t('dashboard.link', { minutes: this.config.linkMinutes, url: this.loginUrl(ctx.community.id, ctx.now) });
    const title = ctx.t('dashboard.linkTitle');
    if (privateReplies(ctx.community.platform, ctx.event.type)) return { title, text, ephemeral: true };
    const fallback: Reply = { text: ctx.t('dashboard.dmFailed', { mention: mention(ctx.member.platformUserId) }), mentions: { [ctx.member.platformUserId]: ctx.member.displayName } };
    await this.deps.outbox.post(ctx.community.id, { title, text }, {
      key: `dashboard-link-${ctx.community.id}:${ctx.event.deliveryId}`,
      source: 'dashboard',
      at: ctx.now,
      afterCommit: ctx.afterCommit,
      direct: { recipient: ctx.member.platformUserId, fallback },
    });
    return { text: ctx.t('dashboard.sentPrivately'), ephemeral: true };
  }

  /** The communities a scope covers, oldest first. */
  async communities(scope: DashboardScope): Promise<Array<{ id: number; name: string; platform: string }>> {
    return (await this.deps.repo.communities()).filter((c) => covers(scope, c.id)).map((c) => ({ id: Number(c.id), name: c.name, platform: c.platform }));
  }

  /** The labels of the page that lists communities: in the language of the first one. */
  async listLabels(scope: DashboardScope): Promise<{ title: string; communities: string; none: string }> {
    const [first] = await this.communities(scope);
    const t = this.deps.translate((first && (await this.deps.communityById(first.id))?.locale) ?? 'en');
    return { title: t('dashboard.page.title'), communities: t('dashboard.page.communities'), none: t('dashboard.page.none') };
  }

  // ── data ─────────────────────────────────────────────────────────────

  async data(communityId: number, now: Date, days = this.config.days): Promise<DashboardData | undefined> {
    const community = await this.deps.communityById(communityId);
    if (!community) return undefined;
    const t = this.deps.translate(community.locale);
    const today = communityDay(now, community);
    const when = (ms: number | null): string | null => (ms === null ? null : formatLocal(new Date(Number(ms)), community.timezone).replace(/ \(.*\)$/, ''));
    const pct = (rate: number): string => `${Math.round(rate * 100)}%`;
    const { repo } = this.deps;
    const analytics = this.deps.analytics();

    const daily = await analytics.dailyRows(community, today, Math.min(Math.max(1, days), MAX_DAYS));
    const cohorts = await analytics.cohorts(community, today);
    const segments = this.segmentDays(await repo.segments(community.id, addDays(today, -Math.min(Math.max(1, days), MAX_DAYS)), today));
    const members = await repo.memberCount(community.id);
    const last = daily[daily.length - 1];
    const calendarSpan = calendarWindow(now, community.timezone);
    const plan = await this.deps.calendar(community.id, calendarSpan.start, calendarSpan.end, now);
    const calendar = dashboardCalendar(plan.firings, calendarSpan, now, community.timezone, plan.rules, community.locale);
    const labels = {
      ...(Object.fromEntries(PAGE_KEYS.map((k) => [k, t(`dashboard.page.${k}` as MessageKey)])) as Record<PageKey, string>),
      asOf: last ? t('dashboard.page.asOf', { day: last.day }) : '',
      healthy: t('dashboard.page.healthy', { rate: pct(BENCHMARKS.dailyActiveRate) }),
      participationGood: t('dashboard.page.participationGood', { rate: pct(BENCHMARKS.participationRate) }),
      days: t('dashboard.page.days', { days: daily.length }),
      calendarSummary: [
        calendar.dailyCap === null ? t('dashboard.page.calendarNoCap') : t('dashboard.page.calendarCap', { cap: calendar.dailyCap }),
        calendar.promoCapPercent === null
          ? t('dashboard.page.calendarShareNoCap', { share: calendar.promoPercent, promo: calendar.promo, total: calendar.total })
          : t('dashboard.page.calendarShare', { share: calendar.promoPercent, promo: calendar.promo, total: calendar.total, cap: calendar.promoCapPercent }),
      ].join(' · '),
    };
    const share = (n: number): number | null => percent(n, members);
    const activities: ActivityView[] = [
      ...(await repo.lotteries(community.id)).map((l): ActivityView => ({
        kind: 'lottery', id: Number(l.id), title: l.prize, status: l.status === 'cancelled' ? 'cancelled' : l.status === 'announced' ? 'ended' : 'upcoming',
        startedAt: when(l.created_at) ?? '', endsAt: when(l.ends_at), participants: Number(l.entrant_count), participation: share(Number(l.entrant_count)),
      })),
      ...(await repo.quizzes(community.id)).map((q): ActivityView => ({
        kind: 'quiz', id: Number(q.id), title: q.bank_name, status: q.status === 'running' ? 'upcoming' : 'ended',
        startedAt: when(q.created_at) ?? '', endsAt: when(q.ended_at), participants: Number(q.participants), participation: share(Number(q.participants)),
      })),
      ...(await repo.polls(community.id)).map((p): ActivityView => {
        const frozen = p.results_json ? (JSON.parse(p.results_json) as { voters?: number }).voters : undefined;
        const voters = p.status === 'closed' && typeof frozen === 'number' ? frozen : Number(p.voters);
        return {
          kind: 'poll', id: Number(p.id), title: p.question, status: p.status === 'open' ? 'upcoming' : 'ended',
          startedAt: when(p.created_at) ?? '', endsAt: when(p.closed_at ?? p.ends_at), participants: voters, participation: share(voters),
        };
      }),
    ].sort((a, b) => (a.status === 'upcoming') !== (b.status === 'upcoming') ? (a.status === 'upcoming' ? -1 : 1) : b.startedAt.localeCompare(a.startedAt));
    const outbox = await repo.outbox(community.id, now.getTime() - 30 * DAY_MS);
    const seesAll = await this.deps.seesAllMessages(community.id);

    return {
      community: { id: community.id, name: community.name, externalId: community.externalId, platform: community.platform, locale: community.locale, timezone: community.timezone },
      labels,
      seesAllMessages: seesAll,
      members,
      latest: last ? { ...last, activeRate: percent(last.active, last.members) } : null,
      daily,
      cohorts,
      segments,
      topMembers: await this.topMembers(community, today),
      activities,
      posts: (await repo.posts(community.id)).map((p) => ({
        id: Number(p.id), text: p.text, schedule: p.kind === 'cron' ? `cron ${p.cron ?? ''}` : (when(p.due_at) ?? ''), status: p.status, runs: Number(p.runs), lastRunAt: when(p.last_run_at),
      })),
      calendar,
      delivery: {
        pending: outbox.pending,
        failed: outbox.failed,
        oldestPending: when(outbox.oldestPending),
        queue: this.deps.queueHealth(),
        failures: (await repo.failures(community.id)).map((f) => ({ id: Number(f.id), source: f.source, error: f.last_error ?? '', at: when(f.created_at) ?? '', attempts: Number(f.attempts) })),
      },
      charts: {
        active: activeChart(daily, { title: t('dashboard.page.activeChart'), dau: labels.dau, wau: labels.wau, mau: labels.mau, activeRate: labels.activeRate, benchmark: labels.healthy }),
        growth: growthChart(daily, { title: t('dashboard.page.growthChart'), joins: t('dashboard.page.joins'), leaves: t('dashboard.page.leaves'), net: t('dashboard.page.net') }),
        retention: retentionChart(cohorts, {
          title: t('dashboard.page.retentionChart'), d1: t('dashboard.page.d1'), d7: t('dashboard.page.d7'), d30: t('dashboard.page.d30'),
          cohort: t('dashboard.page.cohort', { week: '{week}', size: '{size}' }), benchmark: t('dashboard.page.retentionGood', { rate: pct(BENCHMARKS.retention) }),
        }),
        segments: segmentsChart(segments, SEGMENTS, { title: t('dashboard.page.segmentsChart'), segments: Object.fromEntries(SEGMENTS.map((s) => [s, t(`dashboard.page.segment.${s}`)])) }),
      },
    };
  }

  /** The daily numbers as CSV, oldest day first; undefined for an unknown community. */
  async dailyCsv(communityId: number, now: Date, days = this.config.days): Promise<string | undefined> {
    const community = await this.deps.communityById(communityId);
    if (!community) return undefined;
    const rows = await this.deps.analytics().dailyRows(community, communityDay(now, community), Math.min(Math.max(1, days), MAX_DAYS));
    return toCsv(CSV_HEADER, rows.map((r) => [
      community.name, r.day, r.members, r.joins, r.leaves, r.joins - r.leaves, r.active, r.active7, r.active30, percent(r.active, r.members), r.speakers, r.speakers7, r.speakers30,
      r.checkins, r.checkins7, r.checkins30, r.participants, r.participants7, r.participants30, r.messages, r.commands,
    ]));
  }

  /** The 10 most active members of the 30 days ending yesterday (analytics keeps them with the day's rollup), with their names and points. */
  private async topMembers(community: CommunityInfo, today: Day): Promise<Array<{ name: string; days: number; interactions: number; earned: number }>> {
    const out = [];
    for (const m of await this.deps.analytics().topMembers(community, today, 10)) {
      const card = await this.deps.repo.memberCard(community.id, m.memberId);
      if (card) out.push({ name: card.name, days: m.days, interactions: m.interactions, earned: card.earned });
    }
    return out;
  }

  private segmentDays(rows: ReadonlyArray<{ day: string; segment: string; count: number }>): SegmentDay[] {
    const byDay = new Map<Day, Record<string, number>>();
    for (const r of rows) {
      const counts = byDay.get(r.day) ?? {};
      counts[r.segment] = Number(r.count);
      byDay.set(r.day, counts);
    }
    return [...byDay].map(([day, counts]) => ({ day, counts }));
  }
}
