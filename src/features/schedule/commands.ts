import type { CommandSpec, LeafCommand } from '../../core/commands/spec.js';
import type { CommandContext } from '../../core/context.js';
import type { Reply } from '../../core/reply.js';
import { formatLocal } from '../../core/time/when.js';
import { countBy, dayKey, share } from './calendar.js';
import { formatDay, type CalendarView, type ScheduleService } from './service.js';

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
      async handler(ctx, args): Promise<Reply> {
        const id = await service.announce(ctx, args.string('text'));
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
          async handler(ctx, args): Promise<Reply> {
            const at = args.when('when');
            const id = await service.once(ctx, at, args.string('text'));
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
          async handler(ctx, args): Promise<Reply> {
            const [pattern, text] = splitCron(args.string('cron'), args.string('text'));
            const { id, next } = await service.recurring(ctx, pattern, text);
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
          async handler(ctx): Promise<Reply> {
            const rows = await service.list(ctx);
            if (rows.length === 0) return { text: ctx.t('schedule.empty'), ephemeral: true };
            const lines = rows.map(({ row, next, lastError }) =>
              ctx.t('schedule.row', {
                id: row.id,
                kind: row.kind === 'once' ? ctx.t('schedule.kindOnce') : ctx.t('schedule.kindCron', { cron: row.cron ?? '' }),
                next: next ? formatLocal(next, row.timezone) : ctx.t('schedule.noNext'),
                state:
                  (row.status === 'paused' ? ctx.t('schedule.paused') : '') +
                  (row.last_skipped_at !== null && row.last_skipped_at >= (row.last_run_at ?? 0) ? ctx.t('schedule.skipped', { at: formatLocal(new Date(row.last_skipped_at), row.timezone) }) : '') +
                  (lastError ? ctx.t('schedule.lastFailed', { error: lastError.slice(0, 120) }) : ''),
                preview: preview(row.text),
              }),
            );
            return { title: ctx.t('schedule.listTitle'), text: lines.join('\n'), ephemeral: true };
          },
        },
        {
          name: 'calendar',
          aliases: ['日历', '内容日历'],
          description: 'schedule.calendar.describe',
          role: 'admin',
          args: [
            {
              name: 'period',
              type: 'choice',
              choices: { week: 'choice.period.week', month: 'choice.period.month' },
              choiceAliases: { 周: 'week', 本周: 'week', 月: 'month', 本月: 'month' },
              description: 'schedule.calendar.arg.period',
            },
          ],
          async handler(ctx, args): Promise<Reply> {
            const unit = args.optionalString('period') === 'month' ? 'month' : 'week';
            return renderCalendar(ctx, await service.calendar(ctx, unit));
          },
        },
        statusCommand('pause', ['暂停'], async (ctx, id) => (await service.pause(ctx, id), ctx.t('schedule.paused.done', { id }))),
        statusCommand('resume', ['恢复'], async (ctx, id) => (await service.resume(ctx, id), ctx.t('schedule.resumed', { id }))),
        statusCommand('remove', ['删除'], async (ctx, id) => (await service.remove(ctx, id), ctx.t('schedule.removed', { id }))),
      ],
    },
  ];
}

function statusCommand(name: 'pause' | 'resume' | 'remove', aliases: string[], run: (ctx: CommandContext, id: number) => Promise<string>): LeafCommand {
  return {
    name,
    aliases,
    description: `schedule.${name}.describe`,
    role: 'admin' as const,
    args: [idArg],
    handler: async (ctx, args): Promise<Reply> => ({ text: await run(ctx, args.int('id')), ephemeral: true }),
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

function preview(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Firings shown per day; the rest are counted ("3 more"), so a month fits in one chat message. */
const ITEMS_PER_DAY = 3;

/** One line per day that posts (time, post, promo mark, count against the cap), then the cap and the promo share. */
function renderCalendar(ctx: CommandContext, view: CalendarView): Reply {
  const tz = ctx.community.timezone;
  const { dailyCap, promoMaxShare } = view.rules;
  const time = (at: Date): string => formatLocal(at, tz).slice(11, 16);
  const byDay = new Map<string, CalendarView['firings']>();
  for (const f of view.firings) byDay.set(dayKey(f.at, tz), [...(byDay.get(dayKey(f.at, tz)) ?? []), f]);
  const counts = countBy(view.firings.map((f) => dayKey(f.at, tz)));
  const lines = [...byDay.values()].map((firings) => {
    const shown = firings.slice(0, ITEMS_PER_DAY).map((f) =>
      ctx.t('schedule.calendar.item', { time: time(f.at), what: f.quizScheduleId !== undefined ? ctx.t('schedule.calendar.quiz', { id: f.quizScheduleId, bank: preview(f.text, 16) }) : f.lotteryId !== undefined ? ctx.t('schedule.calendar.lottery', { id: f.lotteryId, prize: preview(f.text, 16) }) : f.postId === null ? ctx.t('schedule.calendar.announce') : `#${f.postId} ${preview(f.text, 16)}`, promo: f.promo ? ctx.t('schedule.calendar.promo') : '' }),
    );
    if (firings.length > ITEMS_PER_DAY) shown.push(ctx.t('schedule.calendar.more', { n: firings.length - ITEMS_PER_DAY }));
    const first = firings[0] as CalendarView['firings'][number];
    const count = counts.get(dayKey(first.at, tz)) ?? 0;
    const day = formatDay(first.at, tz, ctx.locale);
    const items = shown.join(ctx.t('schedule.calendar.separator'));
    return dailyCap === null
      ? ctx.t('schedule.calendar.dayNoCap', { day, count, items })
      : ctx.t('schedule.calendar.day', { day, count, cap: dailyCap, over: count > dailyCap ? ctx.t('schedule.calendar.over') : '', items });
  });
  const { promo, total } = share(view.firings);
  const percent = total === 0 ? 0 : Math.round((promo / total) * 100);
  const footer = [
    dailyCap === null ? ctx.t('schedule.calendar.noCap') : ctx.t('schedule.calendar.cap', { cap: dailyCap }),
    promoMaxShare === null ? ctx.t('schedule.calendar.shareNoCap', { share: percent, promo, total }) : ctx.t('schedule.calendar.share', { share: percent, promo, total, cap: Math.round(promoMaxShare * 100) }),
  ].join('\n');
  const last = new Date(view.end.getTime() - 1);
  return {
    title: ctx.t('schedule.calendar.title', { from: formatDay(view.start, tz, ctx.locale), to: formatDay(last, tz, ctx.locale) }),
    text: [...(lines.length ? lines : [ctx.t('schedule.calendar.empty')]), '', footer].join('\n'),
    ephemeral: true,
  };
}
