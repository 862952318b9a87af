/**
 * Property-based tests of the WeCom callbacks after a valid signature and
 * encryption (built with @wecom/crypto by test/fakes/wecom/client.ts): the
 * intelligent bot's JSON (/wecom/bot) and the app's XML (/wecom/app), with
 * arbitrary payloads inside. The real app runs in-process (`app.http.inject`,
 * real SQLite and Redis, the fake WeCom API for anything it posts). Never a
 * 5xx; a refused payload (400) changes nothing; a reply decrypts and shows
 * only catalog text. Seed and run counts: see ./support.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { platformAdapters } from '../../src/platforms/index.js';
import { buildAppCallback, buildBotCallback, openAppReply, openBotReply } from '../fakes/wecom/client.js';
import { FakeWecomApi } from '../fakes/wecom/fake-wecom-api.js';
import { testConfig } from '../helpers/app.js';
import { APP, BOT, wecomEnv } from '../helpers/wecom.js';
import { ledgerMismatches } from '../helpers/ledger.js';
import { CatalogCheck, chatCommand, fuzz, tableCounts, trace } from './support.js';

const FILE = 'test/fuzz/wecom.test.ts';

/** Every string inside a JSON value (or the text itself): what the bot may echo back. */
function stringsIn(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(stringsIn).join('\n');
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}\n${stringsIn(v)}`).join('\n');
  return String(value);
}

const weird = fc.oneof(fc.string({ unit: 'binary', maxLength: 16 }), fc.constantFrom('', ' ', 'a b', '\u202e', '\u200b', 'x'.repeat(300), ']]>', '<x/>', '&amp;'));
const userId = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('boss', 'alice', 'bob', 'ZhangSan', 'wmExternal01') }, { weight: 1, arbitrary: weird });
const chatId = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('wrGroup01', 'wrGroup02') }, { weight: 1, arbitrary: weird });
/** Ids that never repeat by accident (a repeat is a WeCom retry and gets the first reply). */
const msgId = fc.oneof({ weight: 8, arbitrary: fc.uuid() }, { weight: 1, arbitrary: weird });
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }));
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> => fc.oneof({ weight: 15, arbitrary: arb }, { weight: 1, arbitrary: wrongType });
const mention = fc.constantFrom('@qunbot ', '@qunbot\u2005', '', '@Someone ', '@qunbot @alice ');

const content = fc.tuple(mention, chatCommand).map(([m, c]) => `${m}${c}`);
const validText = fc.record({
  msgid: fc.uuid(),
  aibotid: fc.constant('AIBOT'),
  chatid: chatId,
  chattype: fc.constantFrom('group', 'group', 'single'),
  from: fc.record({ userid: userId }),
  msgtype: fc.constant('text'),
  text: fc.record({ content }),
});
const mutatedText = fc.record(
  {
    msgid: maybe(msgId),
    aibotid: maybe(fc.constant('AIBOT')),
    chatid: maybe(chatId),
    chattype: maybe(fc.oneof({ weight: 6, arbitrary: fc.constantFrom('group', 'single') }, { weight: 1, arbitrary: weird })),
    from: maybe(fc.record({ userid: maybe(userId) }, { requiredKeys: [] })),
    response_url: maybe(fc.constantFrom('https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RC', 'https://evil.example/x', 'not a url')),
    msgtype: maybe(fc.oneof({ weight: 6, arbitrary: fc.constant('text') }, { weight: 2, arbitrary: fc.constantFrom('image', 'mixed', 'voice', 'file', 'stream', 'event') }, { weight: 1, arbitrary: weird })),
    text: maybe(fc.record({ content: maybe(content) })),
  },
  { requiredKeys: ['msgid', 'msgtype', 'from'] },
);
const imageUrl = fc.oneof({ weight: 4, arbitrary: fc.constant('https://wework.qpic.cn/wwpic/fuzz.png') }, { weight: 1, arbitrary: weird });
const otherMessage = fc.record({
  msgid: msgId,
  aibotid: fc.constant('AIBOT'),
  chatid: chatId,
  chattype: fc.constantFrom('group', 'single'),
  from: fc.record({ userid: userId }),
  msgtype: fc.constantFrom('mixed', 'image', 'event', 'stream', 'voice'),
  mixed: maybe(fc.record({ msg_item: fc.array(fc.oneof(fc.record({ msgtype: fc.constant('text'), text: fc.record({ content: chatCommand }) }), fc.record({ msgtype: fc.constant('image'), image: fc.record({ url: imageUrl }) })), { maxLength: 3 }) })),
  image: maybe(fc.record({ url: imageUrl })),
  event: maybe(fc.record({ eventtype: fc.constantFrom('enter_chat', 'template_card_event', 'feedback_event', 'unknown') })),
  stream: maybe(fc.record({ id: weird })),
});
const botPayload: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: validText },
  { weight: 2, arbitrary: mutatedText },
  { weight: 2, arbitrary: otherMessage },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

const cdata = (s: string): string => `<![CDATA[${s}]]>`;
const leaf = fc.oneof({ weight: 20, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
/** A text message or a customer-group change, some tags left out, values odd or ordinary. */
const appXml: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ user: userId, content, id: msgId, time: fc.integer({ min: 0, max: 2_000_000_000 }), has: fc.tuple(leaf, leaf, leaf, leaf), type: fc.oneof({ weight: 6, arbitrary: fc.constant('text') }, { weight: 1, arbitrary: weird }) })
      .map(({ user, content, id, time, has: [hasFrom, hasContent, hasId, hasTime], type }) =>
        `<xml><ToUserName>${cdata(APP.corpId)}</ToUserName>${hasFrom ? `<FromUserName>${cdata(user)}</FromUserName>` : ''}${hasTime ? `<CreateTime>${time}</CreateTime>` : ''}` +
        `<MsgType>${cdata(type)}</MsgType>${hasContent ? `<Content>${cdata(content)}</Content>` : ''}${hasId ? `<MsgId>${id}</MsgId>` : ''}<AgentID>1000002</AgentID></xml>`,
      ),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        chat: chatId,
        detail: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('add_member', 'del_member') }, { weight: 1, arbitrary: weird }),
        changeType: fc.constantFrom('update', 'create', 'dismiss', ''),
        ids: fc.array(userId, { maxLength: 6 }),
        comma: fc.boolean(),
        count: fc.oneof(fc.constant<number | undefined>(undefined), fc.integer({ min: -1, max: 20 })),
        version: fc.uuid(),
      })
      .map(({ chat, detail, changeType, ids, comma, count, version }) => {
        const list = comma ? cdata(ids.join(',')) : ids.map((id) => `<Item>${cdata(id)}</Item>`).join('');
        return (
          `<xml><ToUserName>${cdata(APP.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>` +
          `<MsgType>${cdata('event')}</MsgType><Event>${cdata('change_external_chat')}</Event><ChatId>${cdata(chat)}</ChatId><ChangeType>${cdata(changeType)}</ChangeType>` +
          `<UpdateDetail>${cdata(detail)}</UpdateDetail><JoinScene>1</JoinScene>${count === undefined ? '' : `<MemChangeCnt>${count}</MemChangeCnt>`}<MemChangeList>${list}</MemChangeList><CurMemVer>${version}</CurMemVer></xml>`
        );
      }),
  },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('<xml>', '</xml>', '<MsgType>', '</MsgType>', 'text', 'event', '<Content>', '</Content>', '<![CDATA[', ']]>', '<!DOCTYPE x [<!ENTITY a "b">]>', '&a;', '&lt;', '<?xml version="1.0"?>', '<FromUserName>u</FromUserName>', '<CreateTime>1</CreateTime>', '<Item>', '</Item>'), { maxLength: 12 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

describe('WeCom callbacks with arbitrary payloads inside valid encryption', () => {
  let api: FakeWecomApi;
  let app: App;
  let dir: string;
  const catalog = new CatalogCheck();

  /**
   * Posts a signed callback and checks what holds for every input: never 5xx, and a
   * 400 changes no row. Returns the response when there is a reply body to read.
   */
  async function postChecked(route: string, search: string, contentType: string, payload: string): Promise<{ statusCode: number; body: string } | undefined> {
    const before = (await tableCounts(app.store.sql));
    const res = await app.http.inject({ method: 'POST', url: `${route}?${search}`, headers: { 'content-type': contentType }, payload });
    expect(res.statusCode, res.body).toBeLessThan(500);
    if (res.statusCode !== 200 || res.body === '') trace(route, res.statusCode, res.body);
    if (res.statusCode === 400) {
      expect((await tableCounts(app.store.sql))).toEqual(before);
      return undefined;
    }
    expect(res.statusCode, res.body).toBe(200);
    return res.body === '' ? undefined : res;
  }

  beforeAll(async () => {
    api = await FakeWecomApi.start();
    dir = mkdtempSync(join(tmpdir(), 'qunbot-fuzz-wecom-'));
    const env = wecomEnv(api.baseUrl);
    const appConfig = testConfig({}, env, join(dir, 'qunbot.sqlite'));
    // A gateway runs no workers: every row change comes from the request being checked,
    // not from a welcome or a post delivered in the background meanwhile.
    app = (await createApp({ appConfig, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), adapters: platformAdapters(appConfig), role: 'gateway' }));
    await app.start();
  });
  afterAll(async () => {
    await app?.stop();
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('/wecom/bot: never 5xx; 400 changes nothing; a reply decrypts to catalog text', async () => {
    await fuzz(
      FILE,
      fc.asyncProperty(botPayload, async (payload) => {
        catalog.sent(stringsIn(payload));
        const req = buildBotCallback({ token: BOT.token, key: BOT.key, payload });
        const route = '/wecom/bot';
        const res = await postChecked(route, req.search, 'application/json', JSON.stringify(req.body));
        if (!res) return;
        const reply = openBotReply({ token: BOT.token, key: BOT.key, reply: res.body, expectedNonce: req.query.nonce }) as { msgtype: string; stream: { finish: boolean; content: string } };
        expect(reply.msgtype).toBe('stream');
        trace(route, res.statusCode, reply.stream.content);
        catalog.assert([reply.stream.content]);
      }),
      500,
    );
  }, 120_000);

  it('/wecom/app: never 5xx; 400 changes nothing; a reply decrypts to catalog text', async () => {
    const parser = new XMLParser({ parseTagValue: false });
    await fuzz(
      FILE,
      fc.asyncProperty(appXml, async (xml) => {
        catalog.sent(xml);
        const req = buildAppCallback({ token: APP.token, key: APP.key, corpId: APP.corpId, xml });
        const route = '/wecom/app';
        const res = await postChecked(route, req.search, 'text/xml', req.body);
        if (!res) return;
        const inner = parser.parse(openAppReply({ token: APP.token, key: APP.key, corpId: APP.corpId, xml: res.body })) as { xml?: { Content?: unknown } };
        expect(typeof inner.xml?.Content).toBe('string');
        trace(route, res.statusCode, String(inner.xml?.Content));
        catalog.assert([String(inner.xml?.Content)]);
      }),
      400,
    );
  }, 120_000);

  it('after all of that, every balance is still the sum of its ledger rows', async () => {
    expect((await ledgerMismatches(app.store.sql))).toEqual([]);
  });
});
