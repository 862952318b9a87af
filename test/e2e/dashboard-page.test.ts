/**
 * The dashboard in a real browser (Debian's chromium through playwright-core,
 * as the playground page test): an admin runs /dashboard through the app,
 * opens the link, and the page shows the scripted history's numbers, read
 * from the page itself (the ECharts instances' options and the visible
 * text). Refusals: an expired link, another community's page, no cookie.
 * Long names and many activities stay within the width of a desktop and a
 * phone; screenshots go to test-artifacts/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, chromiumAvailable, launchChromium } from '../helpers/browser.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { FixedClock } from '../../src/core/clock.js';
import type { CommunityInfo } from '../../src/core/context.js';
import type { DailyRollup } from '../../src/features/analytics/rules.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { T0, at, chatter, scriptedHistory } from '../helpers/analytics.js';


const LONG_NAME = `龙${'长'.repeat(40)}${'x'.repeat(59)}`; // 100 characters, no space to break at
const HOSTILE = '<img src=x onerror="window.pwned=1">';

describe.skipIf(!chromiumAvailable)('the dashboard page in a browser', () => {
  let t: TestApp;
  let clock: FixedClock;
  let browser: Browser;
  let rollups: DailyRollup[];

  /** Runs /dashboard as the admin of a community through the app; returns the link. */
  async function link(community = 'demo'): Promise<string> {
    const { replies } = await t.app.router.handle({ ...t.chat.event('admin', '/dashboard'), community: { platform: 'playground', externalId: community } } as ChatEvent);
    const url = /http:\/\/\S+\/dashboard\/login\?t=\S+/.exec(replies.map((r) => r.text).join('\n'))?.[0];
    if (!url) throw new Error('no link');
    return url;
  }

  beforeAll(async () => {
    clock = new FixedClock(at(-100));
    t = await makeTestApp({ clock, config: { analytics: { alerts: { enabled: false } }, jobs: { reconcileIntervalMs: 60_000 } } });
    await scriptedHistory(t, clock);
    // Long and hostile names, many activities, a segment snapshot a day for two weeks.
    for (let d = -14; d < 0; d++) {
      clock.set(at(d));
      await chatter(t, 'long', 'hi');
      await t.app.router.handle({ ...t.chat.event('evil', 'hi', { name: HOSTILE }), addressed: false } as ChatEvent);
      await t.app.jobs.run('lifecycle-daily', 0, { runKey: `daily-${d}` });
    }
    await t.app.router.handle({ ...t.chat.event('long', 'hi', { name: LONG_NAME }), addressed: false } as ChatEvent);
    clock.set(at(-1));
    for (let i = 0; i < 24; i++) await t.chat.say('admin', `/lottery create ${i === 0 ? LONG_NAME : i === 1 ? HOSTILE : `奖品${i}`} winners=1 ends=+${i + 30}h`);
    for (let i = 2; i < 12; i++) await t.chat.say(`u${i}`, '/lottery join 4');
    await t.chat.say('admin', '/poll create "周末活动去哪里？" 爬山 | 看电影 | 在家');
    for (const u of ['u3', 'u4', 'u5']) await t.chat.say(u, '/poll vote 1 1');
    clock.set(T0);
    // The content calendar: a nightly post, a promo tomorrow with a long text (its #promo tag never shown).
    expect(await t.chat.say('admin', '/schedule add "0 0 20 * * *" 每晚八点打卡提醒')).toContain('#1');
    expect(await t.chat.say('admin', `/schedule once +1d ${LONG_NAME} 双十二优惠 #promo`)).toContain('#2');
    const c = (await t.app.identity.communityById(1)) as CommunityInfo;
    await t.app.store.unit(() => t.app.analytics.rollupPending(c, clock.now()));
    rollups = await t.app.analytics.rollups(1, '2000-01-01', '2999-12-31');
    // Another community, whose page the first one's session must not open.
    await t.app.router.handle({ ...t.chat.event('admin', 'hi'), community: { platform: 'playground', externalId: 'other', name: 'Secret Club' }, addressed: false } as ChatEvent);
    await t.app.start();
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('response', (res) => {
      if (res.status() >= 400) errors.push(`${res.status()} ${res.url()}`);
    });
    await page.goto(await link());
    await page.waitForURL(/\/dashboard\/c\/1$/);
    // The page renders everything at once, the delivery card last. (waitForFunction with a string would eval in the page, which its CSP forbids.)
    await page.locator('#delivery').waitFor();
    for (const id of ['chart-active', 'chart-growth', 'chart-retention', 'chart-segments']) expect(await page.evaluate(`Boolean(window.echarts.getInstanceByDom(document.getElementById('${id}')))`), id).toBe(true);
    return { page, errors };
  }

  /** A chart's series data as the page's ECharts instance holds it. */
  const seriesData = (page: Page, chart: string, series: string): Promise<unknown[]> =>
    page.evaluate<unknown[]>(
      `(window.echarts.getInstanceByDom(document.getElementById(${JSON.stringify(chart)})).getOption().series.find((s) => s.id === ${JSON.stringify(series)}) || { data: [] }).data`,
    );

  it('logs in through a /dashboard link and shows the history’s numbers in the charts and the text', async () => {
    const { page, errors } = await signedIn({ width: 1440, height: 900 });
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    const last = rollups[rollups.length - 1] as DailyRollup;
    expect(rollups).toHaveLength(100);
    // The page shows the configured 90 days (dashboard.days).
    const shown = rollups.slice(-90);
    expect(await seriesData(page, 'chart-active', 'dau')).toEqual(shown.map((r) => r.active));
    expect(await seriesData(page, 'chart-active', 'mau')).toEqual(shown.map((r) => r.active30));
    expect((await seriesData(page, 'chart-active', 'activeRate')).at(-1)).toBe(Math.round((last.active / last.members) * 1000) / 10);
    expect((await seriesData(page, 'chart-growth', 'joins')).reduce((n: number, v) => n + Number(v), 0)).toBe(shown.reduce((n, r) => n + r.joins, 0));
    expect(await seriesData(page, 'chart-segments', 'active')).toHaveLength(14);
    expect((await seriesData(page, 'chart-retention', 'retention')).length).toBeGreaterThan(0);

    // The benchmark line of the active rate is drawn at 15%.
    const markLine = await page.evaluate<number>(
      'window.echarts.getInstanceByDom(document.getElementById("chart-active")).getOption().series.find((s) => s.id === "activeRate").markLine.data[0].yAxis',
    );
    expect(markLine).toBe(15);

    // The visible text: the headline cards, the members, the activities.
    const kpis = await page.locator('.kpi').allInnerTexts();
    expect(kpis[0]).toMatch(/成员\s+16/);
    expect(kpis[1]).toMatch(new RegExp(`日活\\s+${last.active}\\b`));
    expect(kpis[3]).toMatch(new RegExp(`月活\\s+${last.active30}\\b`));
    expect(kpis[4]).toContain(`${Math.round((last.active / last.members) * 1000) / 10}%`);
    expect(kpis[4]).toContain('健康线 15%');
    // Names are cut where the bot cuts them (display names at 64 characters); the page shows what is stored.
    const stored = (await t.app.store.sql.prepare("SELECT display_name FROM members WHERE display_name LIKE '龙%'").get()) as { display_name: string };
    expect(stored.display_name.length).toBeGreaterThanOrEqual(60);
    const top = await page.locator('#top-members').innerText();
    expect(top).toContain(stored.display_name);
    expect(top).toContain(HOSTILE);
    const activities = await page.locator('#activities').innerText();
    expect(activities).toContain('周末活动去哪里？');
    const prize = (await t.app.store.sql.prepare("SELECT prize FROM lotteries WHERE prize LIKE '龙%'").get()) as { prize: string };
    expect(activities.replace(/\s/g, '')).toContain(prize.prize);
    const joined = (await page.locator('#activities tbody tr').allInnerTexts()).filter((row) => row.includes('62.5%'));
    expect(joined).toHaveLength(1);
    expect(joined[0]).toMatch(/^抽奖 奖品2\n2026-11-22 10:00 → 2026-11-23 18:00\n?\t进行中\t10\t62\.5%$/);
    // The content calendar: the same days, posts and share as the data behind it.
    const plan = (await t.app.dashboard.data(1, clock.now()))?.calendar;
    expect(plan?.days.length).toBeGreaterThan(0);
    const calendarRows = await page.locator('#calendar tbody tr').allInnerTexts();
    expect(calendarRows).toHaveLength(plan?.days.length ?? -1);
    const calendarText = await page.locator('#calendar').innerText();
    expect(calendarText).toContain('内容日历');
    expect(calendarText).toContain('每晚八点打卡提醒');
    expect(calendarText).toContain('双十二优惠');
    expect(calendarText).not.toContain('#promo');
    expect(calendarText).toContain(`推广占比 ${plan?.promoPercent}%（1/${plan?.total}），上限 30%`);
    expect(await page.locator('#calendar .tag.promo').count()).toBe(1);
    expect(calendarRows[0]).toMatch(/^11月23日 周一\n1 \/ 2\s+20:00\s*定时\s*#1 每晚八点打卡提醒$/);

    // Hostile names are text: no element came out of them, no script ran.
    expect(await page.evaluate('document.querySelectorAll("main img").length')).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
    it(`long names and many activities stay within ${viewport.width} px`, async () => {
      const { page, errors } = await signedIn(viewport);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${viewport.width}.png`), fullPage: true });
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${viewport.width}-top.png`) });
      await page.locator('#top-members').screenshot({ path: join(ARTIFACTS, `dashboard-${viewport.width}-members.png`) });
      const innerWidth = await page.evaluate<number>('window.innerWidth');
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(innerWidth);
      await page.locator('#calendar').screenshot({ path: join(ARTIFACTS, `dashboard-${viewport.width}-calendar.png`) });
      for (const part of ['#chart-active', '#chart-retention', '#top-members', '#activities', '#calendar', '#delivery', '#csv']) {
        const box = await page.locator(part).boundingBox();
        expect(box, part).not.toBeNull();
        expect(box?.x, part).toBeGreaterThanOrEqual(0);
        expect((box?.x ?? 0) + (box?.width ?? 0), part).toBeLessThanOrEqual(innerWidth);
      }
      expect(await page.locator('#activities tbody tr').count()).toBe(26);
      expect(errors).toEqual([]);
      await page.context().close();
    }, 60_000);
  }

  it('refuses another community’s page, no cookie, and an expired link', async () => {
    const { page } = await signedIn({ width: 1280, height: 800 });
    const base = (await link()).replace(/\/dashboard\/login.*/, '');
    const other = await page.goto(`${base}/dashboard/c/2`);
    expect(other?.status()).toBe(403);
    expect(await page.locator('body').innerText()).not.toContain('Secret Club');
    const api = await page.evaluate<number>('fetch("/dashboard/api/2/data").then((r) => r.status)');
    expect(api).toBe(403);
    await page.context().close();

    const fresh = await browser.newPage();
    for (const path of ['/dashboard', '/dashboard/c/1']) {
      const res = await fresh.goto(`${base}${path}`);
      expect(res?.status(), path).toBe(401);
      expect(await fresh.locator('body').innerText()).toContain('/dashboard');
    }
    const old = await link();
    clock.set(new Date(T0.getTime() + 16 * 60_000));
    const expired = await fresh.goto(old);
    expect(expired?.status()).toBe(401);
    expect(await fresh.locator('body').innerText()).toContain('已过期');
    expect((await fresh.context().cookies()).length).toBe(0);
    await fresh.close();
    clock.set(T0);
  }, 60_000);
});
