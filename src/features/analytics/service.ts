/**
 * Community metrics: loads a community's history from the other features'
 * tables and the membership log, and lets rules.ts say what the numbers are.
 * It records joins and leaves (listeners, inside the event's transaction) and
 * otherwise only reads.
 */
import type { PlatformCapabilities } from '../../core/capabilities.js';
import { addDays, dayStart, type Day } from '../../core/community-day.js';
import type { CommandContext, CommunityInfo } from '../../core/context.js';
import type { AnalyticsRepo } from './repo.js';
import { measure, periodOf, previousPeriod, retention, type CohortRow, type CommunityHistory, type MemberHistory, type MembershipEvent, type MetricRules, type PeriodKind, type PeriodMetrics } from './rules.js';

export interface AnalyticsServiceDeps {
  repo: AnalyticsRepo;
  /** What the community's platform lets the bot see (core/capabilities.ts). */
  capabilities: (communityId: number) => Promise<PlatformCapabilities>;
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

  /** memberJoined / memberLeft listener. */
  async onMembership(ctx: CommandContext, kind: MembershipEvent['kind']): Promise<void> {
    await this.deps.repo.recordMembership(ctx.community.id, ctx.member.id, kind, ctx.now.getTime());
  }

  async seesAllMessages(communityId: number): Promise<boolean> {
    return (await this.deps.capabilities(communityId)).seesAllMessages;
  }

  /** `/stats today|week|month`: the period ending today and the one before it. */
  async headline(community: CommunityInfo, kind: PeriodKind, today: Day): Promise<Headline> {
    const rules = await this.rules(community);
    const period = periodOf(kind, today);
    const before = previousPeriod(period);
    // The earlier period's monthly actives reach 29 days before it.
    const history = await this.history(community, addDays(before.to, -29), today);
    return { kind, current: measure(history, period, rules), previous: measure(history, before, rules), seesAllMessages: rules.seesAllMessages };
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
