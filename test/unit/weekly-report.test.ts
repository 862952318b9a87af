import { describe, expect, it } from 'vitest';
import type { CommunityInfo } from '../../src/core/context.js';
import { countAlerts, WeeklyReports, type WeeklyReportConfig, type WeeklyReportDeps } from '../../src/features/analytics/report.js';

const config: WeeklyReportConfig = { enabled: true, weekday: 'monday', time: '09:00', discordChannel: {}, wecomAdminGroup: {} };
/** dueWeek and desired read only the configuration. */
const reports = (over: Partial<WeeklyReportConfig> = {}) => new WeeklyReports({ config: { ...config, ...over } } as unknown as WeeklyReportDeps);
const community = (timezone: string, dayStartHour = 0): CommunityInfo => ({ id: 1, platform: 'discord', externalId: 'g', name: 'g', locale: 'en', timezone, dayStartHour });

describe('the weekly report’s moment and week', () => {
  it('is due from the configured local time for a day, and reports the 7 community days before', () => {
    const r = reports();
    const shanghai = community('Asia/Shanghai');
    expect(r.dueWeek(shanghai, new Date('2026-11-23T00:59:59Z'))).toBeUndefined(); // 08:59 Monday there
    expect(r.dueWeek(shanghai, new Date('2026-11-23T01:00:00Z'))).toEqual({ moment: new Date('2026-11-23T01:00:00Z'), from: '2026-11-16', to: '2026-11-22' });
    expect(r.dueWeek(shanghai, new Date('2026-11-24T00:59:59Z'))?.from).toBe('2026-11-16');
    expect(r.dueWeek(shanghai, new Date('2026-11-24T01:00:00Z'))).toBeUndefined(); // a day late: skipped
  });

  it('follows the community’s timezone across DST and its day-start hour', () => {
    const r = reports({ weekday: 'sunday', time: '20:30' });
    // New York: EDT until Nov 1 2026, EST after; Sunday 20:30 local is 00:30Z (EDT) / 01:30Z (EST) on Monday.
    const ny = community('America/New_York');
    expect(r.dueWeek(ny, new Date('2026-10-26T00:30:00Z'))?.moment).toEqual(new Date('2026-10-26T00:30:00Z'));
    expect(r.dueWeek(ny, new Date('2026-11-09T00:30:00Z'))).toBeUndefined();
    expect(r.dueWeek(ny, new Date('2026-11-09T01:30:00Z'))).toMatchObject({ from: '2026-11-01', to: '2026-11-07' });
    // A day that starts at 21:00: Sunday 20:30 still belongs to Saturday's community day, so the week ends Friday.
    expect(reports({ weekday: 'sunday', time: '20:30' }).dueWeek(community('UTC', 21), new Date('2026-11-22T20:30:00Z'))).toMatchObject({ from: '2026-11-14', to: '2026-11-20' });
  });

  it('asks for one hourly scheduler at the configured minute, none when off', () => {
    expect(reports({ time: '07:45' }).desired().schedulers).toEqual([{ id: 'analytics-weekly', pattern: '45 * * * *', timezone: 'UTC', job: { kind: 'analytics-weekly', id: 0 } }]);
    expect(reports({ enabled: false }).desired()).toEqual({ timers: [], schedulers: [], schedulerPrefixes: ['analytics-weekly'] });
  });
});

describe('the week’s alerts', () => {
  it('counts each kind once per day however many admins it went to, and leaves recoveries out', () => {
    expect(
      countAlerts([
        'analytics-low-active-3-2026-11-17-u1',
        'analytics-low-active-3-2026-11-17-u2',
        'analytics-low-active-3-2026-11-18',
        'analytics-low-active-recovered-3-2026-11-19',
        'analytics-week-drop-3-2026-11-18',
        'analytics-leave-spike-3-2026-11-20',
        'analytics-join-spike-3-2026-11-21-u1',
        'moderation-something-else',
      ]),
    ).toEqual({ lowActive: 2, weekDrop: 1, joinSpike: 1, leaveSpike: 1 });
  });
});
