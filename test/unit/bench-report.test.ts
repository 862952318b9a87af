import { describe, expect, it } from 'vitest';
import type { BenchRow } from '../../bench/harness.js';
import { ratioToBaseline, renderMarkdown, targetMet, type BenchReport } from '../../bench/report.js';

function report(rows: BenchRow[], extra: Partial<BenchReport> = {}): BenchReport {
  return {
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 61_000,
    quick: false,
    filters: [],
    environment: { cpu: 'AMD EPYC', cores: 2, memGiB: 23, node: 'v20.20.2', sqlite: '3.53.2', commit: 'abc1234', loadAvg: { start: [3, 2, 1], end: [4.5, 2, 1] } },
    modules: [{ name: 'm', description: 'd', durationMs: 1, rows }],
    ...extra,
  };
}

/** The table's data rows, split into trimmed cells. */
function tableRows(md: string): string[][] {
  return md
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| figure'))
    .map((l) =>
      l
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe('bench report', () => {
  it('computes the ratio to the baseline and judges targets on the value or on the ratio', () => {
    const row: BenchRow = { name: 'core', value: 300, unit: 'ops/s', baseline: { name: 'raw', value: 1000 } };
    expect(ratioToBaseline(row)).toBeCloseTo(0.3);
    expect(targetMet({ ...row, target: { op: '>=', value: 0.25, on: 'ratio' } })).toBe(true);
    expect(targetMet({ ...row, target: { op: '>=', value: 0.4, on: 'ratio' } })).toBe(false);
    expect(targetMet({ ...row, target: { op: '<=', value: 300 } })).toBe(true);
    expect(targetMet({ ...row, target: { op: '<=', value: 299 } })).toBe(false);
    expect(targetMet(row)).toBeUndefined();
    // A ratio target without a usable baseline cannot be judged.
    expect(targetMet({ name: 'x', value: 1, unit: 'x', target: { op: '>=', value: 1, on: 'ratio' } })).toBeUndefined();
    expect(ratioToBaseline({ ...row, baseline: { name: 'zero', value: 0 } })).toBeUndefined();
  });

  it('renders a header naming the machine and date, and one row per figure with baseline, ratio, target and met', () => {
    const md = renderMarkdown(
      report([
        { name: 'core /checkin', value: 1234.5, unit: 'ops/s', baseline: { name: 'raw SQL', value: 2469 }, target: { op: '>=', value: 0.6, on: 'ratio' } },
        { name: 'p99 after burst', value: 12.34, unit: 'ms', target: { op: '<=', value: 20 } },
        { name: 'seed | rows', value: 2.5, unit: 's' },
        { name: 'ratio', value: 0.75, unit: 'x', target: { op: '>=', value: 0.6 } },
      ]),
    );
    expect(md).toContain('2025-01-02T03:04:05.000Z');
    expect(md).toContain('AMD EPYC, 2 cores, 23 GiB memory');
    expect(md).toContain('node v20.20.2, SQLite 3.53.2, commit abc1234');
    expect(md).toContain('3.00 / 2.00 / 1.00 at the start, 4.50 / 2.00 / 1.00 at the end');
    expect(md).toContain('| figure | value | baseline (same run) | ratio | target | met |');
    expect(tableRows(md)).toEqual([
      ['m: core /checkin', '1,235 ops/s', 'raw SQL: 2,469 ops/s', '0.50×', '≥ 0.60× baseline', 'no'],
      ['m: p99 after burst', '12.3 ms', '', '', '≤ 20.0 ms', 'yes'],
      ['m: seed \\| rows', '2.50 s', '', '', '', '—'],
      ['m: ratio', '0.75×', '', '', '≥ 0.60×', 'yes'],
    ]);
  });

  it('shows a failed module as a row with its first error line', () => {
    const md = renderMarkdown(report([], { quick: true, modules: [{ name: 'tail', description: 'd', durationMs: 1, rows: [], error: 'Error: boom\n    at x' }] }));
    expect(md).toContain('(quick)');
    expect(tableRows(md)).toEqual([['tail: FAILED', '', '', '', '', 'Error: boom']]);
  });
});
