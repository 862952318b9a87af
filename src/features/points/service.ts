/**
 * Points: every change is a ledger row with a UNIQUE idempotency key, and
 * the cached balance moves in the same transaction, so sum(ledger) ==
 * balance always. Call inside a write transaction (the router opens one).
 */
import { monthKey, weekKey, type Day } from '../../core/community-day.js';
import { UserError } from '../../core/errors.js';
import { levelFor, type Level, type LevelSpec } from './levels.js';
import type { LedgerKind, PointsRepo } from './repo.js';

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
}

export interface AwardResult {
  applied: boolean;
  balance: number;
  earned: number;
  levelBefore: Level;
  levelAfter: Level;
}

export type Period = 'week' | 'month' | 'all';

export class PointsService {
  constructor(
    private readonly repo: PointsRepo,
    private readonly levels: readonly LevelSpec[],
  ) {}

  award(input: AwardInput): AwardResult {
    const before = this.repo.points(input.memberId);
    const levelBefore = levelFor(before.earned, this.levels);
    if (input.delta < 0 && before.balance + input.delta < 0) {
      throw new UserError('points.insufficient', { balance: before.balance, needed: -input.delta });
    }
    const applied = this.repo.insertLedger({
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
    if (!applied) return { applied, ...before, levelBefore, levelAfter: levelBefore };
    const earnedDelta = input.kind === 'spend' ? 0 : input.delta;
    this.repo.addToBalance(input.memberId, input.communityId, input.delta, earnedDelta, input.at.getTime());
    if (earnedDelta !== 0) {
      this.repo.addToPeriod(input.communityId, weekKey(input.day), input.memberId, earnedDelta);
      this.repo.addToPeriod(input.communityId, monthKey(input.day), input.memberId, earnedDelta);
    }
    const balance = before.balance + input.delta;
    const earned = before.earned + earnedDelta;
    return { applied, balance, earned, levelBefore, levelAfter: levelFor(earned, this.levels) };
  }

  /** Balance, earnings and level without the rank (the rank is a count over everyone ahead). */
  standing(memberId: number): { balance: number; earned: number; level: Level } {
    const p = this.repo.points(memberId);
    return { ...p, level: levelFor(p.earned, this.levels) };
  }

  profile(communityId: number, memberId: number): { balance: number; earned: number; level: Level; rank: number } {
    const p = this.repo.points(memberId);
    return { ...p, level: levelFor(p.earned, this.levels), rank: this.repo.rank(communityId, p.earned) };
  }

  /** Top members and the caller's own standing; week/month in the community's calendar. */
  board(communityId: number, period: Period, day: Day, memberId: number, size: number): { rows: Array<{ rank: number; memberId: number; name: string; points: number }>; me: { rank: number; points: number } | undefined; periodKey: string } {
    if (period === 'all') {
      const rows = this.repo.top(communityId, size).map((r, i) => ({ rank: i + 1, memberId: r.member_id, name: r.display_name, points: r.points }));
      const mine = this.repo.points(memberId);
      return { rows, me: { rank: this.repo.rank(communityId, mine.earned), points: mine.earned }, periodKey: 'all' };
    }
    const key = period === 'week' ? weekKey(day) : monthKey(day);
    const rows = this.repo.periodTop(communityId, key, size).map((r, i) => ({ rank: i + 1, memberId: r.member_id, name: r.display_name, points: r.points }));
    const earned = this.repo.periodEarned(communityId, key, memberId);
    return { rows, me: earned === undefined ? undefined : { rank: this.repo.periodRank(communityId, key, earned), points: earned }, periodKey: key };
  }

  level(earned: number): Level {
    return levelFor(earned, this.levels);
  }
}
