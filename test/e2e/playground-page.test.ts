/**
 * The playground page in a real browser (Debian's chromium through
 * playwright-core): a person picks members, checks in over two days,
 * and sees replies and the feed. CI installs chromium; elsewhere the test
 * runs when /usr/bin/chromium exists.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotProcess } from '../helpers/process.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM) || process.env.CI === 'true';

describe.skipIf(!available)('the playground page in a browser', () => {
  let bot: BotProcess;
  let browser: Browser;

  beforeAll(async () => {
    bot = await startBot();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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
});
