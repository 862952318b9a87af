/**
 * Check-in (签到/打卡): daily check-ins, streaks, streak bonuses, milestones
 * and streak freezes. Points go through the points feature's ledger.
 */
import type { CommandContext } from '../../core/context.js';
import type { AssembledFeature, Feature, FeatureOptions } from '../../core/feature.js';
import type { Reply } from '../../core/reply.js';
import type { ProfileLine } from '../points/commands.js';
import { levelUpLine } from '../points/level-up.js';
import { checkinMessages } from './messages.js';
import { createCheckinRepo } from './repo.js';
import { CheckinService, type CheckinOutcome, type CheckinServiceDeps } from './service.js';

export { CheckinService } from './service.js';

export function createCheckin(options: FeatureOptions<CheckinServiceDeps>): AssembledFeature<CheckinService> {
  const { store, ...deps } = options;
  const service = new CheckinService({ ...deps, repo: createCheckinRepo(store.sql) });
  return { service, feature: checkinFeature(service) };
}

function checkinFeature(service: CheckinService): Feature {
  return {
    name: 'checkin',
    messages: checkinMessages,
    commands: [
      {
        name: 'checkin',
        aliases: ['签到', '打卡', 'signin', 'daily'],
        description: 'checkin.describe',
        role: 'member',
        // Reads and writes the member's own streak and points; the day's count is an atomic upsert.
        readCommitted: true,
        handler: async (ctx) => renderCheckin(ctx, await service.checkin(ctx)),
      },
      {
        name: 'freeze',
        aliases: ['补签卡'],
        description: 'freeze.describe',
        role: 'member',
        enabled: () => service.rules.freeze.enabled,
        readCommitted: true,
        async handler(ctx): Promise<Reply> {
          const r = await service.buyFreeze(ctx);
          return { text: ctx.t('freeze.done', r), ephemeral: true };
        },
      },
    ],
  };
}

export function streakProfileLine(service: CheckinService): ProfileLine {
  return async (ctx, memberId) => {
    const s = await service.streakOf(memberId);
    return s ? ctx.t('checkin.profileLine', { streak: s.streak, best: s.bestStreak }) : undefined;
  };
}

function renderCheckin(ctx: CommandContext, r: CheckinOutcome): Reply {
  const first = ctx.t('checkin.done', { name: ctx.member.displayName, total: r.total }) + (r.bonus > 0 ? ` ${ctx.t('checkin.breakdown', { base: r.base, bonus: r.bonus })}` : '');
  const lines = [first, ctx.t('checkin.streak', { streak: r.streak, rank: r.rankOfDay }), ctx.t('checkin.balance', { balance: r.balance })];
  if (r.freezesUsed > 0) lines.push(ctx.t('checkin.freezeUsed', { count: r.freezesUsed }));
  if (r.lostStreak > 0) lines.push(ctx.t('checkin.lost', { streak: r.lostStreak }));
  if (r.milestone) lines.push(ctx.t('checkin.milestone', { days: r.milestone }));
  if (r.levelUp) lines.push(levelUpLine(ctx.t, ctx.locale, r.levelUp));
  lines.push(...r.extra);
  return { text: lines.join('\n') };
}
