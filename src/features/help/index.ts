/**
 * /help (帮助): what the caller may do, in the community's language,
 * generated from the same command registry that parses commands.
 */
import { usage } from '../../core/commands/registry.js';
import { isGroup, type CommandSpec } from '../../core/commands/spec.js';
import type { CommandContext } from '../../core/context.js';
import type { Feature } from '../../core/feature.js';
import type { Catalog } from '../../core/i18n.js';
import type { Reply } from '../../core/reply.js';

const messages: Catalog = {
  'help.describe': { 'zh-CN': '查看你可以使用的指令', en: 'What you can do here' },
  'help.title': { 'zh-CN': '📖 指令说明', en: '📖 Commands' },
  'help.adminSection': { 'zh-CN': '管理员指令', en: 'Admin commands' },
  'help.aliases': { 'zh-CN': '也可以用：{aliases}', en: 'Also: {aliases}' },
  'help.footer': {
    'zh-CN': '指令可以用 / 、／ 或 ! 开头；@我 时也可以直接说中文指令，例如「签到」。',
    en: 'Commands start with /, ／ or !; when you mention me, Chinese names such as 签到 work too.',
  },
};

export function helpFeature(commands: () => readonly CommandSpec[]): Feature {
  return {
    name: 'help',
    messages,
    commands: [
      {
        name: 'help',
        aliases: ['帮助', '?', 'commands'],
        description: 'help.describe',
        role: 'member',
        handler: (ctx) => renderHelp(ctx, commands()),
      },
    ],
  };
}

function renderHelp(ctx: CommandContext, commands: readonly CommandSpec[]): Reply {
  const lines = (role: 'member' | 'admin'): string[] =>
    commands.flatMap((command) => {
      const leaves = isGroup(command) ? command.subcommands : [command];
      return leaves
        .filter((leaf) => (leaf.role === 'admin' || command.role === 'admin' ? 'admin' : 'member') === role)
        .map((leaf) => {
          const aliases = leaf === command ? (command.aliases ?? []) : [...(leaf.shortcuts ?? [])];
          const suffix = aliases.length ? ` · ${ctx.t('help.aliases', { aliases: aliases.join(' ') })}` : '';
          return `- \`${usage(command, leaf)}\` ${ctx.t(leaf.description)}${suffix}`;
        });
    });
  const out = [...lines('member')];
  if (ctx.isAdmin) out.push('', `**${ctx.t('help.adminSection')}**`, ...lines('admin'));
  out.push('', ctx.t('help.footer'));
  return { title: ctx.t('help.title'), text: out.join('\n'), ephemeral: true };
}
