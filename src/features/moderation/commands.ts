import type { CommandSpec } from '../../core/commands/spec.js';
import type { ModerationService } from './service.js';

const memberArg = { name: 'member', type: 'member', required: true, description: 'moderation.arg.member' } as const;
const wordArg = { name: 'word', type: 'text', required: true, description: 'moderation.arg.word' } as const;

/**
 * One command, so /help grows by one line (it must fit a screen): `/mod`
 * (群管理), also called `/filter` and `/敏感词`, so `/filter add <词>` and
 * `/敏感词 添加 <词>` read as the issue writes them. The familiar names
 * (`/warn`, `/strikes`, `/pardon`, `/modlog`) are text shortcuts to the
 * subcommands.
 */
export function moderationCommands(service: ModerationService): CommandSpec[] {
  return [
    {
      name: 'mod',
      aliases: ['filter', '敏感词', '群管理'],
      description: 'moderation.mod.describe',
      platformNotes: { discord: 'moderation.help.discord', wecom: 'moderation.help.wecom', playground: 'moderation.help.playground' },
      role: 'admin',
      defaultSubcommand: 'log',
      subcommands: [
        { name: 'add', aliases: ['添加'], description: 'moderation.filter.add.describe', role: 'admin', args: [wordArg], handler: (ctx, args) => service.add(ctx, args.string('word')) },
        { name: 'remove', aliases: ['删除'], description: 'moderation.filter.remove.describe', role: 'admin', args: [wordArg], handler: (ctx, args) => service.remove(ctx, args.string('word')) },
        { name: 'list', aliases: ['列表'], description: 'moderation.filter.list.describe', role: 'admin', handler: (ctx) => service.list(ctx) },
        {
          name: 'test',
          aliases: ['测试'],
          description: 'moderation.filter.test.describe',
          role: 'admin',
          args: [{ name: 'text', type: 'text', required: true, description: 'moderation.arg.text' }],
          handler: (ctx, args) => service.test(ctx, args.string('text')),
        },
        {
          name: 'warn',
          aliases: ['警告'],
          shortcuts: ['warn', '警告'],
          description: 'moderation.mod.warn.describe',
          role: 'admin',
          args: [memberArg, { name: 'reason', type: 'text', required: true, description: 'moderation.arg.reason' }],
          handler: (ctx, args) => service.warn(ctx, args.member('member'), args.string('reason')),
        },
        { name: 'strikes', aliases: ['违规记录'], shortcuts: ['strikes', '违规记录'], description: 'moderation.mod.strikes.describe', role: 'admin', args: [memberArg], handler: (ctx, args) => service.strikes(ctx, args.member('member')) },
        { name: 'pardon', aliases: ['撤销'], shortcuts: ['pardon', '撤销违规'], description: 'moderation.mod.pardon.describe', role: 'admin', args: [memberArg], handler: (ctx, args) => service.pardon(ctx, args.member('member')) },
        {
          name: 'spam',
          aliases: ['刷屏'],
          description: 'moderation.mod.spam.describe',
          role: 'admin',
          args: [{ name: 'settings', type: 'text', description: 'moderation.arg.settings' }],
          handler: (ctx, args) => service.spamSettings(ctx, args.optionalString('settings')),
        },
        { name: 'log', aliases: ['日志'], shortcuts: ['modlog', '管理日志'], description: 'moderation.mod.log.describe', role: 'admin', handler: (ctx) => service.log(ctx) },
      ],
    },
  ];
}
