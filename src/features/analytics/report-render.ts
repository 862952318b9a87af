/**
 * A chart definition (charts.ts, the dashboard's) rendered on the server to a
 * PNG: ECharts' SSR renderer draws the SVG, resvg turns it into pixels with
 * the bundled Noto Sans SC only (no system font is loaded, so a server with
 * no CJK font draws Chinese labels all the same).
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { REPORT_FONT_FAMILY, type ReportFonts } from './report-fonts.js';

export interface ChartSize {
  width: number;
  height: number;
}

/** Chart option → PNG bytes (synchronous: it may run inside a unit of work). */
export type ChartRenderer = (option: EChartsOption, size?: ChartSize) => Buffer;

export const REPORT_CHART_SIZE: ChartSize = { width: 800, height: 400 };

/** The chart as an SVG string, every text in the bundled font. */
export function chartSvg(option: EChartsOption, size: ChartSize = REPORT_CHART_SIZE): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ backgroundColor: '#ffffff', ...option, textStyle: { fontFamily: REPORT_FONT_FAMILY } });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** What renderPng used, for a caller that wants to know (tests: which font files were loaded). */
export interface RenderDetail {
  png: Buffer;
  fontFiles: string[];
  /** The picture as RGBA bytes, row by row. */
  pixels: Buffer;
  width: number;
}

export function svgToPng(svg: string, fonts: ReportFonts): RenderDetail {
  const fontFiles = fonts.filesFor(svg);
  const image = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: REPORT_FONT_FAMILY, sansSerifFamily: REPORT_FONT_FAMILY },
    background: '#ffffff',
  }).render();
  return { png: image.asPng(), fontFiles, pixels: image.pixels, width: image.width };
}

export function createChartRenderer(fonts: ReportFonts): ChartRenderer {
  return (option, size) => svgToPng(chartSvg(option, size), fonts).png;
}
