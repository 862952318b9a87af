import type { CommandSpec, LeafCommand } from '../../core/commands/spec.js';
import type { CommandContext } from '../../core/context.js';
import type { Reply } from '../../core/reply.js';
import type { ScheduleService } from './service.js';
import { formatLocal } from '../../core/time/when.js';

const idArg = { name: 'id', type: 'int', required: true, min: 1, description: 'schedule.arg.id' } as const;

export function scheduleCommands(service: ScheduleService): CommandSpec[] {
  const armedNote = (ctx: CommandContext): string => (service.timerAvailable() ? '' : `\n${ctx.t('schedule.timerDown')}`);
  return [
    {
      name: 'announce',
      aliases: ['公告'],
      description: 'announce.describe',
      role: 'admin',
      args: [{ name: 'text', type: 'text', required: true, description: 'announce.arg.text' }],
      handler(ctx, args): Reply {
        const id = service.announce(ctx, args.string('text'));
        return { text: ctx.t('announce.done', { id }) + armedNote(ctx), ephemeral: true };
      },
    },
    {
      name: 'schedule',
      aliases: ['定时'],
      description: 'schedule.describe',
      role: 'admin',
      defaultSubcommand: 'list',
      subcommands: [
        {
          name: 'once',
          aliases: ['一次'],
          description: 'schedule.once.describe',
          role: 'admin',
          args: [
            { name: 'when', type: 'when', required: true, description: 'schedule.arg.when' },
            { name: 'text', type: 'text', required: true, description: 'schedule.arg.text' },
          ],
          handler(ctx, args): Reply {
            const at = args.when('when');
            const id = service.once(ctx, at, args.string('text'));
            return { text: ctx.t('schedule.onceDone', { id, at: formatLocal(at, ctx.community.timezone) }) + armedNote(ctx) };
          },
        },
        {
          name: 'add',
          aliases: ['添加', '周期'],
          description: 'schedule.add.describe',
          role: 'admin',
          args: [
            { name: 'cron', type: 'word', required: true, description: 'schedule.arg.cron' },
            { name: 'text', type: 'text', required: true, description: 'schedule.arg.text' },
          ],
          handler(ctx, args): Reply {
            const [pattern, text] = splitCron(args.string('cron'), args.string('text'));
            const { id, next } = service.recurring(ctx, pattern, text);
            return {
              text: ctx.t('schedule.addDone', { id, cron: pattern, timezone: ctx.community.timezone, next: formatLocal(next, ctx.community.timezone) }) + armedNote(ctx),
            };
          },
        },
        {
          name: 'list',
          aliases: ['列表'],
          description: 'schedule.list.describe',
          role: 'admin',
          handler(ctx): Reply {
            const rows = service.list(ctx);
            if (rows.length === 0) return { text: ctx.t('schedule.empty'), ephemeral: true };
            const lines = rows.map(({ row, next, lastError }) =>
              ctx.t('schedule.row', {
                id: row.id,
                kind: row.kind === 'once' ? ctx.t('schedule.kindOnce') : ctx.t('schedule.kindCron', { cron: row.cron ?? '' }),
                next: next ? formatLocal(next, row.timezone) : ctx.t('schedule.noNext'),
                state: (row.status === 'paused' ? ctx.t('schedule.paused') : '') + (lastError ? ctx.t('schedule.lastFailed', { error: lastError.slice(0, 120) }) : ''),
                preview: preview(row.text),
              }),
            );
            return { title: ctx.t('schedule.listTitle'), text: lines.join('\n'), ephemeral: true };
          },
        },
        statusCommand('pause', ['暂停'], (ctx, id) => (service.pause(ctx, id), ctx.t('schedule.paused.done', { id }))),
        statusCommand('resume', ['恢复'], (ctx, id) => (service.resume(ctx, id), ctx.t('schedule.resumed', { id }))),
        statusCommand('remove', ['删除'], (ctx, id) => (service.remove(ctx, id), ctx.t('schedule.removed', { id }))),
      ],
    },
  ];
}

function statusCommand(name: 'pause' | 'resume' | 'remove', aliases: string[], run: (ctx: CommandContext, id: number) => string): LeafCommand {
  return {
    name,
    aliases,
    description: `schedule.${name}.describe`,
    role: 'admin' as const,
    args: [idArg],
    handler: (ctx, args): Reply => ({ text: run(ctx, args.int('id')), ephemeral: true }),
  };
}

/** An unquoted cron in the text form: take the leading fields that look like cron fields. */
function splitCron(cron: string, text: string): [string, string] {
  if (/\s/.test(cron.trim()) || cron.startsWith('@')) return [cron.trim(), text];
  const words = text.split(/\s+/);
  const field = /^[\d*?,/\-LW#A-Za-z]+$/;
  let n = 0;
  while (n < words.length - 1 && n < 5 && field.test(words[n] as string) && /[\d*?]/.test(words[n] as string)) n++;
  const count = n >= 5 ? 5 : n >= 4 ? 4 : 0;
  if (count === 0) return [cron, text];
  return [[cron, ...words.slice(0, count)].join(' '), words.slice(count).join(' ')];
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 40)}…` : flat;
}
