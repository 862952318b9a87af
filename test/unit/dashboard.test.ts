/** The dashboard's pure parts: signed links and sessions, the CSV, and the chart definitions. */
import { describe, expect, it } from 'vitest';
import { activeChart, growthChart, retentionChart, segmentsChart } from '../../src/features/analytics/charts.js';
import type { DailyRollup } from '../../src/features/analytics/rules.js';
import { toCsv } from '../../src/features/dashboard/csv.js';
import { covers, signToken, verifyToken } from '../../src/features/dashboard/token.js';

const KEY = Buffer.alloc(32, 7);
const NOW = Date.UTC(2026, 10, 30, 12);

describe('dashboard tokens', () => {
  it('a link verifies until it expires, for its community only', () => {
    const link = signToken(KEY, 'link', { all: false, communityId: 3 }, NOW + 15 * 60_000);
    expect(verifyToken(KEY, 'link', link, NOW)).toEqual({ all: false, communityId: 3 });
    expect(verifyToken(KEY, 'link', link, NOW + 15 * 60_000 - 1)).toEqual({ all: false, communityId: 3 });
    expect(verifyToken(KEY, 'link', link, NOW + 15 * 60_000)).toBeUndefined();
    const scope = verifyToken(KEY, 'link', link, NOW);
    expect(scope && covers(scope, 3)).toBe(true);
    expect(scope && covers(scope, 4)).toBe(false);
    expect(covers({ all: true }, 4)).toBe(true);
  });

  it('refuses a tampered scope, expiry or mac, another key, and a link used as a session', () => {
    const link = signToken(KEY, 'link', { all: false, communityId: 3 }, NOW + 60_000);
    const [kind, , expiry, mac] = link.split('.') as [string, string, string, string];
    expect(verifyToken(KEY, 'link', [kind, '4', expiry, mac].join('.'), NOW)).toBeUndefined();
    expect(verifyToken(KEY, 'link', [kind, 'all', expiry, mac].join('.'), NOW)).toBeUndefined();
    expect(verifyToken(KEY, 'link', [kind, '3', (NOW + 10 * 86_400_000).toString(36), mac].join('.'), NOW)).toBeUndefined();
    expect(verifyToken(KEY, 'link', [kind, '3', expiry, `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`].join('.'), NOW)).toBeUndefined();
    expect(verifyToken(Buffer.alloc(32, 8), 'link', link, NOW)).toBeUndefined();
    expect(verifyToken(KEY, 'session', link, NOW)).toBeUndefined();
    expect(verifyToken(KEY, 'session', ['s', '3', expiry, mac].join('.'), NOW)).toBeUndefined();
    for (const junk of ['', '...', 'l.3.x', `${link}.extra`, 'l.03.abc.def', 'l.-1.abc.def']) expect(verifyToken(KEY, 'link', junk, NOW), junk).toBeUndefined();
  });

  it('an operator session covers every community', () => {
    const session = signToken(KEY, 'session', { all: true }, NOW + 3_600_000);
    expect(session.startsWith('s.all.')).toBe(true);
    expect(verifyToken(KEY, 'session', session, NOW)).toEqual({ all: true });
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, neutralises formulas in text, and keeps numbers as numbers', () => {
    const csv = toCsv(['name', 'n'], [
      ['plain', 1],
      ['a,b', -3],
      ['say "hi"', 0],
      ['two\nlines', null],
      ['=1+1', 2],
      ['+cmd', 3],
      ['-2', 4],
      ['@SUM(A1)', 5],
      ['\tx', 6],
      ['=HYPERLINK("http://x","y")', 7],
      ['名字', 8.5],
    ]);
    expect(csv.split('\r\n')).toEqual([
      'name,n',
      'plain,1',
      '"a,b",-3',
      '"say ""hi""",0',
      '"two\nlines",',
      "'=1+1,2",
      "'+cmd,3",
      "'-2,4",
      "'@SUM(A1),5",
      "'\tx,6",
      `"'=HYPERLINK(""http://x"",""y"")",7`,
      '名字,8.5',
      '',
    ]);
  });
});

const day = (d: string, over: Partial<DailyRollup> = {}): DailyRollup => ({
  day: d, members: 20, joins: 0, leaves: 0, messages: 0, commands: 0,
  active: 0, active7: 0, active30: 0, speakers: 0, speakers7: 0, speakers30: 0, checkins: 0, checkins7: 0, checkins30: 0, participants: 0, participants7: 0, participants30: 0,
  ...over,
});

describe('chart definitions', () => {
  const days = [day('2026-11-01', { active: 3, active7: 5, active30: 9, joins: 2 }), day('2026-11-02', { active: 4, active7: 6, active30: 9, leaves: 1, members: 0 })];

  it('are plain JSON (no functions), so the page and a server-side renderer get the same options', () => {
    const options = [
      activeChart(days, { title: 'A', dau: 'DAU', wau: 'WAU', mau: 'MAU', activeRate: 'rate', benchmark: '15%' }),
      growthChart(days, { title: 'G', joins: 'J', leaves: 'L', net: 'N' }),
      retentionChart([{ week: '2026-11-02', size: 4, d1: { active: 1, of: 4 }, d7: null, d30: null }], { title: 'R', d1: 'D1', d7: 'D7', d30: 'D30', cohort: '{week} ({size})', benchmark: '50%' }),
      segmentsChart([{ day: '2026-11-01', counts: { active: 2 } }], ['new', 'active'], { title: 'S', segments: { new: 'New', active: 'Active' } }),
    ];
    for (const option of options) expect(JSON.parse(JSON.stringify(option))).toEqual(option);
  });

  it('active: the three actives, the daily rate in percent (none without members) and the 15% line', () => {
    const option = activeChart(days, { title: 'A', dau: 'DAU', wau: 'WAU', mau: 'MAU', activeRate: 'rate', benchmark: '15%' }) as { series: Array<{ id: string; data: unknown[]; markLine?: { data: Array<{ yAxis: number }> } }> };
    const byId = Object.fromEntries(option.series.map((s) => [s.id, s]));
    expect(byId.dau?.data).toEqual([3, 4]);
    expect(byId.wau?.data).toEqual([5, 6]);
    expect(byId.mau?.data).toEqual([9, 9]);
    expect(byId.activeRate?.data).toEqual([15, null]);
    expect(byId.activeRate?.markLine?.data).toEqual([{ yAxis: 15 }]);
  });

  it('growth: joins up, leaves down, the net; retention: a cell per measured day, the cohort labels filled in', () => {
    const growth = growthChart(days, { title: 'G', joins: 'J', leaves: 'L', net: 'N' }) as { series: Array<{ data: unknown[] }> };
    expect(growth.series.map((s) => s.data)).toEqual([[2, 0], [0, -1], [2, -1]]);
    const retention = retentionChart(
      [
        { week: '2026-11-09', size: 2, d1: null, d7: null, d30: null },
        { week: '2026-11-02', size: 3, d1: { active: 2, of: 3 }, d7: { active: 0, of: 3 }, d30: null },
      ],
      { title: 'R', d1: 'D1', d7: 'D7', d30: 'D30', cohort: '{week} ({size})', benchmark: '50%' },
    ) as { yAxis: { data: string[] }; series: Array<{ data: unknown[] }> };
    expect(retention.yAxis.data).toEqual(['11-02 (3)', '11-09 (2)']);
    expect(retention.series[0]?.data).toEqual([[0, 0, 66.7], [1, 0, 0]]);
  });
});
