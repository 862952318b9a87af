/**
 * Points: every change is a ledger row with a UNIQUE idempotency key, and
 * the cached balance moves in the same transaction, so sum(ledger) ==
 * balance always. Call inside a write transaction (the router opens one).
 */
import { monthKey, weekKey, type Day } from '../../core/community-day.js';
import type { AfterCommit } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import { levelFor, rolesLost, type Level, type LevelSpec } from './levels.js';
import type { BoardRow, LedgerKind, PointsRepo } from './repo.js';

export interface AwardInput {
  communityId: number;
  memberId: number;
  delta: number;
  kind: LedgerKind;
  reason: string;
  ref?: string;
  /** Unique per effect, e.g. `checkin:<member>:<day>`; a second award with it changes nothing. */
  key: string;
  actorMemberId?: number;
  at: Date;
  day: Day;
  /** The unit of work's after-commit list (a level-up post is handed to the outbox queue there). */
  afterCommit: (fn: AfterCommit) => void;
  /**
   * The caller's reply goes to this member and tells a level-up itself (it
   * reads `levelUp` from the result: the check-in reply). Otherwise a level
   * this award crosses is posted to the community.
   */
  levelUpInReply?: boolean;
}

export interface AwardResult {
  applied: boolean;
  balance: number;
  earned: number;
  /** The level this award reached, when it crossed into a higher one. */
  levelUp?: Level;
}

/** Posts a member's level-up to their community, once per member and level (see levels.ts). */
export type LevelUpPost = (input: { communityId: number; memberId: number; level: Level; at: Date; afterCommit: (fn: AfterCommit) => void }) => Promise<void>;

/** Grants the roles of the levels a member just crossed (`points.levels[].role`), after the commit. */
export type LevelRoleGrant = (input: { communityId: number; memberId: number; roleIds: string[]; afterCommit: (fn: AfterCommit) => void }) => Promise<void>;

/** Takes away the roles of the levels a member dropped below (`points.levelRoles.removeWhenBelow`), after the commit. */
export type LevelRoleRemove = LevelRoleGrant;

export type Period = 'week' | 'month' | 'all';

/** What a PointsService needs, by name (built by the feature's assembly function in index.ts). */
export interface PointsServiceDeps {
  repo: PointsRepo;
  levels: readonly LevelSpec[];
  /** Posts a level crossing that happened outside a command reply. */
  postLevelUp: LevelUpPost;
  /** Level perks: roles granted on a crossing (absent: no level has a role). */
  grantLevelRoles?: LevelRoleGrant | undefined;
  /** Level perks: roles taken away when a member drops below their level (absent: roles stay). */
  removeLevelRoles?: LevelRoleRemove | undefined;
}

export class PointsService {
  constructor(private readonly deps: PointsServiceDeps) {}

  /**
   * The one place points change, so the one place a level crossing is seen:
   * whatever the source (check-in, chat, quiz, newcomer bonus, /grant), a
   * crossing is announced once, in the caller's reply or as a post.
   */
  async award(input: AwardInput): Promise<AwardResult> {
    const before = await this.deps.repo.pointsForChange(input.memberId);
    const levelBefore = levelFor(before.earned, this.deps.levels);
    if (input.delta < 0 && before.balance + input.delta < 0) {
      throw new UserError('points.insufficient', { balance: before.balance, needed: -input.delta });
    }
    const applied = await this.deps.repo.insertLedger({
          communityId: input.communityId,
          memberId: input.memberId,
          delta: input.delta,
          kind: input.kind,
          reason: input.reason,
          ref: input.ref ?? null,
          key: input.key,
          actorMemberId: input.actorMemberId ?? null,
          day: input.day,
          at: input.at.getTime(),
        });
    if (!applied) return { applied, ...before };
    const earnedDelta = input.kind === 'spend' ? 0 : input.delta;
    await this.deps.repo.addToBalance(input.memberId, input.communityId, input.delta, earnedDelta, input.at.getTime());
    if (earnedDelta !== 0) {
      await this.deps.repo.addToPeriod(input.communityId, weekKey(input.day), input.memberId, earnedDelta);
      await this.deps.repo.addToPeriod(input.communityId, monthKey(input.day), input.memberId, earnedDelta);
    }
    const balance = before.balance + input.delta;
    const earned = before.earned + earnedDelta;
    const levelAfter = levelFor(earned, this.deps.levels);
    if (levelAfter.index < levelBefore.index && this.deps.removeLevelRoles) {
      // Earnings only fall through an admin's negative adjustment (/deduct): spending never demotes.
      const lost = rolesLost(this.deps.levels, levelBefore.index, levelAfter.index);
      if (lost.length > 0) await this.deps.removeLevelRoles({ communityId: input.communityId, memberId: input.memberId, roleIds: lost, afterCommit: input.afterCommit });
    }
    if (levelAfter.index <= levelBefore.index) return { applied, balance, earned };
    // Every level crossed carries its perk, even when one award skips a level.
    const roleIds = this.deps.levels.slice(levelBefore.index + 1, levelAfter.index + 1).flatMap((l) => (l.role === undefined ? [] : [l.role]));
    if (roleIds.length > 0) await this.deps.grantLevelRoles?.({ communityId: input.communityId, memberId: input.memberId, roleIds, afterCommit: input.afterCommit });
    if (!input.levelUpInReply) await this.deps.postLevelUp({ communityId: input.communityId, memberId: input.memberId, level: levelAfter, at: input.at, afterCommit: input.afterCommit });
    return { applied, balance, earned, levelUp: levelAfter };
  }

  /** Balance, earnings and level without the rank (the rank is a count over everyone ahead). */
  async standing(memberId: number): Promise<{ balance: number; earned: number; level: Level }> {
    const p = await this.deps.repo.points(memberId);
    return { ...p, level: levelFor(p.earned, this.deps.levels) };
  }

  async profile(communityId: number, memberId: number): Promise<{ balance: number; earned: number; level: Level; rank: number }> {
    const p = await this.deps.repo.points(memberId);
    return { ...p, level: levelFor(p.earned, this.deps.levels), rank: (await this.deps.repo.rank(communityId, p.earned)) };
  }

  /** Top members and the caller's own standing; week/month in the community's calendar. */
  async board(communityId: number, period: Period, day: Day, memberId: number, size: number): Promise<{ rows: Array<{ rank: number; memberId: number; name: string; points: number; badge?: string }>; me: { rank: number; points: number } | undefined; periodKey: string }> {
    if (period === 'all') {
      const rows = (await this.deps.repo.top(communityId, size)).map((r, i) => this.boardRow(r, i));
      const mine = await this.deps.repo.points(memberId);
      return { rows, me: { rank: await this.deps.repo.rank(communityId, mine.earned), points: mine.earned }, periodKey: 'all' };
    }
    const key = period === 'week' ? weekKey(day) : monthKey(day);
    const rows = (await this.deps.repo.periodTop(communityId, key, size)).map((r, i) => this.boardRow(r, i));
    const earned = await this.deps.repo.periodEarned(communityId, key, memberId);
    return { rows, me: earned === undefined ? undefined : { rank: await this.deps.repo.periodRank(communityId, key, earned), points: earned }, periodKey: key };
  }

  private boardRow(r: BoardRow, i: number): { rank: number; memberId: number; name: string; points: number; badge?: string } {
    const { badge } = levelFor(r.earned, this.deps.levels);
    return { rank: i + 1, memberId: r.member_id, name: r.display_name, points: r.points, ...(badge !== undefined ? { badge } : {}) };
  }

  level(earned: number): Level {
    return levelFor(earned, this.deps.levels);
  }
}
