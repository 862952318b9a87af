/**
 * The dashboard's charts, defined once: pure functions from a community's
 * numbers and the labels (already in its language) to Apache ECharts option
 * objects. No DOM and no functions inside the options (formatters are
 * template strings), so an option is plain JSON: the dashboard API sends it
 * to the page as it is, and a server-side renderer (the weekly report) can
 * give the same option to ECharts' SVG renderer in Node.
 */
import type { EChartsOption } from 'echarts';
import type { Day } from '../../core/community-day.js';
import { BENCHMARKS, type CohortRow, type DailyRollup } from './rules.js';

/** A share as a percentage with one decimal (0.1234 → 12.3); null stays null (not measurable, or no one to measure). */
export function percent(part: number, of: number): number | null {
  return of === 0 ? null : Math.round((part / of) * 1000) / 10;
}

const COLORS = ['#3b6cf6', '#14a37f', '#f08c2e', '#8a5cf6', '#e0457b', '#6b7280'];
const base = (title: string): EChartsOption => ({
  // Drawn at once: a page or a server-side render reads the final picture, not a frame of the animation.
  animation: false,
  color: COLORS,
  title: { text: title, left: 0, top: 0, textStyle: { fontSize: 14 } },
  tooltip: { trigger: 'axis', confine: true },
  legend: { top: 24, left: 0, type: 'scroll' },
  grid: { left: 8, right: 8, top: 64, bottom: 8, containLabel: true },
});

export interface ActiveChartLabels {
  title: string;
  dau: string;
  wau: string;
  mau: string;
  activeRate: string;
  /** The benchmark line's label ("健康线 15%"). */
  benchmark: string;
}

/** Daily, weekly and monthly actives per day, and the daily active rate (right axis) against the 15% benchmark line. */
export function activeChart(days: readonly DailyRollup[], labels: ActiveChartLabels): EChartsOption {
  return {
    ...base(labels.title),
    xAxis: { type: 'category', data: days.map((d) => d.day) },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', min: 0, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
    ],
    series: [
      { id: 'dau', name: labels.dau, type: 'line', symbol: 'none', data: days.map((d) => d.active) },
      { id: 'wau', name: labels.wau, type: 'line', symbol: 'none', data: days.map((d) => d.active7) },
      { id: 'mau', name: labels.mau, type: 'line', symbol: 'none', data: days.map((d) => d.active30) },
      {
        id: 'activeRate',
        name: labels.activeRate,
        type: 'line',
        yAxisIndex: 1,
        symbol: 'none',
        lineStyle: { type: 'dashed' },
        data: days.map((d) => percent(d.active, d.members)),
        markLine: { silent: true, symbol: 'none', lineStyle: { color: '#e0457b' }, label: { formatter: labels.benchmark, position: 'insideEndTop' }, data: [{ yAxis: BENCHMARKS.dailyActiveRate * 100 }] },
      },
    ],
  };
}

export interface GrowthChartLabels {
  title: string;
  joins: string;
  leaves: string;
  net: string;
}

/** Joins up, leaves down (negative bars), and the net growth per day. */
export function growthChart(days: readonly DailyRollup[], labels: GrowthChartLabels): EChartsOption {
  return {
    ...base(labels.title),
    color: ['#14a37f', '#e0457b', '#3b6cf6'],
    xAxis: { type: 'category', data: days.map((d) => d.day) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { id: 'joins', name: labels.joins, type: 'bar', stack: 'flow', data: days.map((d) => d.joins) },
      { id: 'leaves', name: labels.leaves, type: 'bar', stack: 'flow', data: days.map((d) => (d.leaves === 0 ? 0 : -d.leaves)) },
      { id: 'net', name: labels.net, type: 'line', symbol: 'none', data: days.map((d) => d.joins - d.leaves) },
    ],
  };
}

export interface RetentionChartLabels {
  title: string;
  /** Column names: D1, D7, D30 (次日, 7日, 30日). */
  d1: string;
  d7: string;
  d30: string;
  /** The row label of a cohort: `{week}` and `{size}` are filled in. */
  cohort: string;
  /** Under the title: the benchmark ("良好线 50%"). */
  benchmark: string;
}

/**
 * The retention cohort table as a heat map: a row per join week (the oldest
 * at the top), a column per day after joining, each cell the percentage of
 * the cohort active that day (green at and above the 50% benchmark); an
 * empty cell where the day is not over for anyone in the cohort.
 */
export function retentionChart(cohorts: readonly CohortRow[], labels: RetentionChartLabels): EChartsOption {
  const rows = [...cohorts].sort((a, b) => a.week.localeCompare(b.week));
  const data: Array<[number, number, number]> = [];
  rows.forEach((c, y) => {
    (['d1', 'd7', 'd30'] as const).forEach((k, x) => {
      const r = c[k];
      const value = r === null ? null : percent(r.active, r.of);
      if (value !== null) data.push([x, y, value]);
    });
  });
  const good = BENCHMARKS.retention * 100;
  return {
    ...base(labels.title),
    title: { text: labels.title, subtext: labels.benchmark, left: 0, top: 0, textStyle: { fontSize: 14 } },
    tooltip: { position: 'top', confine: true },
    legend: { show: false },
    grid: { left: 8, right: 8, top: 64, bottom: 40, containLabel: true },
    xAxis: { type: 'category', position: 'top', data: [labels.d1, labels.d7, labels.d30], splitArea: { show: true } },
    yAxis: { type: 'category', inverse: true, data: rows.map((c) => labels.cohort.replace('{week}', c.week.slice(5)).replace('{size}', String(c.size))), splitArea: { show: true } },
    visualMap: {
      type: 'piecewise',
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      pieces: [
        { min: good, color: '#14a37f', label: `≥ ${good}%` },
        { min: good / 2, max: good, color: '#9bd3a8', label: `${good / 2}% – ${good}%` },
        { min: 0, max: good / 2, color: '#f6d7a7', label: `< ${good / 2}%` },
      ],
    },
    series: [{ id: 'retention', name: labels.title, type: 'heatmap', data, label: { show: true, formatter: '{@[2]}%' } }],
  };
}

export interface SegmentDay {
  day: Day;
  counts: Readonly<Record<string, number>>;
}

export interface SegmentChartLabels {
  title: string;
  /** Segment → its name. */
  segments: Readonly<Record<string, string>>;
}

/** Members by segment over time (the daily snapshots), stacked. */
export function segmentsChart(days: readonly SegmentDay[], order: readonly string[], labels: SegmentChartLabels): EChartsOption {
  return {
    ...base(labels.title),
    xAxis: { type: 'category', data: days.map((d) => d.day) },
    yAxis: { type: 'value', minInterval: 1 },
    series: order.map((s) => ({ id: s, name: labels.segments[s] ?? s, type: 'line' as const, stack: 'members', areaStyle: {}, symbol: 'none', data: days.map((d) => d.counts[s] ?? 0) })),
  };
}
