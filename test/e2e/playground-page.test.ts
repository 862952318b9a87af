/**
 * The playground page in a real browser (Debian's chromium through
 * playwright-core): a person picks members, checks in over two days,
 * and sees replies and the feed. CI installs chromium; elsewhere the test
 * runs when /usr/bin/chromium exists.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, chromiumAvailable, launchChromium } from '../helpers/browser.js';
import { startBot, type BotProcess } from '../helpers/process.js';

describe.skipIf(!chromiumAvailable)('the playground page in a browser', () => {
  let bot: BotProcess;
  let browser: Browser;

  beforeAll(async () => {
    bot = await startBot();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    bot?.cleanup();
  });

  it('checks in as two members over two days, sees streaks, the leaderboard and an announcement in the feed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${bot.url}/playground`);
    await page.fill('#community', 'browser');
    await page.dispatchEvent('#community', 'change');

    const send = async (text: string): Promise<void> => {
      await page.fill('#text', text);
      await page.press('#text', 'Enter');
    };
    const lastBot = () => page.locator('#log .msg.bot').last();

    await page.click('#members li:has-text("Alice")');
    await send('签到');
    await expect.poll(() => lastBot().innerText()).toContain('签到成功');
    await page.click('#members li:has-text("Bob")');
    await send('/checkin');
    await expect.poll(() => lastBot().innerText()).toContain('今天第 2 个签到');

    await page.click('#nextDay');
    await expect.poll(() => page.locator('#log').innerText()).toContain('clock moved forward 24 h');
    await page.click('#members li:has-text("Alice")');
    await send('/checkin');
    await expect.poll(() => lastBot().innerText()).toContain('连续签到 2 天');

    await send('/leaderboard all');
    await expect.poll(() => lastBot().innerText()).toMatch(/1\. Alice 爱丽丝 — 20 分/);

    await page.click('#members li:has-text("admin")');
    await send('/announce 今晚八点直播');
    await expect.poll(() => page.locator('#feed').innerText(), { timeout: 10_000 }).toContain('今晚八点直播');

    // A member joins: the welcome arrives in the feed a few seconds later.
    await page.fill('#newMember', 'Dora');
    await page.click('#addMember');
    await page.click('#join');
    await expect.poll(() => page.locator('#feed').innerText(), { timeout: 15_000 }).toContain('Dora');

    const shot = join(mkdtempSync(join(tmpdir(), 'qunbot-shot-')), 'playground.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(errors).toEqual([]);
  }, 90_000);

  async function open(viewport: { width: number; height: number }, community: string): Promise<{ page: Page; errors: string[]; send: (text: string) => Promise<void> }> {
    const page = await browser.newPage({ viewport });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${bot.url}/playground`);
    await page.fill('#community', community);
    await page.dispatchEvent('#community', 'change');
    const send = async (text: string): Promise<void> => {
      await page.fill('#text', text);
      await page.press('#text', 'Enter');
    };
    return { page, errors, send };
  }

  it('the "@" beside a member inserts their mention at the cursor, and an admin grant to it succeeds', async () => {
    const { page, errors, send } = await open({ width: 1280, height: 800 }, 'mentions');
    const lastBot = () => page.locator('#log .msg.bot').last();
    await page.click('#members li:has-text("Carol")');
    await send('/checkin');
    await expect.poll(() => lastBot().innerText()).toContain('签到成功');

    await page.click('#members li:has-text("admin")');
    await page.fill('#text', '/grant  5 test');
    await page.focus('#text');
    await page.evaluate('document.getElementById("text").setSelectionRange(7, 7)');
    await page.click('#members li:has-text("Carol") .at');
    expect(await page.inputValue('#text')).toBe('/grant <@carol> 5 test');
    // The speaker stays the admin; the cursor sits after the mention.
    expect(await page.locator('#members li.active').innerText()).toContain('admin');
    expect(await page.evaluate('document.getElementById("text").selectionStart')).toBe('/grant <@carol>'.length);
    await page.press('#text', 'Enter');
    await expect.poll(() => lastBot().innerText()).toContain('已给 Carol 卡罗 加 5 分（test）');
    // The sent message shows the mention as a name.
    expect(await page.locator('#log .msg.user').last().innerText()).toContain('/grant @Carol 卡罗 5 test');
    expect(errors).toEqual([]);
  }, 60_000);

  it('/stats report shows the weekly report privately in the feed with its chart image drawn', async () => {
    const { page, errors, send } = await open({ width: 1280, height: 900 }, 'report');
    const lastBot = () => page.locator('#log .msg.bot').last();
    await page.click('#members li:has-text("Alice")');
    await send('签到');
    await expect.poll(() => lastBot().innerText()).toContain('签到成功');
    await page.click('#members li:has-text("admin")');
    await send('数据 周报');
    await expect.poll(() => lastBot().innerText()).toContain('周报已私信发给你');
    const image = page.locator('#feed .msg img.reply-image').last();
    await expect.poll(() => image.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => image.evaluate((img) => (img as { naturalWidth: number }).naturalWidth)).toBe(800);
    expect(await image.getAttribute('alt')).toContain('日活、周活、月活与日活跃率走势图');
    expect(await page.locator('#feed').innerText()).toContain('📅 周报');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground-weekly-report.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
    it(`long unbroken text keeps the page within ${viewport.width} px: the Send button and the Feed stay on screen`, async () => {
      const { page, errors, send } = await open(viewport, `layout-${viewport.width}`);
      const lastBot = () => page.locator('#log .msg.bot').last();
      const url = `https://example.com/${'very-long-path-segment/'.repeat(8)}?q=${'x'.repeat(60)}`;
      await page.click('#members li:has-text("admin")');
      await send('/lottery create 大奖 winners=1 ends=+1h');
      await expect.poll(() => lastBot().innerText()).toMatch(/sha256\(种子\) = [0-9a-f]{64}/);
      await send('z'.repeat(300));
      await expect.poll(() => page.locator('#log .msg.user').last().innerText()).toContain('z'.repeat(300));
      await send(url);
      await send(`/announce 直播回放 ${url}`);
      await expect.poll(() => page.locator('#feed').innerText(), { timeout: 10_000 }).toContain('直播回放');

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `playground-${viewport.width}.png`), fullPage: true });
      const innerWidth = await page.evaluate<number>('window.innerWidth');
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(innerWidth);
      for (const part of ['#send', '#feed', '#text']) {
        const box = await page.locator(part).boundingBox();
        expect(box, part).not.toBeNull();
        expect(box?.x, part).toBeGreaterThanOrEqual(0);
        expect((box?.x ?? 0) + (box?.width ?? 0), part).toBeLessThanOrEqual(innerWidth);
        expect(box?.width, part).toBeGreaterThan(0);
      }
      expect(errors).toEqual([]);
    }, 60_000);
  }
});
