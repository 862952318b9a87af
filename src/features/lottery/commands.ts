import type { Args } from '../../core/commands/args.js';
import type { CommandSpec } from '../../core/commands/spec.js';
import { UserError } from '../../core/errors.js';
import type { Reply } from '../../core/reply.js';
import { parseClaimWindow } from './prizes.js';
import { isBonusRule, type BonusRule, type LotteryService, type PrizeSpec } from './service.js';

const idArg = { name: 'id', type: 'int', required: true, min: 1, description: 'lottery.arg.id' } as const;

export function lotteryCommands(service: LotteryService): CommandSpec[] {
  return [
    {
      name: 'lottery',
      aliases: ['抽奖'],
      description: 'lottery.describe',
      role: 'member',
      defaultSubcommand: 'list',
      subcommands: [
        {
          name: 'create',
          aliases: ['创建'],
          description: 'lottery.create.describe',
          role: 'admin',
          args: [
            { name: 'prize', type: 'text', required: true, description: 'lottery.arg.prize' },
            { name: 'winners', type: 'int', named: true, required: true, min: 1, max: service.maxWinners, description: 'lottery.arg.winners' },
            { name: 'ends', type: 'when', named: true, required: true, description: 'lottery.arg.ends' },
            { name: 'cost', type: 'int', named: true, min: 0, max: 1_000_000, description: 'lottery.arg.cost' },
            { name: 'min_level', type: 'int', named: true, min: 1, max: 100, description: 'lottery.arg.minLevel' },
            { name: 'min_streak', type: 'int', named: true, min: 0, max: 3650, description: 'lottery.arg.minStreak' },
            { name: 'min_points', type: 'int', named: true, min: 0, max: 100_000_000, description: 'lottery.arg.minPoints' },
            { name: 'bonus', type: 'choice', named: true, choices: { streak7: 'choice.bonus.streak7', level: 'choice.bonus.level' }, choiceAliases: { 连签: 'streak7', 等级: 'level' }, description: 'lottery.arg.bonus' },
            { name: 'points', type: 'int', named: true, min: 1, max: 1_000_000, description: 'lottery.arg.points' },
            { name: 'item', type: 'word', named: true, description: 'lottery.arg.item' },
            { name: 'claim', type: 'word', named: true, description: 'lottery.arg.claim' },
            { name: 'reroll', type: 'choice', named: true, choices: { auto: 'choice.reroll.auto', manual: 'choice.reroll.manual' }, choiceAliases: { 自动: 'auto', 手动: 'manual' }, description: 'lottery.arg.reroll' },
            { name: 'remind', type: 'word', named: true, description: 'lottery.arg.remind' },
          ],
          async handler(ctx, args): Promise<Reply> {
            const row = await service.create(ctx, {
                          prize: args.string('prize'),
                          winners: args.int('winners'),
                          ends: args.when('ends'),
                          cost: args.optionalInt('cost') ?? 0,
                          minLevel: Math.max(0, (args.optionalInt('min_level') ?? 1) - 1),
                          minStreak: args.optionalInt('min_streak') ?? 0,
                          minPoints: args.optionalInt('min_points') ?? 0,
                          bonus: bonusRule(args.optionalString('bonus')),
                          prizeSpec: prizeSpec(args),
                          claimMs: claimWindow(args.optionalString('claim')),
                          rerollAuto: args.has('reroll') ? args.string('reroll') === 'auto' : undefined,
                          remind: args.optionalString('remind'),
                        });
            return service.announcement(ctx, row);
          },
        },
        {
          name: 'join',
          aliases: ['参与'],
          shortcuts: ['参与抽奖'],
          description: 'lottery.join.describe',
          role: 'member',
          args: [idArg],
          async handler(ctx, args): Promise<Reply> {
            const r = await service.join(ctx, args.int('id'));
            const lines = [ctx.t('lottery.joined', { tickets: r.tickets, entrants: r.entrants })];
            if (r.balance !== undefined) lines.push(ctx.t('lottery.joinedCost', { cost: await service.costOf(args.int('id')), balance: r.balance }));
            return { text: lines.join('\n'), ephemeral: true };
          },
        },
        { name: 'list', aliases: ['列表'], description: 'lottery.list.describe', role: 'member', handler: (ctx) => service.list(ctx) },
        { name: 'draw', aliases: ['开奖'], description: 'lottery.draw.describe', role: 'admin', args: [idArg], handler: (ctx, args) => service.drawNow(ctx, args.int('id')) },
        {
          name: 'reroll',
          aliases: ['重抽'],
          description: 'lottery.reroll.describe',
          role: 'admin',
          args: [idArg, { name: 'count', type: 'int', min: 1, max: 100, description: 'lottery.arg.count' }],
          handler: (ctx, args) => service.reroll(ctx, args.int('id'), args.optionalInt('count') ?? 1),
        },
        {
          name: 'cancel',
          aliases: ['取消'],
          description: 'lottery.cancel.describe',
          role: 'admin',
          args: [idArg],
          async handler(ctx, args): Promise<Reply> {
            const { refunded } = await service.cancel(ctx, args.int('id'));
            return { text: ctx.t('lottery.cancelled', { id: args.int('id'), refunded }) };
          },
        },
        { name: 'claim', aliases: ['领奖', '领取'], shortcuts: ['claim', '领奖'], description: 'lottery.claim.describe', role: 'member', args: [idArg], handler: (ctx, args) => service.claim(ctx, args.int('id')) },
        { name: 'status', aliases: ['info', '状态', '详情'], description: 'lottery.status.describe', role: 'member', args: [idArg], handler: (ctx, args) => service.status(ctx, args.int('id')) },
        { name: 'verify', aliases: ['验证'], description: 'lottery.verify.describe', role: 'member', args: [idArg], handler: (ctx, args) => service.verify(ctx, args.int('id')) },
      ],
    },
  ];
}

/** The `bonus=` choice: the registry only passes the declared choices. */
function bonusRule(value: string | undefined): BonusRule | undefined {
  if (value === undefined) return undefined;
  if (!isBonusRule(value)) throw new Error(`unexpected bonus rule ${value}`);
  return value;
}

/** `points=` or `item=` (not both); neither: the prize is its text only. */
function prizeSpec(args: Args): PrizeSpec {
  const points = args.optionalInt('points');
  const item = args.optionalString('item');
  if (points !== undefined && item !== undefined) throw new UserError('lottery.onePrize');
  if (points !== undefined) return { kind: 'points', points };
  return item === undefined ? { kind: 'text' } : { kind: 'item', item };
}

/** `claim=48h`: milliseconds, null for no deadline, undefined when not given (the configured default). */
function claimWindow(raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  const ms = parseClaimWindow(raw);
  if (ms === undefined) throw new UserError('lottery.badClaim', { claim: raw });
  return ms;
}
