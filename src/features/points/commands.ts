import type { CommandSpec } from '../../core/commands/spec.js';
import type { CommandContext } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Reply } from '../../core/reply.js';
import type { Period, PointsService } from './service.js';

/** Extra lines for /points from other features (the check-in streak). */
export type ProfileLine = (ctx: CommandContext, memberId: number) => Promise<string | undefined>;

export interface PointsCommandDeps {
  points: PointsService;
  leaderboardSize: number;
  maxAdjust: number;
  /** Lines other features add to /points (check-in's streak), read when the command runs. */
  profileLines: () => readonly ProfileLine[];
}

export function pointsCommands(deps: PointsCommandDeps): CommandSpec[] {
  const { points } = deps;
  return [
    {
      name: 'points',
      aliases: ['积分', 'balance'],
      description: 'points.describe',
      role: 'member',
      args: [{ name: 'member', type: 'member', description: 'points.arg.member' }],
      // Reads only.
      readCommitted: true,
      async handler(ctx, args): Promise<Reply> {
        const member = args.optionalMember('member') ?? ctx.member;
        const p = await points.profile(ctx.community.id, member.id);
        const level = p.level.badge === undefined ? p.level.name[ctx.locale] : `${p.level.name[ctx.locale]} ${p.level.badge}`;
        const lines = [ctx.t('points.profile', { balance: p.balance, earned: p.earned, level, rank: p.rank })];
        if (p.level.shopDiscount > 0) lines.push(ctx.t('points.shopDiscount', { percent: p.level.shopDiscount }));
        lines.push(p.level.next ? ctx.t('points.nextLevel', { next: p.level.next.name[ctx.locale], missing: p.level.next.min - p.earned }) : ctx.t('points.maxLevel'));
        for (const line of deps.profileLines()) {
          const extra = await line(ctx, member.id);
          if (extra) lines.push(extra);
        }
        return { title: ctx.t('points.title', { name: member.displayName }), text: lines.join('\n'), ephemeral: member.id === ctx.member.id };
      },
    },
    {
      name: 'leaderboard',
      aliases: ['排行榜', '排行', 'rank', 'top'],
      description: 'leaderboard.describe',
      role: 'member',
      args: [
        {
          name: 'period',
          type: 'choice',
          choices: { week: 'choice.period.week', month: 'choice.period.month', all: 'choice.period.all' },
          choiceAliases: { 周: 'week', 本周: 'week', 周榜: 'week', 月: 'month', 本月: 'month', 月榜: 'month', 总: 'all', 总榜: 'all', 全部: 'all' },
          description: 'leaderboard.arg.period',
        },
      ],
      readCommitted: true,
      async handler(ctx, args): Promise<Reply> {
        const period = (args.optionalString('period') ?? 'week') as Period;
        const board = await points.board(ctx.community.id, period, ctx.day, ctx.member.id, deps.leaderboardSize);
        const lines = board.rows.length
          ? competitionRanks(board.rows).map((r) => ctx.t('leaderboard.row', { rank: r.rank, name: r.badge === undefined ? r.name : `${r.badge} ${r.name}`, points: r.points }))
          : [ctx.t('leaderboard.empty')];
        lines.push('', board.me ? ctx.t('leaderboard.me', board.me) : ctx.t('leaderboard.meNone'));
        return { title: ctx.t(`leaderboard.title.${period}`), text: lines.join('\n') };
      },
    },
    adjustCommand('grant', ['加分'], 1, deps),
    adjustCommand('deduct', ['扣分'], -1, deps),
  ];
}

function adjustCommand(name: 'grant' | 'deduct', aliases: string[], sign: 1 | -1, deps: PointsCommandDeps): CommandSpec {
  return {
    name,
    aliases,
    description: `${name}.describe`,
    role: 'admin',
    args: [
      { name: 'member', type: 'member', required: true, description: 'adjust.arg.member' },
      { name: 'points', type: 'int', required: true, min: 1, max: deps.maxAdjust, description: 'adjust.arg.points' },
      { name: 'reason', type: 'text', required: true, description: 'adjust.arg.reason' },
    ],
    async handler(ctx, args): Promise<Reply> {
      const member = args.member('member');
      const amount = args.int('points');
      const reason = args.string('reason');
      try {
        const result = await deps.points.award({
                  communityId: ctx.community.id,
                  memberId: member.id,
                  delta: sign * amount,
                  kind: 'adjust',
                  reason: `${name}: ${reason}`,
                  // One adjustment per delivery: a retried command changes nothing twice.
                  key: `${name}:${ctx.event.community.platform}:${ctx.event.deliveryId}`,
                  actorMemberId: ctx.member.id,
                  at: ctx.now,
                  day: ctx.day,
                  afterCommit: ctx.afterCommit,
                });
        return { text: ctx.t(`${name}.done`, { name: member.displayName, points: amount, reason, balance: result.balance }) };
      } catch (err) {
        if (err instanceof UserError && err.key === 'points.insufficient') {
          throw new UserError('deduct.insufficient', { name: member.displayName, balance: err.params.balance ?? 0, points: amount });
        }
        throw err;
      }
    },
  };
}

/** Equal points share a rank (1, 2, 2, 4). */
function competitionRanks<T extends { points: number }>(rows: T[]): Array<T & { rank: number }> {
  let rank = 0;
  return rows.map((row, i) => {
    if (i === 0 || (rows[i - 1] as T).points !== row.points) rank = i + 1;
    return { ...row, rank };
  });
}
