/**
 * `npm run bench [-- <filter>...] [--quick] [--list]`: runs the benchmark
 * modules in sequence, prints one table on stdout (progress goes to stderr)
 * and writes the results to bench/results/latest.json and, as a Markdown
 * table with baselines, ratios and targets, bench/results/latest.md
 * (both git-ignored; see bench/report.ts).
 *
 * To add a benchmark: write bench/<name>.ts exporting a `BenchModule`
 * (see bench/harness.ts) whose `run(ctx)` returns rows, and list it in
 * MODULES below. A filter runs the module of that name, or else the
 * modules whose name contains it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { activitiesBench } from './activities.js';
import { analyticsBench } from './analytics.js';
import { checkinBench } from './checkin.js';
import { checkinPartsBench } from './checkin-parts.js';
import { discordBench } from './discord.js';
import { formatMicros, formatNumber, makeContext, type BenchModule } from './harness.js';
import { leaderboardBench } from './leaderboard.js';
import { postgresBench } from './postgres.js';
import { scaleBench } from './scale.js';
import { renderMarkdown, type BenchEnvironment, type BenchReport, type ModuleResult } from './report.js';
import { tailBench } from './tail.js';
import { timersBench } from './timers.js';
import { wecomBench } from './wecom.js';
import { queryLayerBench } from './query-layer.js';
import { lotteryPrizesBench } from './lottery-prizes.js';
import { weeklyReportBench } from './weekly-report.js';
import { shopBench } from './shop.js';
import { moderationBench } from './moderation.js';

const MODULES: readonly BenchModule[] = [checkinBench, checkinPartsBench, queryLayerBench, leaderboardBench, timersBench, discordBench, wecomBench, tailBench, activitiesBench, lotteryPrizesBench, shopBench, moderationBench, analyticsBench, weeklyReportBench, postgresBench, scaleBench];

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_FILE = join(BENCH_DIR, 'results', 'latest.json');
const REPORT_FILE = join(BENCH_DIR, 'results', 'latest.md');

async function main(argv: readonly string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const filters = argv.filter((a) => !a.startsWith('--')).map((a) => a.toLowerCase());
  if (flags.has('--help') || flags.has('--list')) {
    console.log('usage: npm run bench [-- <filter>...] [--quick] [--list]\n\nmodules:');
    for (const m of MODULES) console.log(`  ${m.name.padEnd(14)} ${m.description}`);
    return 0;
  }
  const unknownFlags = [...flags].filter((f) => f !== '--quick');
  if (unknownFlags.length) {
    console.error(`unknown option ${unknownFlags.join(', ')}; try --list`);
    return 2;
  }
  // A filter that names a module exactly selects just it (`checkin` is not `checkin-parts`); otherwise it matches as a substring.
  const matches = (f: string) => (MODULES.some((m) => m.name.toLowerCase() === f) ? (m: BenchModule) => m.name.toLowerCase() === f : (m: BenchModule) => m.name.toLowerCase().includes(f));
  const selected = filters.length ? MODULES.filter((m) => filters.some((f) => matches(f)(m))) : MODULES;
  if (!selected.length) {
    console.error(`no benchmark matches ${filters.join(', ')}; modules: ${MODULES.map((m) => m.name).join(', ')}`);
    return 2;
  }

  const quick = flags.has('--quick');
  const env = environment();
  process.stderr.write(`qunbot bench: ${selected.map((m) => m.name).join(', ')}${quick ? ' (quick)' : ''} on ${env.cpu} ×${env.cores}, node ${env.node}, SQLite ${env.sqlite}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const startedAt = new Date();
  const results: ModuleResult[] = [];
  for (const module of selected) {
    process.stderr.write(`> ${module.name}: ${module.description}\n`);
    const ctx = makeContext(quick);
    const t0 = performance.now();
    try {
      results.push({ name: module.name, description: module.description, rows: await module.run(ctx), durationMs: performance.now() - t0 });
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`  FAILED: ${message}\n`);
      results.push({ name: module.name, description: module.description, rows: [], durationMs: performance.now() - t0, error: message });
    } finally {
      ctx.cleanup();
    }
    process.stderr.write(`  (${((performance.now() - t0) / 1e3).toFixed(1)} s)\n`);
  }

  console.log(renderTable(results));
  env.loadAvg = { start: env.loadAvg?.start ?? [], end: loadavg() };
  const report: BenchReport = { startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), quick, filters, environment: env, modules: results };
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(REPORT_FILE, renderMarkdown(report));
  console.log(`\nresults: ${relative(process.cwd(), RESULTS_FILE)}, ${relative(process.cwd(), REPORT_FILE)}`);
  return results.some((r) => r.error) ? 1 : 0;
}

function environment(): BenchEnvironment {
  const mem = new Database(':memory:');
  const sqlite = mem.prepare('SELECT sqlite_version() AS v').pluck().get() as string;
  mem.close();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['describe', '--always', '--dirty'], { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return { node: process.version, sqlite, cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), commit, loadAvg: { start: loadavg() } };
}

function renderTable(results: readonly ModuleResult[]): string {
  const header = ['bench', 'case', 'result', 'p50', 'p99', 'n', 'notes'];
  const lines: string[][] = [];
  for (const r of results) {
    if (r.error) lines.push([r.name, 'FAILED', '', '', '', '', r.error.split('\n')[0] ?? '']);
    for (const row of r.rows) {
      lines.push([r.name, row.name, `${formatNumber(row.value, row.unit)} ${row.unit}`, formatMicros(row.p50Us), formatMicros(row.p99Us), row.n === undefined ? '' : row.n.toLocaleString('en-US'), row.note ?? '']);
    }
  }
  // Numbers right-aligned, text left-aligned; the notes column is not padded.
  const right = new Set([2, 3, 4, 5]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join(' │ ')
      .trimEnd();
  const rule = widths.map((w, i) => '─'.repeat(i === widths.length - 1 ? Math.min(w, 40) : w)).join('─┼─');
  return [fmt(header), rule, ...lines.map(fmt)].join('\n');
}

process.exitCode = await main(process.argv.slice(2));
