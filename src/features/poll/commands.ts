import type { CommandSpec } from '../../core/commands/spec.js';
import { MAX_OPTIONS, parsePollText } from './poll.js';
import type { PollService } from './service.js';

const idArg = { name: 'id', type: 'int', required: true, min: 1, description: 'poll.arg.id' } as const;

export function pollCommands(service: PollService): CommandSpec[] {
  return [
    {
      name: 'poll',
      aliases: ['投票'],
      description: 'poll.describe',
      role: 'member',
      defaultSubcommand: 'list',
      // `投票 3 2` (what the WeCom hint says to reply) is `/poll vote 3 2`.
      argumentSubcommand: 'vote',
      subcommands: [
        {
          name: 'create',
          aliases: ['创建'],
          description: 'poll.create.describe',
          role: 'admin',
          args: [
            { name: 'poll', type: 'text', required: true, description: 'poll.arg.poll' },
            { name: 'ends', type: 'when', named: true, description: 'poll.arg.ends' },
            { name: 'multi', type: 'int', named: true, min: 1, max: MAX_OPTIONS, description: 'poll.arg.multi' },
            { name: 'min_level', type: 'int', named: true, min: 1, max: 100, description: 'poll.arg.minLevel' },
          ],
          handler: (ctx, args) =>
            service.create(ctx, {
              ...parsePollText(args.string('poll')),
              ends: args.has('ends') ? args.when('ends') : undefined,
              multi: args.optionalInt('multi') ?? 1,
              minLevel: Math.max(0, (args.optionalInt('min_level') ?? 1) - 1),
            }),
        },
        {
          name: 'vote',
          aliases: ['投'],
          description: 'poll.vote.describe',
          role: 'member',
          args: [idArg, { name: 'option', type: 'int', required: true, min: 1, max: MAX_OPTIONS, description: 'poll.arg.option' }],
          handler: (ctx, args) => service.vote(ctx, args.int('id'), args.int('option')),
        },
        { name: 'results', aliases: ['结果'], description: 'poll.results.describe', role: 'member', args: [idArg], handler: (ctx, args) => service.results(ctx, args.int('id')) },
        { name: 'close', aliases: ['结束'], description: 'poll.close.describe', role: 'admin', args: [idArg], handler: (ctx, args) => service.closeNow(ctx, args.int('id')) },
        { name: 'list', aliases: ['列表'], description: 'poll.list.describe', role: 'member', handler: (ctx) => service.list(ctx) },
      ],
    },
  ];
}
