/**
 * /help (帮助): what the caller may do here, in the community's language,
 * generated from the same command registry that parses commands. The list is
 * one line per command, grouped for members and admins, showing only what
 * works on this platform with this configuration; `/help <command>` gives
 * the details (usage, aliases, arguments).
 */
import { argUsage, findLeaf, usage, type CommandRegistry } from '../../core/commands/registry.js';
import { isAvailable, isGroup, type CommandSpec, type LeafCommand } from '../../core/commands/spec.js';
import type { CommandContext } from '../../core/context.js';
import type { Feature } from '../../core/feature.js';
import { localized, renderLocalized, type Catalog } from '../../core/i18n.js';
import type { Reply } from '../../core/reply.js';

const messages = {
  'help.describe': { 'zh-CN': '查看你可以使用的指令', en: 'What you can do here' },
  'help.arg.command': { 'zh-CN': '要查看详情的指令', en: 'The command to explain' },
  'help.title': { 'zh-CN': '📖 指令说明', en: '📖 Commands' },
  'help.memberSection': { 'zh-CN': '成员指令', en: 'Members' },
  'help.adminSection': { 'zh-CN': '管理员指令', en: 'Admins' },
  'help.aliases': { 'zh-CN': '也可以用：{aliases}', en: 'Also: {aliases}' },
  'help.arguments': { 'zh-CN': '参数：', en: 'Arguments:' },
  'help.argRow': { 'zh-CN': '- `{arg}`：{description}', en: '- `{arg}`: {description}' },
  'help.adminOnly': { 'zh-CN': '（管理员）', en: '(admin)' },
  'help.unknown': { 'zh-CN': '没有「{name}」这个指令。发送 /help 查看全部指令。', en: 'There is no command "{name}". Send /help for all commands.' },
  'help.footer': {
    'zh-CN': '发送 /help <指令> 查看用法，例如 /help 签到。指令可以用 / 或 ! 开头；@我 时也可以直接说中文指令。',
    en: 'Send /help <command> for its usage, e.g. /help checkin. Commands start with / or !; when you mention me, Chinese names such as 签到 work too.',
  },
} satisfies Catalog;

declare module '../../core/i18n.js' {
  interface Catalogs {
    help: typeof messages;
  }
}

type Section = 'member' | 'admin';

export function helpFeature(registry: () => CommandRegistry): Feature {
  return {
    name: 'help',
    messages,
    commands: [
      {
        name: 'help',
        aliases: ['帮助', '?', 'commands'],
        description: 'help.describe',
        role: 'member',
        args: [{ name: 'command', type: 'text', description: 'help.arg.command' }],
        handler: (ctx, args) => {
          const name = args.optionalString('command');
          return name === undefined ? renderList(ctx, registry().commands) : renderDetails(ctx, registry(), name);
        },
      },
    ],
  };
}

const sectionOf = (command: CommandSpec, leaf: LeafCommand): Section => (command.role === 'admin' || leaf.role === 'admin' ? 'admin' : 'member');

/** The subcommands (or the command itself) the caller may use here. */
function usableLeaves(ctx: CommandContext, command: CommandSpec): LeafCommand[] {
  const platform = ctx.community.platform;
  if (!isAvailable(command, platform)) return [];
  const leaves = isGroup(command) ? command.subcommands.filter((leaf) => isAvailable(leaf, platform)) : [command];
  return leaves.filter((leaf) => ctx.isAdmin || sectionOf(command, leaf) === 'member');
}

function renderList(ctx: CommandContext, commands: readonly CommandSpec[]): Reply {
  const lines = (section: Section): string[] =>
    commands.flatMap((command) => {
      const leaves = usableLeaves(ctx, command).filter((leaf) => sectionOf(command, leaf) === section);
      if (leaves.length === 0) return [];
      // A group is one line naming its subcommands; a plain command shows its arguments.
      const syntax = isGroup(command) ? `/${command.name} ${leaves.map((l) => l.name).join('|')}` : renderLocalized(ctx.t, usage(command, command));
      const note = command.platformNotes?.[ctx.community.platform];
      return [`- \`${syntax}\` ${ctx.t(command.description)}${note ? ` ${ctx.t(note)}` : ''}`];
    });
  const out = [`**${ctx.t('help.memberSection')}**`, ...lines('member')];
  if (ctx.isAdmin) out.push('', `**${ctx.t('help.adminSection')}**`, ...lines('admin'));
  out.push('', ctx.t('help.footer'));
  return { title: ctx.t('help.title'), text: out.join('\n'), ephemeral: true };
}

function renderDetails(ctx: CommandContext, registry: CommandRegistry, name: string): Reply {
  const [top = '', sub] = name.trim().replace(/^[/／!！]/, '').split(/\s+/);
  const command = registry.find(top);
  let leaves = command ? usableLeaves(ctx, command) : [];
  if (command && isGroup(command) && sub !== undefined) {
    const leaf = findLeaf(command, sub);
    leaves = leaves.filter((l) => l === leaf);
  }
  if (!command || leaves.length === 0) return { text: ctx.t('help.unknown', { name: name.trim() }), ephemeral: true };
  const note = command.platformNotes?.[ctx.community.platform];
  const out: string[] = [ctx.t(command.description), ...(note ? [ctx.t(note)] : [])];
  if (command.aliases?.length) out.push(ctx.t('help.aliases', { aliases: command.aliases.join(' ') }));
  for (const leaf of leaves) {
    const admin = sectionOf(command, leaf) === 'admin' ? ` ${ctx.t('help.adminOnly')}` : '';
    out.push('', `\`${renderLocalized(ctx.t, usage(command, leaf))}\`${admin}`);
    if (leaf !== command) out.push(ctx.t(leaf.description));
    const aliases = leaf === command ? [] : [...(leaf.aliases ?? []), ...(leaf.shortcuts ?? [])];
    if (aliases.length) out.push(ctx.t('help.aliases', { aliases: aliases.join(' ') }));
    for (const arg of leaf.args ?? []) out.push(ctx.t('help.argRow', { arg: argUsage(arg), description: localized(arg.description) }));
  }
  return { title: `/${command.name}${leaves.length === 1 && leaves[0] !== command ? ` ${leaves[0]?.name}` : ''}`, text: out.join('\n'), ephemeral: true };
}
