import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DailyRollup } from '../../src/features/analytics/rules.js';
import { createReportFonts, parseChunks, woffToSfnt, type ReportFonts } from '../../src/features/analytics/report-fonts.js';
import { chartSvg, svgToPng, type RenderDetail } from '../../src/features/analytics/report-render.js';
import { reportChart } from '../../src/features/analytics/report.js';
import { I18n } from '../../src/core/i18n.js';
import { analyticsMessages } from '../../src/features/analytics/messages.js';
import { dashboardMessages } from '../../src/features/dashboard/messages.js';

const cache = mkdtempSync(join(tmpdir(), 'qunbot-fonts-test-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const days: DailyRollup[] = Array.from({ length: 7 }, (_, i) => ({
  day: `2026-11-${16 + i}`, members: 120, joins: i % 3, leaves: i % 2, messages: 40 + i, commands: 9,
  active: 12 + 3 * i, active7: 40 + i, active30: 70, speakers: 8, speakers7: 20, speakers30: 40,
  checkins: 5, checkins7: 12, checkins30: 30, participants: 2, participants7: 6, participants30: 9,
} as DailyRollup));

/** The number of pixels that differ between two renders of the same size inside a rectangle. */
function differing(a: RenderDetail, b: RenderDetail, box: { x: number; y: number; w: number; h: number }): number {
  let n = 0;
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      const i = (y * a.width + x) * 4;
      if (a.pixels[i] !== b.pixels[i] || a.pixels[i + 1] !== b.pixels[i + 1] || a.pixels[i + 2] !== b.pixels[i + 2]) n++;
    }
  }
  return n;
}

describe('the weekly report chart as a PNG', () => {
  it('converts the bundled WOFF chunks to sfnt fonts resvg reads', () => {
    const pkg = dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-sc/package.json'));
    const chunks = parseChunks(readFileSync(join(pkg, '400.css'), 'utf8'));
    expect(chunks.length).toBeGreaterThan(100);
    const woff = readFileSync(join(pkg, 'files', chunks[0]?.file ?? ''));
    const sfnt = woffToSfnt(woff);
    // The sfnt keeps WOFF's flavor and table count, and is larger (the tables are inflated).
    expect(sfnt.readUInt32BE(0)).toBe(woff.readUInt32BE(4));
    expect(sfnt.readUInt16BE(4)).toBe(woff.readUInt16BE(12));
    expect(sfnt.length).toBeGreaterThan(woff.length);
    expect(() => woffToSfnt(Buffer.from('not a font at all, not at all, really not at all'))).toThrow('not a WOFF');
  });

  it('draws Chinese labels with the bundled font only: the title area differs from a render without the title, and is blank without the fonts', () => {
    const i18n = new I18n();
    i18n.add(analyticsMessages);
    i18n.add(dashboardMessages);
    const t = i18n.translator('zh-CN');
    const option = reportChart(t, days);
    const withTitle = chartSvg(option);
    expect(withTitle).toContain('日活 / 周活 / 月活');
    const withoutTitle = chartSvg({ ...option, title: { ...(option.title as object), text: '' } });
    const fonts = createReportFonts(cache);
    const a = svgToPng(withTitle, fonts);
    const b = svgToPng(withoutTitle, fonts);
    // Only converted Noto Sans SC chunks from the cache folder were given to resvg, the one with 周 among them.
    expect(a.fontFiles.length).toBeGreaterThan(1);
    expect(a.fontFiles.every((f) => f.startsWith(cache) && f.endsWith('.ttf'))).toBe(true);
    // The title sits at the top left (charts.ts: left 0, top 0, 14 px).
    const titleBox = { x: 0, y: 0, w: 200, h: 22 };
    expect(differing(a, b, titleBox)).toBeGreaterThan(100);
    // With no font files at all (and system fonts never loaded) the title draws nothing: the glyphs above came from the bundle.
    const none: ReportFonts = { filesFor: () => [] };
    expect(differing(svgToPng(withTitle, none), svgToPng(withoutTitle, none), titleBox)).toBe(0);
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync(join('test-artifacts', 'weekly-report-chart-zh.png'), a.png);
    expect(a.png.subarray(1, 4).toString()).toBe('PNG');
  });
});
