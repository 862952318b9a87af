import { WSClient } from '@wecom/aibot-node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appText, streamReply, webhookMarkdown, webhookText } from '../../src/platforms/wecom/outbound.js';
import { parseBotBody } from '../../src/platforms/wecom/protocol.js';
import { FakeAibotWs } from '../fakes/wecom/fake-aibot-ws.js';
import { FakeWecomApi } from '../fakes/wecom/fake-wecom-api.js';
import { waitUntil } from '../fakes/wecom/wait.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function get(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  return (await response.json()) as Record<string, unknown>;
}

describe('FakeWecomApi over fetch', () => {
  let api: FakeWecomApi;

  beforeEach(async () => {
    api = await FakeWecomApi.start({
      webhookLimit: 3,
      webhookWindowMs: 300,
      removedWebhookKeys: ['gone'],
      apps: [{ corpId: 'ww-corp', secret: 's3cret' }],
    });
  });
  afterEach(async () => {
    await api.close();
  });

  it('records webhook posts per key and validates them', async () => {
    expect(api.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await post(api.webhookUrl('K1'), webhookText('签到成功', ['u1']))).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await post(api.webhookUrl('K2'), webhookMarkdown('**hi**'))).toMatchObject({ errcode: 0 });
    expect(api.webhookMessages('K1').map((m) => m.body)).toEqual([{ msgtype: 'text', text: { content: '签到成功', mentioned_list: ['u1'] } }]);
    expect(api.webhookMessages()).toHaveLength(2);

    expect(await post(api.webhookUrl('gone'), webhookText('x'))).toMatchObject({ errcode: 93000 });
    expect(await post(api.webhookUrl('K3'), webhookText('x'.repeat(2049)))).toMatchObject({ errcode: 45002 });
    expect(await post(api.webhookUrl('K3'), webhookText('中'.repeat(683)))).toMatchObject({ errcode: 45002 }); // 2049 bytes
    expect(await post(api.webhookUrl('K3'), webhookText('中'.repeat(682)))).toMatchObject({ errcode: 0 }); // 2046 bytes
    expect(await post(api.webhookUrl('K3'), webhookText(''))).toMatchObject({ errcode: 44004 });
    expect(await post(api.webhookUrl('K3'), '{not json')).toMatchObject({ errcode: 47001 });
    api.removeWebhookKey('K1');
    expect(await post(api.webhookUrl('K1'), webhookText('x'))).toMatchObject({ errcode: 93000 });
    expect(api.requests.filter((r) => r.path === '/cgi-bin/webhook/send')).toHaveLength(9);
  });

  it('enforces the per-key rate limit within the window, then lets posts through again', async () => {
    for (let i = 0; i < 3; i += 1) expect(await post(api.webhookUrl('K'), webhookText(`m${i}`))).toMatchObject({ errcode: 0 });
    expect(await post(api.webhookUrl('K'), webhookText('m3'))).toMatchObject({ errcode: 45009 });
    expect(await post(api.webhookUrl('other'), webhookText('fine'))).toMatchObject({ errcode: 0 });
    expect(api.webhookMessages('K')).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await post(api.webhookUrl('K'), webhookText('m4'))).toMatchObject({ errcode: 0 });
    await api.waitForWebhookCount('K', 4);
  });

  it('issues, reuses, expires and revokes access tokens', async () => {
    const base = `${api.baseUrl}/cgi-bin/gettoken`;
    expect(await get(`${base}?corpid=ww-corp&corpsecret=wrong`)).toMatchObject({ errcode: 40001 });
    const first = await get(`${base}?corpid=ww-corp&corpsecret=s3cret`);
    expect(first).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    const token = String(first['access_token']);
    expect((await get(`${base}?corpid=ww-corp&corpsecret=s3cret`))['access_token']).toBe(token);
    expect(api.tokenCalls).toBe(3);
    expect(api.currentToken('ww-corp')).toBe(token);

    const send = (t: string | undefined) =>
      post(`${api.baseUrl}/cgi-bin/message/send${t === undefined ? '' : `?access_token=${t}`}`, appText(1000002, ['u1'], 'hi'));
    expect(await send(token)).toMatchObject({ errcode: 0, invaliduser: '' });
    expect(api.appMessages).toHaveLength(1);
    expect(api.appMessages[0]).toMatchObject({ corpId: 'ww-corp', body: { touser: 'u1', text: { content: 'hi' } } });
    expect(await send(undefined)).toMatchObject({ errcode: 41001 });
    expect(await send('forged')).toMatchObject({ errcode: 40014 });

    api.invalidateTokens('expired');
    expect(await send(token)).toMatchObject({ errcode: 42001 });
    const second = String((await get(`${base}?corpid=ww-corp&corpsecret=s3cret`))['access_token']);
    expect(second).not.toBe(token);
    expect(await send(second)).toMatchObject({ errcode: 0 });

    api.invalidateTokens('revoked');
    expect(await send(second)).toMatchObject({ errcode: 40014 });
    expect(api.appMessages).toHaveLength(2);
  });

  it('accepts a response_url once', async () => {
    const url = api.responseUrl('RC1');
    expect(await post(url, { msgtype: 'markdown', markdown: { content: '**done**' } })).toMatchObject({ errcode: 0 });
    expect(await post(url, { msgtype: 'markdown', markdown: { content: 'again' } })).toMatchObject({ errcode: 93000 });
    expect(api.aibotResponses).toEqual([{ responseCode: 'RC1', body: { msgtype: 'markdown', markdown: { content: '**done**' } }, at: expect.any(Number) }]);
  });

  it('injects faults and lets tests wait for requests', async () => {
    api.failNext('/cgi-bin/webhook/send', { status: 502 });
    api.failNext('/cgi-bin/webhook/send', { errcode: 45009 });
    const waiting = api.waitFor((r) => r.path === '/cgi-bin/webhook/send' && r.response['errcode'] === 0);
    expect((await fetch(api.webhookUrl('K'), { method: 'POST', body: JSON.stringify(webhookText('a')) })).status).toBe(502);
    expect(await post(api.webhookUrl('K'), webhookText('b'))).toMatchObject({ errcode: 45009 });
    expect(await post(api.webhookUrl('K'), webhookText('c'))).toMatchObject({ errcode: 0 });
    expect((await waiting).body).toEqual(webhookText('c'));
    await expect(api.waitFor((r) => r.path === '/nowhere', 50)).rejects.toThrow(/timed out/);
  });
});

describe('FakeAibotWs with the real @wecom/aibot-node-sdk WSClient', () => {
  let ws: FakeAibotWs;
  const clients: WSClient[] = [];

  const connect = (options: { secret?: string; heartbeatInterval?: number } = {}): WSClient => {
    const client = new WSClient({
      botId: 'BOT1',
      secret: options.secret ?? 'bot-secret',
      wsUrl: ws.url,
      heartbeatInterval: options.heartbeatInterval ?? 30_000,
      reconnectInterval: 50,
      maxReconnectAttempts: 3,
      maxAuthFailureAttempts: 0,
      logger: silent,
    });
    clients.push(client);
    client.on('error', () => {});
    client.connect();
    return client;
  };

  beforeEach(async () => {
    ws = await FakeAibotWs.start({ bots: { BOT1: 'bot-secret' } });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) if (client.isConnected) client.disconnect();
    await ws.close();
  });

  it('authenticates, receives a pushed text message, and replies on its req_id', async () => {
    const client = connect();
    const authenticated = new Promise<void>((resolve) => client.once('authenticated', () => resolve()));
    await ws.waitForSubscribed('BOT1');
    await authenticated;
    expect(ws.frames[0]).toMatchObject({ cmd: 'aibot_subscribe', body: { bot_id: 'BOT1', secret: 'bot-secret' } });

    const replied = new Promise<unknown>((resolve, reject) => {
      client.on('message.text', (frame) => {
        const message = parseBotBody(frame.body, { botNames: ['小助手'] });
        if (message.kind !== 'text') return;
        client.replyStream(frame, 'stream-1', `收到：${message.text}`, true).then(resolve, reject);
      });
    });
    const reqId = ws.pushMessage({
      msgid: 'MSG1',
      aibotid: 'BOT1',
      chatid: 'CHAT1',
      chattype: 'group',
      from: { userid: 'alice' },
      msgtype: 'text',
      text: { content: '@小助手 签到' },
    });
    const ack = (await replied) as { headers: { req_id: string }; errcode: number };
    expect(ack).toMatchObject({ headers: { req_id: reqId }, errcode: 0 });
    expect(ws.responses(reqId)).toHaveLength(1);
    expect(ws.responses(reqId)[0]?.body).toEqual(streamReply('stream-1', '收到：签到', true));
  });

  it('acks proactive aibot_send_msg and delivers events', async () => {
    const client = connect();
    await ws.waitForSubscribed();
    await waitUntil(() => client.isConnected, 2000, 'the client to be connected');
    const ack = await client.sendMessage('CHAT1', { msgtype: 'markdown', markdown: { content: '**每日签到**' } });
    expect(ack).toMatchObject({ errcode: 0 });
    expect(ws.sentMessages()[0]?.body).toEqual({ chatid: 'CHAT1', msgtype: 'markdown', markdown: { content: '**每日签到**' } });

    const entered = new Promise<string>((resolve) => client.on('event.enter_chat', (frame) => resolve(frame.body?.from.userid ?? '')));
    ws.pushEvent({ msgid: 'EV1', create_time: 1700000000, aibotid: 'BOT1', from: { userid: 'bob' }, msgtype: 'event', event: { eventtype: 'enter_chat' } });
    expect(await entered).toBe('bob');

    ws.setAckOverride((frame) => (frame.cmd === 'aibot_send_msg' ? { errcode: 6000, errmsg: 'denied' } : undefined));
    await expect(client.sendMessage('CHAT1', { msgtype: 'markdown', markdown: { content: 'x' } })).rejects.toMatchObject({ errcode: 6000 });
  });

  it('refuses a wrong secret', async () => {
    const client = connect({ secret: 'wrong' });
    const failed = new Promise<Error>((resolve) => client.on('error', (error) => resolve(error)));
    expect((await failed).message).toMatch(/Authentication failed/);
    expect(ws.frames.some((f) => f.cmd === 'aibot_subscribe')).toBe(true);
  });

  it('acks heartbeats, and the SDK reconnects when acks stop', async () => {
    const client = connect({ heartbeatInterval: 40 });
    await ws.waitForSubscribed();
    await ws.waitForFrame((f) => f.cmd === 'ping');
    ws.setPingAcks(false);
    await waitUntil(() => ws.connectionCount >= 2, 3000, 'a reconnect');
    ws.setPingAcks(true);
    await ws.waitForSubscribed();
    expect(ws.frames.filter((f) => f.cmd === 'aibot_subscribe').length).toBeGreaterThanOrEqual(2);
    client.disconnect();
  });

  it('kick sends disconnected_event and closes the connection', async () => {
    const client = connect();
    await ws.waitForSubscribed();
    await waitUntil(() => client.isConnected, 2000, 'the client to be connected');
    const disconnected = new Promise<void>((resolve) => client.on('event.disconnected_event', () => resolve()));
    ws.kick();
    await disconnected;
    await waitUntil(() => !client.isConnected, 2000, 'the client to drop the connection');
  });
});
