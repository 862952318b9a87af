/**
 * The WeCom adapter end to end: the real app (in-process, HTTP on loopback
 * port 0, real SQLite and Redis) behind signed, encrypted callbacks built with
 * @wecom/crypto, posting through a fake qyapi.weixin.qq.com.
 */
import type { SqlValue } from '../../src/store/sql.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { RouteResult } from '../../src/core/router.js';
import { platformAdapters } from '../../src/platforms/index.js';
import { WecomCipher } from '../../src/platforms/wecom/crypto.js';
import { WecomInbound, registerWecomRoutes, type WecomInboundOptions } from '../../src/platforms/wecom/routes.js';
import { WecomAppApi } from '../../src/platforms/wecom/senders.js';
import { buildAppCallback, buildBotCallback, buildUrlVerification, nowSeconds, openAppReply, openBotReply } from '../fakes/wecom/client.js';
import { FakeAibotWs } from '../fakes/wecom/fake-aibot-ws.js';
import { FakeWecomApi } from '../fakes/wecom/fake-wecom-api.js';
import { testConfig } from '../helpers/app.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { APP, BOT, GROUP, groupText, newMsgId, postBot, wecomEnv } from '../helpers/wecom.js';

const WEBHOOK_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
let appMsgCounter = 0;
const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });


interface Harness {
  app: App;
  url: string;
  api: FakeWecomApi;
  dir: string;
}

/** A logger whose JSON lines the test can read. */
function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), lines };
}

async function startHarness(api: FakeWecomApi, config: Record<string, unknown> = {}, extraEnv: Record<string, string> = {}, logger: Logger = silent): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-wecom-'));
  const env = { ...wecomEnv(api.baseUrl), ...extraEnv };
  const appConfig = testConfig(config, env, join(dir, 'qunbot.sqlite'));
  const app = (await createApp({ appConfig, logger, adapters: platformAdapters(appConfig) }));
  const { url } = await app.start();
  return { app, url, api, dir };
}

/** Sends a group message and returns the decrypted stream content ('' for an empty 200). */
async function say(url: string, userId: string, content: string, msgid?: string): Promise<string> {
  const res = await postBot(url, groupText(userId, content, msgid));
  expect(res.status).toBe(200);
  const text = await res.text();
  if (text === '') return '';
  const reply = openBotReply({ token: BOT.token, key: BOT.key, reply: text }) as { msgtype: string; stream: { finish: boolean; content: string } };
  expect(reply.msgtype).toBe('stream');
  expect(reply.stream.finish).toBe(true);
  return reply.stream.content;
}

/**
 * A customer-group add_member (or del_member) event for `ids`, as WeCom's customer-contact callback sends it;
 * `comma` lists them as one "id1,id2" text (as some senders do), which fits thousands of ids under the 64 KiB body limit.
 */
function externalChatXml(chatId: string, ids: readonly string[], opts: { detail?: 'add_member' | 'del_member'; comma?: boolean } = {}): string {
  const list = opts.comma ? `<![CDATA[${ids.join(',')}]]>` : ids.map((id) => `<Item>${id}</Item>`).join('');
  return (
    `<xml><ToUserName><![CDATA[${APP.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${nowSeconds()}</CreateTime>` +
    `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[${chatId}]]></ChatId>` +
    `<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[${opts.detail ?? 'add_member'}]]></UpdateDetail><JoinScene>1</JoinScene>` +
    `<MemChangeCnt>${ids.length}</MemChangeCnt><MemChangeList>${list}</MemChangeList><LastMemVer>a</LastMemVer><CurMemVer>b</CurMemVer></xml>`
  );
}

async function postApp(url: string, xml: string, opts: { nonce?: string } = {}): Promise<Response> {
  const req = buildAppCallback({ token: APP.token, key: APP.key, corpId: APP.corpId, xml, ...opts });
  return fetch(`${url}/wecom/app?${req.search}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: req.body });
}

async function chatMembers(app: App, chatId: string): Promise<string[]> {
  const rows = (await app.store.sql
    .prepare('SELECT a.platform_user_id AS id FROM member_accounts a JOIN communities c ON c.id = a.community_id WHERE c.external_id = ? ORDER BY a.platform_user_id')
    .all(chatId)) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

async function count(app: App, sql: string, ...params: SqlValue[]): Promise<number> {
  return ((await app.store.sql.prepare(sql).get(...params)) as { n: number }).n;
}

describe('WeCom adapter end to end', () => {
  let h: Harness | undefined;
  let api: FakeWecomApi;

  beforeEach(async () => {
    api = await FakeWecomApi.start();
  });
  afterEach(async () => {
    if (h) {
      await h.app.stop();
      rmSync(h.dir, { recursive: true, force: true });
      h = undefined;
    }
    await api.close();
  });

  it('answers URL verification on both callbacks with the plaintext only', async () => {
    h = await startHarness(api);
    for (const [path, receiveId, token, key] of [
      ['/wecom/bot', '', BOT.token, BOT.key],
      ['/wecom/app', APP.corpId, APP.token, APP.key],
    ] as const) {
      const v = buildUrlVerification({ token, key, receiveId });
      const res = await fetch(`${h.url}${path}?${v.search}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe(v.plaintext);
    }
  });

  it('three members check in through the bot callback and each reply carries their points', async () => {
    h = await startHarness(api);
    for (const user of ['alice', 'bob', 'carol']) {
      const content = await say(h.url, user, '签到');
      expect(content).toMatch(/签到成功/);
      expect(content).toMatch(/\+\d+ 积分/);
    }
    const community = (await h.app.store.sql.prepare("SELECT id FROM communities WHERE platform = 'wecom' AND external_id = ?").get(GROUP)) as { id: number };
    expect((await count(h.app, 'SELECT count(*) AS n FROM member_accounts WHERE community_id = ?', community.id))).toBe(3);
  });

  it('the same msgid delivered three times, in turn and concurrently, awards once and gets the same reply', async () => {
    h = await startHarness(api);
    const url = h.url;
    const msgid = newMsgId();
    const first = await say(url, 'alice', '签到', msgid);
    expect(await say(url, 'alice', '签到', msgid)).toBe(first);
    expect(await say(url, 'alice', '签到', msgid)).toBe(first);
    const concurrent = newMsgId();
    const replies = await Promise.all([0, 1, 2].map(() => say(url, 'bob', '签到', concurrent)));
    expect(new Set(replies).size).toBe(1);
    expect(replies[0]).toMatch(/签到成功/);
    expect((await count(h.app, "SELECT count(*) AS n FROM points_ledger WHERE idem_key LIKE 'checkin:%'"))).toBe(2);
  });

  it('a change_external_chat add_member with two members produces two joins', async () => {
    h = await startHarness(api);
    const xml = externalChatXml('wrCustomer01', ['wmNew1', 'wmNew2']);
    for (let i = 0; i < 2; i += 1) expect((await postApp(h.url, xml)).status).toBe(200);
    expect((await chatMembers(h.app, 'wrCustomer01'))).toEqual(['wmNew1', 'wmNew2']);
    expect((await count(h.app, "SELECT count(*) AS n FROM inbound_events WHERE platform = 'wecom' AND delivery_id LIKE 'extchat:wrCustomer01:%'"))).toBe(2);
  });

  it('6,000 members joining in one change_external_chat are all recorded well within WeCom’s 5 s, and a redelivery changes nothing', async () => {
    h = await startHarness(api);
    const ids = Array.from({ length: 6000 }, (_, i) => `m${String(i).padStart(4, '0')}`);
    const xml = externalChatXml('wrBig', ids, { comma: true });
    const transactions = h.app.store.unitTransactions();
    const res = await postApp(h.url, xml);
    expect(res.status).toBe(200);
    // One transaction (and disk sync) per member took 19 s, past WeCom's 5 s (it then redelivers). The list is one
    // batch now: group-committed, at most 64 members a transaction. (Its speed is a benchmark figure, not a test.)
    expect(h.app.store.unitTransactions() - transactions).toBeLessThanOrEqual(Math.ceil(6000 / 64) + 5);
    expect((await chatMembers(h.app, 'wrBig'))).toEqual(ids);
    const snapshot = (): Promise<number[]> => Promise.all([
      count(h!.app, 'SELECT count(*) AS n FROM member_accounts'),
      count(h!.app, 'SELECT count(*) AS n FROM points_ledger'),
      count(h!.app, 'SELECT count(*) AS n FROM inbound_events'),
      count(h!.app, 'SELECT coalesce(sum(balance), 0) AS n FROM member_points'),
      count(h!.app, 'SELECT count(*) AS n FROM welcomes'),
      count(h!.app, 'SELECT count(*) AS n FROM followups'),
    ]);
    const before = (await snapshot());
    expect((await postApp(h.url, xml)).status).toBe(200);
    expect((await snapshot())).toEqual(before);
  });

  it('a member list longer than wecom.maxMemberChanges is cut to it, with a warning', async () => {
    const log = captureLogger();
    h = await startHarness(api, { wecom: { maxMemberChanges: 3 } }, {}, log.logger);
    expect((await postApp(h.url, externalChatXml('wrCapped', ['c1', 'c2', 'c3', 'c4', 'c5']))).status).toBe(200);
    expect((await chatMembers(h.app, 'wrCapped'))).toEqual(['c1', 'c2', 'c3']);
    const warning = log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'customer-group change lists more members than wecom.maxMemberChanges: the rest are ignored');
    expect(warning).toMatchObject({ chatId: 'wrCapped', listed: 5, handled: 3, maxMemberChanges: 3 });
  });

  it('a text in the app 1:1 chat is a command answered with encrypted XML', async () => {
    h = await startHarness(api, { wecom: { defaultCommunity: GROUP } });
    const xml =
      `<xml><ToUserName><![CDATA[${APP.corpId}]]></ToUserName><FromUserName><![CDATA[alice]]></FromUserName><CreateTime>${nowSeconds()}</CreateTime>` +
      `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[签到]]></Content><MsgId>${Date.now()}</MsgId><AgentID>1000002</AgentID></xml>`;
    const req = buildAppCallback({ token: APP.token, key: APP.key, corpId: APP.corpId, xml, agentId: 1000002 });
    const res = await fetch(`${h.url}/wecom/app?${req.search}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: req.body });
    expect(res.status).toBe(200);
    const inner = openAppReply({ token: APP.token, key: APP.key, corpId: APP.corpId, xml: await res.text() });
    expect(inner).toContain('<ToUserName><![CDATA[alice]]></ToUserName>');
    expect(inner).toMatch(/签到成功/);
  });

  it('/bind then /announce reaches the webhook with the right key, split when long', async () => {
    h = await startHarness(api);
    expect(await say(h.url, 'alice', `/bind ${WEBHOOK_KEY}`)).toMatch(/管理员|admin/);
    expect(await say(h.url, 'boss', '/bind')).toMatch(/还没有绑定/);
    expect(await say(h.url, 'boss', `/bind ${api.webhookUrl(WEBHOOK_KEY)}`)).toContain('693a…5aaa');
    const shown = await say(h.url, 'boss', '/bind');
    expect(shown).toContain('693a…5aaa');
    expect(shown).not.toContain(WEBHOOK_KEY);

    await say(h.url, 'boss', '/announce 今晚八点 <@alice> 来玩');
    const [short] = await api.waitForWebhookCount(WEBHOOK_KEY, 1, 10_000);
    expect(short?.body).toMatchObject({ msgtype: 'markdown', markdown: { content: '今晚八点 <@alice> 来玩' } });

    const long = Array.from({ length: 60 }, (_, i) => `第${i}行：${'公告内容'.repeat(10)}`).join('\n');
    await say(h.url, 'boss', `/announce ${long}`);
    const all = await api.waitForWebhookCount(WEBHOOK_KEY, 3, 10_000);
    const parts = all.slice(1).map((m) => (m.body as { markdown: { content: string } }).markdown.content);
    for (const part of parts) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(4096);
    expect(parts.join('\n')).toBe(long);
  });

  it('/bind refuses a webhook on another host and works only in a group chat (zh-CN and en)', async () => {
    h = await startHarness(api, { community: { overrides: { 'wecom:user:carol': { locale: 'en' } } } }, { WECOM_ADMINS: 'boss,carol' });
    const bound = (): Promise<number> => count(h!.app, 'SELECT count(*) AS n FROM wecom_webhooks');
    for (const url of [`https://evil.example.com/cgi-bin/webhook/send?key=${WEBHOOK_KEY}`, `http://169.254.169.254/cgi-bin/webhook/send?key=${WEBHOOK_KEY}`, `http://127.0.0.1:6379/cgi-bin/webhook/send?key=${WEBHOOK_KEY}`]) {
      expect(await say(h.url, 'boss', `/bind ${url}`)).toMatch(/不是企业微信群机器人的 Webhook/);
    }
    expect((await bound())).toBe(0);
    const direct = async (userId: string, content: string): Promise<string> => {
      const res = await postBot(h!.url, { msgid: newMsgId(), aibotid: 'AIBOT', chattype: 'single', from: { userid: userId }, msgtype: 'text', text: { content } });
      const reply = openBotReply({ token: BOT.token, key: BOT.key, reply: await res.text() }) as { stream: { content: string } };
      return reply.stream.content;
    };
    expect(await direct('boss', `/bind ${WEBHOOK_KEY}`)).toMatch(/请在要绑定的群聊里发送/);
    expect(await direct('carol', `/bind ${WEBHOOK_KEY}`)).toMatch(/in the group chat you want to bind/);
    expect(await direct('boss', '/bind')).toMatch(/请在要绑定的群聊里发送/);
    expect((await bound())).toBe(0);
    expect(await say(h.url, 'boss', `/bind ${WEBHOOK_KEY}`)).toContain('693a…5aaa');
    expect((await bound())).toBe(1);
  });

  it('announcements respect 20 posts per minute per webhook: the 21st waits', async () => {
    // 21 posts in a day: the daily content cap (posts.dailyCap) is off for this rate-limit test.
    h = await startHarness(api, { wecom: { webhooks: { [GROUP]: WEBHOOK_KEY } }, posts: { dailyCap: null } });
    for (let i = 1; i <= 21; i += 1) await say(h.url, 'boss', `/announce 第 ${i} 条`);
    await api.waitForWebhookCount(WEBHOOK_KEY, 20, 10_000);
    await sleep(2000);
    expect(api.webhookMessages(WEBHOOK_KEY)).toHaveLength(20);
    expect((await count(h.app, "SELECT count(*) AS n FROM deliveries WHERE status = 'pending'"))).toBe(1);
    expect((await count(h.app, "SELECT count(*) AS n FROM deliveries WHERE status = 'sent'"))).toBe(20);
    // No post was refused by WeCom: the outbox held the 21st back itself.
    expect(api.requests.filter((r) => r.response['errcode'] === 45009)).toHaveLength(0);
  });

  it('a removed robot (93000) fails the post for good and marks the binding broken', async () => {
    h = await startHarness(api, { wecom: { webhooks: { [GROUP]: WEBHOOK_KEY } } });
    api.removeWebhookKey(WEBHOOK_KEY);
    await say(h.url, 'boss', '/announce hello');
    const app = h.app;
    await waitFor(async () => (await count(app, "SELECT count(*) AS n FROM deliveries WHERE status = 'failed'")) === 1, 10_000, 'failed delivery');
    expect((await count(app, "SELECT count(*) AS n FROM wecom_webhooks WHERE chat_id = ? AND status = 'broken'", GROUP))).toBe(1);
    expect(await say(h.url, 'boss', '/bind')).toMatch(/拒绝/);
  });

  describe('bad input is refused without decrypting or storing anything', () => {
    const inbound = (app: App): Promise<number> => count(app, 'SELECT count(*) AS n FROM inbound_events');

    it.each([
      ['wrong signature', 401, (req: ReturnType<typeof buildBotCallback>) => req.search.replace(/msg_signature=[0-9a-f]{4}/, 'msg_signature=0000'), undefined],
      ['missing signature', 401, (req: ReturnType<typeof buildBotCallback>) => req.search.replace(/msg_signature=[0-9a-f]+&?/, ''), undefined],
      ['timestamp 11 minutes old', 401, (req: ReturnType<typeof buildBotCallback>) => req.search, String(Math.floor(Date.now() / 1000) - 660)],
    ] as const)('%s → %i', async (_name, status, search, timestamp) => {
      h = await startHarness(api);
      const req = buildBotCallback({ token: BOT.token, key: BOT.key, payload: groupText('alice', '签到'), ...(timestamp ? { timestamp } : {}) });
      const res = await fetch(`${h.url}/wecom/bot?${search(req)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.body) });
      expect(res.status).toBe(status);
      expect((await inbound(h.app))).toBe(0);
    });

    it('a validly signed callback whose nonce cannot be echoed in a reply → 400 before the command runs, on both callbacks', async () => {
      h = await startHarness(api, { wecom: { defaultCommunity: GROUP } });
      const checkins = (): Promise<number> => count(h!.app, "SELECT count(*) AS n FROM points_ledger WHERE idem_key LIKE 'checkin:%'");
      for (const nonce of ['7'.repeat(129), '7'.repeat(200), '12 34', '12\n34', '随机数']) {
        expect((await postBot(h.url, groupText('alice', '签到'), { nonce })).status).toBe(400);
        const xml =
          `<xml><ToUserName><![CDATA[${APP.corpId}]]></ToUserName><FromUserName><![CDATA[bob]]></FromUserName><CreateTime>${nowSeconds()}</CreateTime>` +
          `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[签到]]></Content><MsgId>${++appMsgCounter}</MsgId><AgentID>1000002</AgentID></xml>`;
        expect((await postApp(h.url, xml, { nonce })).status).toBe(400);
      }
      expect((await checkins())).toBe(0);
      expect((await inbound(h.app))).toBe(0);
      // The longest nonce a reply can carry still works.
      expect((await postBot(h.url, groupText('alice', '签到'), { nonce: '7'.repeat(128) })).status).toBe(200);
      expect((await checkins())).toBe(1);
    });

    it('a body that does not decrypt, a wrong receive id and malformed JSON → 400', async () => {
      h = await startHarness(api);
      const garbage = 'A'.repeat(64);
      const signed = buildBotCallback({ token: BOT.token, key: BOT.key, payload: 'x' });
      const { getSignature } = await import('@wecom/crypto');
      const q = new URLSearchParams({ msg_signature: getSignature(BOT.token, signed.query.timestamp, signed.query.nonce, garbage), timestamp: signed.query.timestamp, nonce: signed.query.nonce });
      const bad = await fetch(`${h.url}/wecom/bot?${q.toString()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ encrypt: garbage }) });
      expect(bad.status).toBe(400);
      expect((await postBot(h.url, groupText('alice', '签到'), { receiveId: 'ww-other' })).status).toBe(400);
      expect((await postBot(h.url, '{"msgid": "x", ')).status).toBe(400);
      expect((await postBot(h.url, { msgid: 'x' })).status).toBe(400);
      const notJson = await fetch(`${h.url}/wecom/bot?${signed.search}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
      expect(notJson.status).toBe(400);
      expect((await inbound(h.app))).toBe(0);
    });

    it('malformed XML on the app callback → 400; over 64 KiB → 413', async () => {
      h = await startHarness(api);
      const env = await fetch(`${h.url}/wecom/app?msg_signature=abc&timestamp=${nowSeconds()}&nonce=1`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml><Encrypt>' });
      expect(env.status).toBe(400);
      const inner = buildAppCallback({ token: APP.token, key: APP.key, corpId: APP.corpId, xml: '<xml><FromUserName>a</FromUserName' });
      const res = await fetch(`${h.url}/wecom/app?${inner.search}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: inner.body });
      expect(res.status).toBe(400);
      const big = 'x'.repeat(65 * 1024);
      for (const [path, type] of [
        ['/wecom/app', 'text/xml'],
        ['/wecom/bot', 'application/json'],
      ] as const) {
        const tooBig = await fetch(`${h.url}${path}?msg_signature=a&timestamp=1&nonce=1`, { method: 'POST', headers: { 'content-type': type }, body: big });
        expect(tooBig.status).toBe(413);
      }
      expect((await inbound(h.app))).toBe(0);
      const health = await fetch(`${h.url}/healthz`);
      expect(health.status).toBe(200);
    });
  });

  it('the app sender fetches a token once, refreshes it on 42001 and retries', async () => {
    const appApi = new WecomAppApi({ apiUrl: api.baseUrl, corpId: 'ww-fake-corp', secret: 'fake-secret', agentId: 1000002, logger: silent });
    await appApi.sendText(['alice'], 'hello');
    await appApi.sendText(['bob'], 'hello again');
    expect(api.tokenCalls).toBe(1);
    api.invalidateTokens('expired');
    await appApi.sendText(['carol'], 'after expiry');
    expect(api.tokenCalls).toBe(2);
    expect(api.appMessages.map((m) => m.body['touser'])).toEqual(['alice', 'bob', 'carol']);
    expect(api.requests.filter((r) => r.response['errcode'] === 42001)).toHaveLength(1);
  });
});

/** A WecomInbound over a stub handler, for route tests without an app. */
function stubInbound(handle: (event: ChatEvent) => Promise<RouteResult>, options: Partial<WecomInboundOptions> = {}): WecomInbound {
  return new WecomInbound({
    handle,
    handleAll: async (events) => ({ results: await Promise.all(events.map(handle)), afterCommit: [] }),
    admins: [],
    botNames: [],
    passiveReplyMs: 100,
    maxMemberChanges: 10_000,
    apiUrl: 'https://qyapi.weixin.qq.com',
    logger: silent,
    now: () => new Date(),
    ...options,
  });
}

describe('events the bot does not act on', () => {
  let http: FastifyInstance | undefined;
  afterEach(async () => {
    await http?.close();
  });

  it('a template_card_event or feedback_event of any shape is acknowledged with an empty 200, never refused', async () => {
    const seen: ChatEvent[] = [];
    const inbound = stubInbound(async (event) => (seen.push(event), { duplicate: false, replies: [] }));
    http = Fastify();
    registerWecomRoutes(http, { inbound, bot: new WecomCipher({ token: BOT.token, encodingAesKey: BOT.key, receiveId: '' }) });
    const url = await http.listen({ host: '127.0.0.1', port: 0 });
    const event = (eventtype: string, detail: unknown): Record<string, unknown> => ({
      msgid: newMsgId(),
      aibotid: 'AIBOT',
      chatid: 'CHAT',
      chattype: 'group',
      from: { userid: 'alice' },
      msgtype: 'event',
      event: { eventtype, [eventtype]: detail },
    });
    const bodies = [
      event('template_card_event', { card_type: 'vote_interaction', task_id: 'T1', selected_items: { selected_item: [{ question_key: 'q1', option_ids: { option_id: ['a'] } }] } }),
      // Shapes WeCom may add or change: the bot uses no cards, so none of this may turn into a refusal (WeCom retries refused callbacks).
      event('template_card_event', { card_type: 7, selected_items: { selected_item: [{ question_key: 1 }] } }),
      event('template_card_event', 'not an object'),
      event('feedback_event', { type: 'thumbs', content: 3 }),
    ];
    for (const body of bodies) {
      const res = await postBot(url, body);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    }
    expect(seen).toEqual([]);
  });
});

describe('a slow reply goes out through response_url', () => {
  let http: FastifyInstance | undefined;
  let api: FakeWecomApi | undefined;
  afterEach(async () => {
    await http?.close();
    await api?.close();
  });

  it('answers an empty 200 at the deadline, then posts the markdown once to response_url', async () => {
    api = await FakeWecomApi.start();
    const fake = api;
    const handle = async (_event: ChatEvent): Promise<RouteResult> => {
      await sleep(400);
      return { duplicate: false, replies: [{ title: '结果', text: '开奖啦 <@alice>', actions: [{ label: '参与', command: 'lottery join 1' }] }] };
    };
    const inbound = stubInbound(handle, { passiveReplyMs: 100, apiUrl: fake.baseUrl });
    http = Fastify();
    registerWecomRoutes(http, { inbound, bot: new WecomCipher({ token: BOT.token, encodingAesKey: BOT.key, receiveId: '' }) });
    const url = await http.listen({ host: '127.0.0.1', port: 0 });
    const responseUrl = fake.responseUrl('code123');
    const res = await postBot(url, groupText('alice', '抽奖', newMsgId(), responseUrl));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const [posted] = await waitFor(() => (fake.aibotResponses.length > 0 ? fake.aibotResponses : undefined), 3000, 'response_url post');
    expect(posted?.responseCode).toBe('code123');
    expect(posted?.body).toEqual({ msgtype: 'markdown', markdown: { content: '**结果**\n开奖啦 <@alice>\n1. 参与：回复 lottery join 1' } });
  });
});

describe('a response_url off the WeCom API host', () => {
  let http: FastifyInstance | undefined;
  let api: FakeWecomApi | undefined;
  afterEach(async () => {
    await http?.close();
    await api?.close();
  });

  it.each(['x:.evil.example/cgi-bin/aibot/response?response_code=secret-code-1', 'https://evil.example/cgi-bin/aibot/response?response_code=secret-code-1'])(
    'gets no late reply, and the warning names the host only: %s',
    async (responseUrl) => {
      api = await FakeWecomApi.start();
      const log = captureLogger();
      const handle = async (): Promise<RouteResult> => {
        await sleep(300);
        return { duplicate: false, replies: [{ text: '开奖啦' }] };
      };
      const inbound = stubInbound(handle, { passiveReplyMs: 100, apiUrl: api.baseUrl, logger: log.logger });
      http = Fastify();
      registerWecomRoutes(http, { inbound, bot: new WecomCipher({ token: BOT.token, encodingAesKey: BOT.key, receiveId: '' }) });
      const url = await http.listen({ host: '127.0.0.1', port: 0 });
      const res = await postBot(url, groupText('alice', '抽奖', newMsgId(), responseUrl));
      expect(res.status).toBe(200);
      const line = await waitFor(() => log.lines.find((l) => l.includes('response_url')), 3000, 'response_url log line');
      expect(JSON.parse(line)).toMatchObject({ level: 40, msg: 'response_url is not on the WeCom API host: late reply dropped' });
      expect(log.lines.join('\n')).not.toContain('secret-code-1');
      expect(api.requests).toHaveLength(0);
    },
  );
});

describe('long-connection mode', () => {
  let h: Harness | undefined;
  let api: FakeWecomApi;
  let ws: FakeAibotWs;
  beforeEach(async () => {
    api = await FakeWecomApi.start();
    ws = await FakeAibotWs.start({ bots: { BOT1: 'bot-secret' } });
  });
  afterEach(async () => {
    if (h) {
      await h.app.stop();
      rmSync(h.dir, { recursive: true, force: true });
      h = undefined;
    }
    await ws.close();
    await api.close();
  });

  it('answers over the WebSocket with replyStream and posts to unbound groups with sendMessage', async () => {
    h = await startHarness(api, {}, { WECOM_BOT_ID: 'BOT1', WECOM_BOT_SECRET: 'bot-secret', WECOM_BOT_WS_URL: ws.url });
    await ws.waitForSubscribed('BOT1');
    const reqId = ws.pushMessage(groupText('alice', '签到'));
    const reply = await ws.waitForFrame((f) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId, 5000);
    expect(reply.body).toMatchObject({ msgtype: 'stream', stream: { finish: true } });
    expect((reply.body as { stream: { content: string } }).stream.content).toMatch(/签到成功/);

    const announce = ws.pushMessage(groupText('boss', '/announce 大家好'));
    await ws.waitForFrame((f) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === announce, 5000);
    const sent = await ws.waitForFrame((f) => f.cmd === 'aibot_send_msg', 10_000);
    expect(sent.body).toEqual({ chatid: GROUP, msgtype: 'markdown', markdown: { content: '大家好' } });
    const health = (await (await fetch(`${h.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health['wecom']).toBe('up');
  });
});
