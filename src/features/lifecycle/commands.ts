import type { CommandSpec, LeafCommand } from '../../core/commands/spec.js';
import type { Reply } from '../../core/reply.js';
import type { Tip } from './rules.js';
import type { LifecycleService } from './service.js';

export function lifecycleCommands(service: LifecycleService): CommandSpec[] {
  return [
    {
      name: 'activity',
      aliases: ['活跃规则', '活跃'],
      description: 'activity.describe',
      role: 'member',
      handler: (ctx) => service.activityRules(ctx),
    },
    {
      name: 'accept',
      aliases: ['接受群规', '同意群规'],
      description: 'accept.describe',
      role: 'member',
      enabled: () => service.config.rules.acceptance,
      handler: (ctx) => service.acceptRules(ctx),
    },
    {
      name: 'rules',
      aliases: ['群规'],
      description: 'rules.describe',
      role: 'member',
      defaultSubcommand: 'show',
      subcommands: [
        { name: 'show', aliases: ['查看'], description: 'rules.show.describe', role: 'member', handler: (ctx) => service.showRules(ctx) },
        {
          name: 'set',
          aliases: ['设置'],
          description: 'rules.set.describe',
          role: 'admin',
          args: [{ name: 'text', type: 'text', required: true, description: 'rules.arg.text' }],
          handler: (ctx, args) => service.setRules(ctx, args.string('text')),
        },
        { name: 'clear', aliases: ['清除'], description: 'rules.clear.describe', role: 'admin', handler: (ctx) => service.clearRules(ctx) },
        {
          name: 'welcome',
          aliases: ['欢迎语'],
          description: 'rules.welcome.describe',
          role: 'admin',
          args: [{ name: 'text', type: 'text', description: 'rules.arg.welcome' }],
          handler: (ctx, args) => service.welcomeText(ctx, args.optionalString('text')),
        },
        {
          name: 'nudge',
          aliases: ['提醒语'],
          description: 'rules.nudge.describe',
          role: 'admin',
          args: [{ name: 'text', type: 'text', description: 'rules.arg.nudge' }],
          handler: (ctx, args) => service.nudgeText(ctx, args.optionalString('text')),
        },
        {
          name: 'tip',
          aliases: ['引导语'],
          description: 'rules.tip.describe',
          role: 'admin',
          args: [
            {
              name: 'tip',
              type: 'choice',
              required: true,
              choices: { checkin: 'choice.tip.checkin', chat: 'choice.tip.chat', streak: 'choice.tip.streak', points: 'choice.tip.points' },
              choiceAliases: { 签到: 'checkin', 聊天: 'chat', 连签: 'streak', 连续签到: 'streak', 积分: 'points' },
              description: 'rules.arg.tip',
            },
            { name: 'text', type: 'text', description: 'rules.arg.tipText' },
          ],
          handler: (ctx, args) => service.tipText(ctx, args.string('tip') as Tip, args.optionalString('text')),
        },
      ],
    },
    {
      name: 'quiet',
      aliases: ['免打扰'],
      description: 'quiet.describe',
      role: 'member',
      args: [{ name: 'mode', type: 'choice', choices: { on: 'choice.mode.on', off: 'choice.mode.off' }, choiceAliases: { 开: 'on', 开启: 'on', 关: 'off', 关闭: 'off' }, description: 'quiet.arg.mode' }],
      handler: (ctx, args) => service.setQuiet(ctx, (args.optionalString('mode') ?? 'on') === 'on'),
    },
  ];
}

/** `/stats members` and `/stats farming`; the analytics feature owns `/stats` and lists them. */
export function lifecycleStatsSubcommands(service: LifecycleService): LeafCommand[] {
  return [
    {
      name: 'members',
      aliases: ['成员', '分层'],
      description: 'stats.members.describe',
      role: 'admin',
      async handler(ctx): Promise<Reply> {
        const r = await service.report(ctx.community, ctx.day, ctx.now);
        const rate = r.nudged === 0 ? 0 : Math.round((r.returned / r.nudged) * 100);
        return {
          title: ctx.t('stats.membersTitle', { day: r.day }),
          text: [
            ctx.t('stats.segments', r.counts),
            ctx.t('stats.nudges', { nudged: r.nudged, returned: r.returned, days: service.config.nudges.effectDays, rate }),
            ctx.t('stats.transitions', { ...(await service.transitions(ctx.community.id, ctx.day)) }),
            // Where the bot sees only what is addressed to it, say what "active" can mean here.
            ...((await service.seesAllMessages(ctx.community.id)) ? [] : [ctx.t('stats.activeMeansInteracted'), ctx.t((await service.nudgesOn(ctx.community.id)) ? 'stats.nudgesOnMentionOnly' : 'stats.nudgesOffMentionOnly')]),
          ].join('\n'),
          ephemeral: true,
        };
      },
    },
    {
      name: 'farming',
      aliases: ['刷分'],
      description: 'stats.farming.describe',
      role: 'admin',
      async handler(ctx): Promise<Reply> {
        const rows = await service.farming(ctx.community.id, ctx.day);
        const minDays = service.config.activity.farmingMinDays;
        if (rows.length === 0) return { text: ctx.t('stats.farmingNone'), ephemeral: true };
        return { title: ctx.t('stats.farmingTitle', { days: minDays }), text: rows.map((r) => `- ${ctx.t('stats.farmingRow', r)}`).join('\n'), ephemeral: true };
      },
    },
  ];
}
