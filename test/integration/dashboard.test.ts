/**
 * The dashboard over HTTP (fastify's inject, the app's own routes): the
 * /dashboard link and the session it opens, refusals (no cookie, an expired,
 * tampered or other community's link), the operator token, and the numbers
 * of the data API and the CSV on a scripted history, against the rollups.
 */
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import type { CommunityInfo } from '../../src/core/context.js';
import type { DashboardData } from '../../src/features/dashboard/index.js';
import { testApps, type TestApp } from '../helpers/app.js';
import { T0, at, chatter, scriptedHistory } from '../helpers/analytics.js';

const app = testApps({ jobs: { reconcileIntervalMs: 60_000 }, analytics: { alerts: { enabled: false } } });

/** The link in the reply to `/dashboard` (the playground's replies are private). */
async function linkFor(t: TestApp, user = 'admin', community = t.chat.communityId): Promise<string> {
  const replies = await t.app.router.handle({ ...t.chat.event(user, '/dashboard'), community: { platform: 'playground', externalId: community } } as ChatEvent);
  const text = replies.replies.map((r) => r.text).join('\n');
  const url = /https?:\/\/\S+\/dashboard\/login\?t=\S+/.exec(text)?.[0];
  if (!url) throw new Error(`no link in: ${text}`);
  return url;
}

const pathOf = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

/** Opens the link; returns the cookie it set (name=value) and the response. */
async function login(t: TestApp, path: string) {
  const res = await t.app.http.inject({ method: 'GET', url: path });
  const setCookie = res.headers['set-cookie'];
  const cookie = typeof setCookie === 'string' ? setCookie : undefined;
  return { res, cookie, pair: cookie?.split(';')[0] };
}

const get = (t: TestApp, url: string, headers: Record<string, string> = {}) => t.app.http.inject({ method: 'GET', url, headers });

describe('dashboard access', () => {
  it('an admin gets a private link; it opens a strict HttpOnly session for that community only, and expires', async () => {
    const clock = new FixedClock(at(-1));
    const t = await app({ clock });
    await chatter(t, 'admin');
    // Another community, which the link must not open.
    await t.app.router.handle({ ...t.chat.event('admin', 'hi'), community: { platform: 'playground', externalId: 'other', name: 'Secret Club' }, addressed: false } as ChatEvent);

    expect(await t.chat.say('alice', '/dashboard')).not.toContain('/dashboard/login');
    const replies = await t.chat.send('admin', '看板');
    expect(replies[0]?.ephemeral).toBe(true);
    expect(replies[0]?.text).toMatch(/15 分钟内有效/);
    const url = await linkFor(t);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\/login\?t=l\.1\./);

    // No cookie: 401 everywhere, naming no community.
    for (const path of ['/dashboard', '/dashboard/c/1', '/dashboard/api/communities', '/dashboard/api/1/data', '/dashboard/api/2/data', '/dashboard/api/1/daily.csv']) {
      const res = await get(t, path);
      expect(res.statusCode, path).toBe(401);
      expect(res.body, path).not.toContain('Secret Club');
      expect(res.body, path).not.toContain('demo');
    }

    const { res, cookie, pair } = await login(t, pathOf(url));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('url=/dashboard/c/1');
    expect(cookie).toMatch(/^qunbot_dashboard=s\.1\.[0-9a-z]+\.[\w-]+; Max-Age=43200; Path=\/dashboard; HttpOnly; SameSite=Strict$/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const headers = { cookie: pair as string };

    const page = await get(t, '/dashboard/c/1', headers);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
    // No inline script: every <script> has a src on this server.
    expect([...page.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1])).toEqual([' src="/dashboard/assets/echarts.min.js" defer', ' src="/dashboard/assets/dashboard.js" defer']);
    expect((await get(t, '/dashboard/assets/echarts.min.js')).body).toContain('echarts');

    expect((await get(t, '/dashboard/api/communities', headers)).json()).toMatchObject({ communities: [{ id: 1, name: '' }] });
    expect((await get(t, '/dashboard/api/1/data', headers)).statusCode).toBe(200);
    // Another community (existing or not): 403, nothing about it.
    for (const path of ['/dashboard/c/2', '/dashboard/api/2/data', '/dashboard/api/2/daily.csv', '/dashboard/api/99/data']) {
      const res = await get(t, path, headers);
      expect(res.statusCode, path).toBe(403);
      expect(res.body).not.toContain('Secret Club');
    }

    // The other community's link opens the other community, not this one.
    const other = await login(t, pathOf(await linkFor(t, 'admin', 'other')));
    expect((await get(t, '/dashboard/api/1/data', { cookie: other.pair as string })).statusCode).toBe(403);
    expect((await get(t, '/dashboard/api/2/data', { cookie: other.pair as string })).json<DashboardData>().community.name).toBe('Secret Club');

    // A tampered link, a link's token as a cookie, a session's token as a link: refused.
    const token = new URL(url).searchParams.get('t') as string;
    const forged = token.replace(/^l\.1\./, 'l.2.');
    expect((await login(t, `/dashboard/login?t=${forged}`)).res.statusCode).toBe(401);
    expect((await login(t, `/dashboard/login?t=${token.slice(0, -2)}xx`)).res.statusCode).toBe(401);
    expect((await get(t, '/dashboard/api/1/data', { cookie: `qunbot_dashboard=${token}` })).statusCode).toBe(401);
    expect((await login(t, `/dashboard/login?t=${(pair as string).split('=')[1]}`)).res.statusCode).toBe(401);
    // Without DASHBOARD_TOKEN there is no operator access.
    expect((await get(t, '/dashboard/api/1/data', { authorization: 'Bearer anything' })).statusCode).toBe(401);

    // The link lasts 15 minutes; the session 12 hours.
    clock.set(new Date(clock.now().getTime() + 15 * 60_000 - 1));
    expect((await login(t, pathOf(url))).res.statusCode).toBe(200);
    clock.set(new Date(clock.now().getTime() + 1));
    const expired = await login(t, pathOf(url));
    expect(expired.res.statusCode).toBe(401);
    expect(expired.cookie).toBeUndefined();
    expect((await get(t, '/dashboard/api/1/data', headers)).statusCode).toBe(200);
    clock.set(new Date(clock.now().getTime() + 12 * 3_600_000));
    expect((await get(t, '/dashboard/api/1/data', headers)).statusCode).toBe(401);
  });

  it('where a reply is not private (a Discord text command), the link goes by direct message and the group sees no link', async () => {
    const t = await app({ clock: new FixedClock(T0) });
    const event = { ...t.chat.event('42', '/dashboard'), community: { platform: 'discord', externalId: '900000000000000001' }, actor: { platformUserId: '42', displayName: 'Ada', isAdmin: true } } as ChatEvent;
    const { replies } = await t.app.router.handle(event);
    const text = replies.map((r) => r.text).join('\n');
    expect(text).not.toContain('/dashboard/login');
    expect(text).toContain('direct message');
    const rows = (await t.app.store.sql.prepare("SELECT recipient, reply_json, fallback_json FROM deliveries WHERE source = 'dashboard'").all()) as Array<{ recipient: string; reply_json: string; fallback_json: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.recipient).toBe('42');
    expect(rows[0]?.reply_json).toMatch(/\/dashboard\/login\?t=l\.1\./);
    expect(rows[0]?.fallback_json).not.toContain('/dashboard/login');
  });

  it('DASHBOARD_TOKEN opens every community, by bearer or once through /dashboard/login?token=', async () => {
    const t = await app({ clock: new FixedClock(T0), env: { DASHBOARD_TOKEN: 'operator-secret-1' } });
    await chatter(t, 'admin');
    await t.app.router.handle({ ...t.chat.event('admin', 'hi'), community: { platform: 'playground', externalId: 'other' }, addressed: false } as ChatEvent);
    const bearer = { authorization: 'Bearer operator-secret-1' };
    expect((await get(t, '/dashboard/api/communities', bearer)).json<{ communities: unknown[] }>().communities).toHaveLength(2);
    expect((await get(t, '/dashboard/api/2/data', bearer)).statusCode).toBe(200);
    expect((await get(t, '/dashboard/api/2/data', { authorization: 'Bearer operator-secret-2' })).statusCode).toBe(401);
    expect((await login(t, '/dashboard/login?token=operator-secret-2')).res.statusCode).toBe(401);
    const { res, pair } = await login(t, '/dashboard/login?token=operator-secret-1');
    expect(res.body).toContain('url=/dashboard"');
    expect(pair).toMatch(/^qunbot_dashboard=s\.all\./);
    expect((await get(t, '/dashboard/api/1/data', { cookie: pair as string })).statusCode).toBe(200);
    expect((await get(t, '/dashboard/api/2/daily.csv', { cookie: pair as string })).statusCode).toBe(200);
    // A WeCom group: the page says what "active" means there, in Chinese.
    await t.app.router.handle({ ...t.chat.event('zhang', '/checkin'), community: { platform: 'wecom', externalId: 'wr-group-1' } } as ChatEvent);
    const wecom = (await get(t, '/dashboard/api/3/data', bearer)).json<DashboardData>();
    expect(wecom.seesAllMessages).toBe(false);
    expect(wecom.labels.activeMeansInteracted).toContain('与机器人互动');
    expect(wecom.community).toMatchObject({ platform: 'wecom', externalId: 'wr-group-1', locale: 'zh-CN' });
    // Admins' links still work, signed with the key derived from the token.
    const own = await login(t, pathOf(await linkFor(t)));
    expect((await get(t, '/dashboard/api/1/data', { cookie: own.pair as string })).statusCode).toBe(200);
  });
});

describe('dashboard data', () => {
  it('the data API and the CSV give the rollups of a scripted history, with the charts built from the same numbers', async () => {
    const clock = new FixedClock(at(-100));
    const t = await app({ clock, config: { analytics: { rawRetainDays: 60 } } });
    await scriptedHistory(t, clock);
    // A hostile community name: escaped on the page by textContent, neutralised in the CSV.
    await t.app.router.handle({ ...t.chat.event('admin', 'hi'), community: { platform: 'playground', externalId: 'demo', name: '=HYPERLINK("http://x","a,b")' }, addressed: false } as ChatEvent);
    const c = (await t.app.identity.communityById(1)) as CommunityInfo;
    // Half the days rolled up by the maintenance job, the rest computed from the raw records: the same numbers.
    await t.app.store.unit(() => t.app.analytics.rollupPending(c, at(-50)));
    const { pair } = await login(t, pathOf(await linkFor(t)));
    const headers = { cookie: pair as string };
    const mixed = (await get(t, '/dashboard/api/1/data?days=120', headers)).json<DashboardData>();
    await t.app.store.unit(() => t.app.analytics.rollupPending(c, clock.now()));
    const data = (await get(t, '/dashboard/api/1/data?days=120', headers)).json<DashboardData>();
    expect(mixed.daily).toEqual(data.daily);

    const stored = (await t.app.store.sql.prepare('SELECT * FROM analytics_daily ORDER BY day').all()) as Array<Record<string, number | string>>;
    expect(stored).toHaveLength(100);
    expect(data.daily).toHaveLength(100);
    expect(data.daily.map((d) => [d.day, d.members, d.active, d.active7, d.active30, d.joins, d.leaves])).toEqual(
      stored.map((r) => [r.day, Number(r.members), Number(r.active), Number(r.active7), Number(r.active30), Number(r.joins), Number(r.leaves)]),
    );
    expect(data.latest).toMatchObject({ day: '2026-11-22', members: 14 });
    expect(data.daily.reduce((n, d) => n + d.joins, 0)).toBe(16);
    expect(data.daily.reduce((n, d) => n + d.leaves, 0)).toBe(3);
    expect(data.members).toBe(14);
    expect(data.labels.dau).toBe('日活');

    // The charts carry the same series.
    const series = (chart: unknown) => (chart as { series: Array<{ id: string; data: unknown[] }> }).series;
    expect(series(data.charts.active).find((s) => s.id === 'dau')?.data).toEqual(data.daily.map((d) => d.active));
    expect(series(data.charts.active).find((s) => s.id === 'activeRate')?.data.at(-1)).toBe(Math.round((data.daily.at(-1)!.active / 14) * 1000) / 10);
    expect(series(data.charts.growth).find((s) => s.id === 'leaves')?.data.filter((v) => v !== 0)).toEqual([-1, -1, -1]);
    const heat = series(data.charts.retention)[0]?.data as Array<[number, number, number]>;
    expect(heat.length).toBeGreaterThan(0);
    for (const [x, y, v] of heat) {
      const row = [...data.cohorts].sort((a, b) => a.week.localeCompare(b.week))[y];
      const ratio = row?.[(['d1', 'd7', 'd30'] as const)[x] as 'd1'];
      expect(v).toBe(Math.round(((ratio?.active ?? 0) / (ratio?.of ?? 1)) * 1000) / 10);
    }

    // The lottery of day -20: one entrant of 14 members.
    expect(data.activities).toMatchObject([{ kind: 'lottery', title: '键盘', participants: 1, participation: 7.1 }]);

    const csv = await get(t, '/dashboard/api/1/daily.csv?days=120', headers);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="qunbot-1-daily.csv"');
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('community,day,members,joins,leaves,net,active,active7,active30,daily_active_rate_pct,speakers,speakers7,speakers30,checkins,checkins7,checkins30,participants,participants7,participants30,messages,commands');
    expect(lines).toHaveLength(102);
    expect(lines[101]).toBe('');
    const last = data.daily.at(-1)!;
    expect(lines[100]).toBe(
      `"'=HYPERLINK(""http://x"",""a,b"")",${last.day},14,${last.joins},${last.leaves},${last.joins - last.leaves},${last.active},${last.active7},${last.active30},${Math.round((last.active / 14) * 1000) / 10},${last.speakers},${last.speakers7},${last.speakers30},${last.checkins},${last.checkins7},${last.checkins30},${last.participants},${last.participants7},${last.participants30},${last.messages},${last.commands}`,
    );
  });
});
