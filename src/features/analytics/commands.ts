import type { LeafCommand, CommandSpec } from '../../core/commands/spec.js';
import type { CommandContext } from '../../core/context.js';
import type { Reply } from '../../core/reply.js';
import { BENCHMARKS, ratesOf, sparkline, type PeriodKind, type Ratio } from './rules.js';
import { HISTORY_MAX_DAYS, RETENTION_WEEKS, type AnalyticsService, type Headline, type HistoryDay } from './service.js';

const pct = (rate: number): string => `${Math.round(rate * 100)}%`;
const one = (n: number): string => String(Math.round(n * 10) / 10);

/** The change against the previous period: percentage points for rates, plain numbers for counts. */
function change(now: number, before: number, unit: '%' | ''): string {
  const d = unit === '%' ? Math.round(now * 100) - Math.round(before * 100) : Math.round((now - before) * 10) / 10;
  if (d === 0) return ' →';
  return ` ${d > 0 ? '↑' : '↓'}${Math.abs(d)}${unit}`;
}

/** The headline numbers in at most ten short lines (a chat message on Discord and WeCom alike). */
export function headlineReply(ctx: Pick<CommandContext, 't'>, h: Headline): Reply {
  const { current: m, previous: p } = h;
  const r = ratesOf(m);
  const q = ratesOf(p);
  const lines = [
    ctx.t('stats.line.members', { members: m.members, joins: m.joins, leaves: m.leaves, net: r.netGrowth > 0 ? `+${r.netGrowth}` : r.netGrowth, change: change(r.netGrowth, q.netGrowth, '') }),
    ctx.t(m.days === 1 ? 'stats.line.dau' : 'stats.line.dauAverage', { dau: one(m.dau), rate: pct(r.dailyActiveRate), change: change(r.dailyActiveRate, q.dailyActiveRate, '%'), benchmark: pct(BENCHMARKS.dailyActiveRate) }),
    ctx.t('stats.line.wauMau', { wau: m.wau, wauRate: pct(r.weeklyActiveRate), wauChange: change(r.weeklyActiveRate, q.weeklyActiveRate, '%'), mau: m.mau, mauRate: pct(r.monthlyActiveRate), mauChange: change(r.monthlyActiveRate, q.monthlyActiveRate, '%') }),
    ctx.t('stats.line.checkin', { rate: pct(r.checkinRate), change: change(r.checkinRate, q.checkinRate, '%'), count: m.checkedIn }),
    r.speakingRate === null || m.spoke === null
      ? ctx.t('stats.line.speakingUnmeasurable')
      : ctx.t('stats.line.speaking', { rate: pct(r.speakingRate), change: change(r.speakingRate, q.speakingRate ?? 0, '%'), count: m.spoke }),
    ctx.t('stats.line.participation', { rate: pct(r.participationRate), change: change(r.participationRate, q.participationRate, '%'), count: m.participated, benchmark: pct(BENCHMARKS.participationRate) }),
    ctx.t('stats.line.interactions', { value: one(r.interactionsPer100), change: change(r.interactionsPer100, q.interactionsPer100, ''), benchmark: BENCHMARKS.interactionsPer100 }),
    ...(h.seesAllMessages ? [] : [ctx.t('stats.line.activeMeansInteracted')]),
  ];
  return { title: ctx.t(`stats.title.${h.kind}`, { from: m.period.from, to: m.period.to }), text: lines.join('\n'), ephemeral: true };
}

async function retentionReply(ctx: CommandContext, service: AnalyticsService): Promise<Reply> {
  const ratio = (x: Ratio | null): string => (x === null || x.of === 0 ? '—' : pct(x.active / x.of));
  const rows = (await service.cohorts(ctx.community, ctx.day)).map((c) => ctx.t('stats.retentionRow', { week: c.week.slice(5), size: c.size, d1: ratio(c.d1), d7: ratio(c.d7), d30: ratio(c.d30) }));
  const notes = [ctx.t('stats.retentionNote', { benchmark: pct(BENCHMARKS.retention) }), ...((await service.seesAllMessages(ctx.community.id)) ? [] : [ctx.t('stats.line.activeMeansInteracted')])];
  return { title: ctx.t('stats.retentionTitle', { weeks: RETENTION_WEEKS }), text: [...rows, ...notes].join('\n'), ephemeral: true };
}

/** `/stats history`: daily actives as a sparkline, the low and the high, the active-rate range and the member change. */
export function historyReply(ctx: CommandContext, days: readonly HistoryDay[], seesAllMessages: boolean): Reply {
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) return { text: ctx.t('stats.historyNone'), ephemeral: true };
  const low = days.reduce((a, b) => (b.active < a.active ? b : a));
  const high = days.reduce((a, b) => (b.active > a.active ? b : a));
  const rates = days.map((d) => (d.members === 0 ? 0 : d.active / d.members));
  const net = last.members - first.members;
  const lines = [
    sparkline(days.map((d) => d.active)),
    ctx.t('stats.historyRange', { min: low.active, minDay: low.day.slice(5), max: high.active, maxDay: high.day.slice(5), average: one(days.reduce((n, d) => n + d.active, 0) / days.length) }),
    ctx.t('stats.historyRates', { minRate: pct(Math.min(...rates)), maxRate: pct(Math.max(...rates)), benchmark: pct(BENCHMARKS.dailyActiveRate), first: first.members, last: last.members, net: net > 0 ? `+${net}` : net }),
    ...(seesAllMessages ? [] : [ctx.t('stats.line.activeMeansInteracted')]),
  ];
  return { title: ctx.t('stats.historyTitle', { days: days.length, from: first.day, to: last.day }), text: lines.join('\n'), ephemeral: true };
}

const PERIODS: ReadonlyArray<{ kind: PeriodKind; aliases: string[] }> = [
  { kind: 'today', aliases: ['今天', '今日'] },
  { kind: 'week', aliases: ['本周', '近7天'] },
  { kind: 'month', aliases: ['本月', '近30天'] },
];

/**
 * `/stats` (数据, 统计; admins): the headline numbers of today, the last 7 or
 * the last 30 days, the retention table, and the subcommands other features
 * add (lifecycle's members and farming).
 */
export function statsCommand(service: AnalyticsService, more: readonly LeafCommand[]): CommandSpec {
  return {
    name: 'stats',
    aliases: ['数据', '统计'],
    description: 'stats.describe',
    role: 'admin',
    defaultSubcommand: 'today',
    subcommands: [
      ...PERIODS.map(({ kind, aliases }): LeafCommand => ({
        name: kind,
        aliases,
        description: `stats.${kind}.describe`,
        role: 'admin',
        handler: async (ctx) => headlineReply(ctx, await service.headline(ctx.community, kind, ctx.day)),
      })),
      {
        name: 'history',
        aliases: ['走势', '趋势', '历史'],
        description: 'stats.history.describe',
        role: 'admin',
        args: [{ name: 'days', type: 'int', min: 1, max: HISTORY_MAX_DAYS, description: 'stats.arg.days' }],
        handler: async (ctx, args) => historyReply(ctx, await service.dailyHistory(ctx.community, ctx.day, args.optionalInt('days') ?? 14), await service.seesAllMessages(ctx.community.id)),
      },
      { name: 'retention', aliases: ['留存'], description: 'stats.retention.describe', role: 'admin', handler: (ctx) => retentionReply(ctx, service) },
      ...more,
    ],
  };
}
