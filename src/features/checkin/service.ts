/**
 * Daily check-in (签到): one per member per community day, enforced by
 * UNIQUE(member, day) and the ledger key `checkin:<member>:<day>`, never by
 * memory. Runs inside the command's write transaction.
 */
import type { CommandContext } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Level } from '../points/levels.js';
import type { PointsService } from '../points/service.js';
import type { CheckinRepo } from './repo.js';
import { checkinPoints, decideStreak, milestoneReached, type CheckinRules } from './rules.js';

export interface CheckinOutcome {
  streak: number;
  bestStreak: number;
  base: number;
  bonus: number;
  total: number;
  balance: number;
  rankOfDay: number;
  freezesUsed: number;
  lostStreak: number;
  milestone?: number;
  levelUp?: Level;
  /** Lines other features add (a milestone lottery ticket). */
  extra: string[];
}

/** Runs inside the check-in's transaction; may add a line to the reply. */
export type CheckinHook = (ctx: CommandContext, streak: number) => Promise<string | undefined>;

/** What a CheckinService needs, by name (built by the feature's assembly function in index.ts). */
export interface CheckinServiceDeps {
  repo: CheckinRepo;
  points: PointsService;
  rules: CheckinRules;
}

export class CheckinService {
  private readonly hooks: CheckinHook[] = [];

  constructor(private readonly deps: CheckinServiceDeps) {}

  get rules(): CheckinRules {
    return this.deps.rules;
  }

  addHook(hook: CheckinHook): void {
    this.hooks.push(hook);
  }

  async checkin(ctx: CommandContext): Promise<CheckinOutcome> {
    const memberId = ctx.member.id;
    const state = await this.deps.repo.streak(memberId);
    const decision = decideStreak(state, ctx.day, this.rules);
    if (decision.kind === 'already') throw new UserError('checkin.already', { streak: decision.streak });
    const { base, bonus, total } = checkinPoints(decision.streak, this.rules);
    const award = await this.deps.points.award({
          communityId: ctx.community.id,
          memberId,
          delta: total,
          kind: 'earn',
          reason: 'checkin',
          ref: ctx.day,
          key: `checkin:${memberId}:${ctx.day}`,
          at: ctx.now,
          day: ctx.day,
          afterCommit: ctx.afterCommit,
          // The check-in reply tells the member (renderCheckin).
          levelUpInReply: true,
        });
    if (!award.applied) throw new UserError('checkin.already', { streak: state?.streak ?? 1 });
    const bestStreak = Math.max(state?.bestStreak ?? 0, decision.streak);
    await this.deps.repo.saveStreak(memberId, {
            lastDay: ctx.day,
            streak: decision.streak,
            bestStreak,
            total: (state?.total ?? 0) + 1,
            freezes: (state?.freezes ?? 0) - decision.freezesUsed,
          });
    const milestone = milestoneReached(decision.streak, this.rules);
    const extra: string[] = [];
    for (const hook of this.hooks) {
      const line = await hook(ctx, decision.streak);
      if (line !== undefined) extra.push(line);
    }
    // The community's count of the day is the one row every check-in of the day writes: on
    // PostgreSQL each holds its lock until COMMIT, so it is taken last, to hold it briefly.
    const rankOfDay = await this.deps.repo.nextRankOfDay(ctx.community.id, ctx.day);
    const inserted = await this.deps.repo.insertCheckin({
          communityId: ctx.community.id,
          memberId,
          day: ctx.day,
          streak: decision.streak,
          points: total,
          rank: rankOfDay,
          freezesUsed: decision.freezesUsed,
          at: ctx.now.getTime(),
        });
    if (!inserted) throw new UserError('checkin.already', { streak: state?.streak ?? 1 });
    return {
      extra,
      streak: decision.streak,
      bestStreak,
      base,
      bonus,
      total,
      balance: award.balance,
      rankOfDay,
      freezesUsed: decision.freezesUsed,
      lostStreak: decision.lostStreak,
      ...(milestone ? { milestone } : {}),
      ...(award.levelUp ? { levelUp: award.levelUp } : {}),
    };
  }

  /** Buy one streak freeze (补签卡) with points. */
  async buyFreeze(ctx: CommandContext): Promise<{ freezes: number; balance: number }> {
    const { freeze } = this.rules;
    if (!freeze.enabled) throw new UserError('checkin.freezeDisabled');
    const state = await this.deps.repo.streak(ctx.member.id);
    if (!state) throw new UserError('checkin.freezeNeedsCheckin');
    if (state.freezes >= freeze.maxHeld) throw new UserError('checkin.freezeMax', { max: freeze.maxHeld });
    const award = await this.deps.points.award({
          communityId: ctx.community.id,
          memberId: ctx.member.id,
          delta: -freeze.cost,
          kind: 'spend',
          reason: 'freeze',
          key: `freeze:${ctx.event.community.platform}:${ctx.event.deliveryId}`,
          at: ctx.now,
          day: ctx.day,
          afterCommit: ctx.afterCommit,
        });
    await this.deps.repo.addFreeze(ctx.member.id);
    return { freezes: state.freezes + 1, balance: award.balance };
  }

  streakOf(memberId: number): Promise<{ streak: number; bestStreak: number; lastDay: string; freezes: number } | undefined> {
    return this.deps.repo.streak(memberId);
  }
}
