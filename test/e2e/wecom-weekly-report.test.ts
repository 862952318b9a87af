/**
 * The weekly report (周报) on WeCom, against the fake WeCom API: to the admins
 * by app message (the text, then the chart uploaded as temporary media and
 * sent as an image message by its media_id), or through the admin group's
 * bound webhook (markdown, then an image message with base64 and md5), and
 * `数据 周报` previews the week so far privately to the admin who asks.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import type { CommunityInfo } from '../../src/core/context.js';
import type { Reply } from '../../src/core/reply.js';
import { platformAdapters } from '../../src/platforms/index.js';
import { FakeWecomApi } from '../fakes/wecom/fake-wecom-api.js';
import { testConfig } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { GROUP, botReplyText, groupText, postBot, wecomEnv } from '../helpers/wecom.js';

const ADMIN_GROUP = 'wrAdminsChat01';
const ADMIN_KEY = '5a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';

let api: FakeWecomApi | undefined;
let app: App | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = api = dir = undefined;
});

async function start(config: Record<string, unknown>): Promise<{ app: App; api: FakeWecomApi; url: string }> {
  api = await FakeWecomApi.start();
  dir = mkdtempSync(join(tmpdir(), 'qunbot-wecom-report-'));
  const appConfig = testConfig(config, wecomEnv(api.baseUrl), join(dir, 'qunbot.sqlite'));
  app = await createApp({ appConfig, logger: pino({ level: 'silent' }), adapters: platformAdapters(appConfig) });
  const { url } = await app.start();
  return { app, api, url };
}

async function say(url: string, userId: string, content: string): Promise<string> {
  const res = await postBot(url, groupText(userId, content));
  expect(res.status).toBe(200);
  return botReplyText(await res.text());
}

/** The report of the week before Monday 2026-11-23 09:00 (Shanghai), made by the job's code path. */
async function reportWeek(a: App, url: string): Promise<Buffer> {
  expect(await say(url, 'alice', '签到')).toContain('签到');
  const community = (await a.identity.communityById(1)) as CommunityInfo;
  const committed = await a.store.unit((u) => a.weeklyReports.weeklyFor({ ...community, timezone: 'Asia/Shanghai' }, 0, new Date('2026-11-23T02:00:00.000Z'), u.afterCommit));
  expect(committed.value).toBe('2026-11-16');
  await committed.runAfterCommit((err) => {
    throw err;
  });
  return outboxImage(a);
}

const outboxImage = async (a: App): Promise<Buffer> => {
  const row = await a.store.sql.prepare<[], { reply_json: string }>("SELECT reply_json FROM deliveries WHERE source = 'analytics-weekly' ORDER BY id LIMIT 1").get();
  return Buffer.from((JSON.parse(row?.reply_json ?? '{}') as Reply).image?.pngBase64 ?? '', 'base64');
};

describe('the weekly report on WeCom', () => {
  it('reaches the admins by app message: the text, then the chart uploaded as image media and sent by media_id', async () => {
    const { app: a, api: f, url } = await start({ analytics: { alerts: { recipients: { [`wecom:${GROUP}`]: ['boss'] } } } });
    const png = await reportWeek(a, url);
    const image = await waitFor(() => f.appMessages.find((m) => m.body['msgtype'] === 'image'), 10_000, 'the image message');
    expect(image.body['touser']).toBe('boss');
    const mediaId = (image.body['image'] as { media_id: string }).media_id;
    const upload = f.media.get(mediaId);
    expect(upload).toMatchObject({ type: 'image', filename: 'weekly-1-2026-11-16.png' });
    expect(upload?.data.equals(png)).toBe(true);
    expect(f.requests.some((r) => r.path === '/cgi-bin/media/upload' && r.query['type'] === 'image')).toBe(true);
    const text = f.appMessages.find((m) => m.body['msgtype'] === 'text');
    expect(text?.body['touser']).toBe('boss');
    expect((text?.body['text'] as { content: string }).content).toContain('周报');
    expect((text?.body['text'] as { content: string }).content).toContain('2026-11-16 至 2026-11-22');
    // Nothing through the group's own channels.
    expect(f.webhookMessages()).toHaveLength(0);
  });

  it('reaches the admin group through its bound webhook: markdown, then the image with base64 and md5', async () => {
    const { app: a, api: f, url } = await start({ wecom: { webhooks: { [ADMIN_GROUP]: ADMIN_KEY } }, analytics: { weeklyReport: { wecomAdminGroup: { [GROUP]: ADMIN_GROUP } } } });
    const png = await reportWeek(a, url);
    const messages = await f.waitForWebhookCount(ADMIN_KEY, 2, 10_000);
    expect(messages[0]?.body['msgtype']).toBe('markdown');
    expect((messages[0]?.body['markdown'] as { content: string }).content).toContain('**📅 周报');
    const image = messages[1]?.body['image'] as { base64: string; md5: string };
    expect(messages[1]?.body['msgtype']).toBe('image');
    expect(Buffer.from(image.base64, 'base64').equals(png)).toBe(true);
    expect(image.md5).toBe(createHash('md5').update(png).digest('hex'));
    expect(f.appMessages).toHaveLength(0);
  });

  it('数据 周报 sends the week so far to the admin who asks, by app message with the image', async () => {
    const { api: f, url } = await start({});
    expect(await say(url, 'alice', '签到')).toContain('签到');
    expect(await say(url, 'boss', '数据 周报')).toContain('周报已私信发给你');
    const image = await waitFor(() => f.appMessages.find((m) => m.body['msgtype'] === 'image'), 10_000, 'the image message');
    expect(image.body['touser']).toBe('boss');
    const text = f.appMessages.find((m) => m.body['msgtype'] === 'text' && m.body['touser'] === 'boss');
    expect((text?.body['text'] as { content: string }).content).toContain('⭐ 本周最活跃：alice（1 次）');
    expect(await say(url, 'alice', '数据 周报')).toContain('管理员');
  });
});
