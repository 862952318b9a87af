/**
 * The benchmark report as Markdown (bench/results/latest.md): a header naming
 * the machine and the date, then one table row per figure with the baseline
 * measured beside it in the same run, their ratio, the target and whether it
 * was met. Pure functions: bench/run.ts gathers the data and writes the file.
 */
import { formatNumber, type BenchRow, type BenchTarget } from './harness.js';

export interface BenchEnvironment {
  cpu: string;
  cores: number;
  memGiB: number;
  node: string;
  sqlite: string;
  commit: string;
  /** os.loadavg() (1, 5, 15 min) when the run started and when it ended: the machine may be shared. */
  loadAvg?: { start: number[]; end?: number[] };
}

export interface ModuleResult {
  name: string;
  description: string;
  durationMs: number;
  rows: BenchRow[];
  error?: string;
}

export interface BenchReport {
  startedAt: string;
  durationMs: number;
  quick: boolean;
  filters: string[];
  environment: BenchEnvironment;
  modules: ModuleResult[];
}

/** The figure divided by its baseline, when it has one (and the baseline is not zero). */
export function ratioToBaseline(row: BenchRow): number | undefined {
  if (!row.baseline || row.baseline.value === 0 || !Number.isFinite(row.baseline.value)) return undefined;
  return row.value / row.baseline.value;
}

/** Whether the row meets its target: undefined when it has none, or when the target is on a ratio it cannot compute. */
export function targetMet(row: BenchRow): boolean | undefined {
  const { target } = row;
  if (!target) return undefined;
  const actual = target.on === 'ratio' ? ratioToBaseline(row) : row.value;
  if (actual === undefined || !Number.isFinite(actual)) return undefined;
  return target.op === '>=' ? actual >= target.value : actual <= target.value;
}

function withUnit(value: number, unit: string): string {
  return unit === 'x' ? `${formatNumber(value, unit)}×` : `${formatNumber(value, unit)} ${unit}`;
}

function describeTarget(target: BenchTarget, unit: string): string {
  const op = target.op === '>=' ? '≥' : '≤';
  return target.on === 'ratio' ? `${op} ${formatNumber(target.value, 'x')}× baseline` : `${op} ${withUnit(target.value, unit)}`;
}

/** A table cell: no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function loadText(load: number[] | undefined): string {
  return load ? load.map((l) => l.toFixed(2)).join(' / ') : '?';
}

export function renderMarkdown(report: BenchReport): string {
  const env = report.environment;
  const lines = [
    `# qunbot benchmark report${report.quick ? ' (quick)' : ''}`,
    '',
    `- date: ${report.startedAt} (${(report.durationMs / 1e3).toFixed(0)} s)`,
    `- machine: ${env.cpu}, ${env.cores} cores, ${env.memGiB} GiB memory`,
    `- node ${env.node}, SQLite ${env.sqlite}, commit ${env.commit}`,
  ];
  if (env.loadAvg) lines.push(`- load average (1/5/15 min): ${loadText(env.loadAvg.start)} at the start, ${loadText(env.loadAvg.end)} at the end (${env.cores} cores)`);
  if (report.filters.length) lines.push(`- modules: ${report.modules.map((m) => m.name).join(', ')} (filter: ${report.filters.join(' ')})`);
  lines.push('', 'Baselines are measured in the same run, on the same machine, right beside the figure; compare ratios rather than absolute values across machines.', '');
  lines.push('| figure | value | baseline (same run) | ratio | target | met |', '|---|---:|---|---:|---|:---:|');
  for (const module of report.modules) {
    if (module.error) lines.push(`| ${cell(`${module.name}: FAILED`)} | | | | | ${cell(module.error.split('\n')[0] ?? '')} |`);
    for (const row of module.rows) {
      const ratio = ratioToBaseline(row);
      const met = targetMet(row);
      lines.push(
        `| ${[
          cell(`${module.name}: ${row.name}`),
          cell(withUnit(row.value, row.unit)),
          row.baseline ? cell(`${row.baseline.name}: ${withUnit(row.baseline.value, row.unit)}`) : '',
          ratio === undefined ? '' : `${formatNumber(ratio, 'x')}×`,
          row.target ? cell(describeTarget(row.target, row.unit)) : '',
          met === undefined ? '—' : met ? 'yes' : 'no',
        ].join(' | ')} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
