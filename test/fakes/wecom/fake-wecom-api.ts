/**
 * A fake of qyapi.weixin.qq.com on loopback for tests: group-robot webhook
 * (text, markdown, image), gettoken, temporary media upload, app
 * message/send (text, markdown, image by media_id) and appchat/send, and the
 * intelligent bot's response_url. Every request is recorded. HTTP status is 200 with an errcode
 * body, like the real API (except unknown paths: 404).
 *
 *   const api = await FakeWecomApi.start({ webhookWindowMs: 300 });
 *   await fetch(api.webhookUrl('K'), { method: 'POST', body: JSON.stringify(webhookText('hi')) });
 *   await api.waitForWebhookCount('K', 1);
 *   await api.close();
 *
 * Error codes follow platforms.md §4(d): 45009 rate limit, 93000 removed
 * robot, 40001 wrong secret, 40014 invalid token, 42001 expired token,
 * 41001 missing token, 44004 empty content, 45002 content too long,
 * 47001 unparsable body, 86003 unknown appchat; for images (UNVERIFIED
 * codes): 40005 a media type other than image/voice/video/file, 40009 an image
 * over the size limit (2 MB for webhooks; 10 MB uploads), 40007 an unknown
 * media_id, 40006 a webhook image whose md5 does not match its bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMultipart } from '../discord/http-util.js';
import { waitUntil } from './wait.js';

export interface FakeWecomApp {
  corpId: string;
  secret: string;
}

export interface FakeWecomApiOptions {
  /** Messages accepted per webhook key within the window (default 20, the documented limit). */
  webhookLimit?: number;
  /** Rate-limit window in ms (default 60_000). */
  webhookWindowMs?: number;
  /** Keys answered with 93000 (robot removed / invalid webhook URL). */
  removedWebhookKeys?: string[];
  /** Credentials gettoken accepts (default one app: corp "ww-fake-corp", secret "fake-secret"). */
  apps?: FakeWecomApp[];
  /** `expires_in` of issued tokens, seconds (default 7200). Expiry is checked in real time. */
  tokenTtlSeconds?: number;
  /** appchat/send answers 86003 for chat ids not listed here; undefined accepts every chat id. */
  knownAppChatIds?: string[];
  /** errcode for a response_code used a second time (UNVERIFIED: the real code is not documented). */
  responseCodeReusedErrcode?: number;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  rawBody: string;
  /** Parsed JSON body, or undefined when it is not JSON. */
  body: unknown;
  status: number;
  response: Record<string, unknown>;
  at: number;
}

export interface WebhookMessage {
  key: string;
  body: Record<string, unknown>;
  at: number;
}

export interface AppMessage {
  accessToken: string;
  corpId: string;
  body: Record<string, unknown>;
  at: number;
}

/** A temporary media file (`POST /cgi-bin/media/upload`), valid 3 days on the real API. */
export interface UploadedMedia {
  mediaId: string;
  type: string;
  filename: string;
  contentType: string | null;
  data: Buffer;
  at: number;
}

export interface AibotResponse {
  responseCode: string;
  body: Record<string, unknown>;
  at: number;
}

interface FaultReply {
  status?: number;
  errcode?: number;
  errmsg?: string;
}

interface TokenState {
  corpId: string;
  appKey: string;
  state: 'valid' | 'expired' | 'revoked';
  expiresAt: number;
}

type Reply = { status: number; body: Record<string, unknown> };

const ok = (extra: Record<string, unknown> = {}): Reply => ({ status: 200, body: { errcode: 0, errmsg: 'ok', ...extra } });
const err = (errcode: number, errmsg: string): Reply => ({ status: 200, body: { errcode, errmsg } });

/** PNG or JPEG, by their magic bytes (what WeCom accepts as an image). */
const isImage = (data: Buffer): boolean => data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) || (data[0] === 0xff && data[1] === 0xd8);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function contentOf(body: Record<string, unknown>): string | undefined {
  const msgtype = body['msgtype'];
  if (typeof msgtype !== 'string') return undefined;
  const part = body[msgtype];
  if (!isRecord(part)) return undefined;
  return typeof part['content'] === 'string' ? part['content'] : undefined;
}

export class FakeWecomApi {
  readonly requests: RecordedRequest[] = [];
  readonly appMessages: AppMessage[] = [];
  readonly appChatMessages: AppMessage[] = [];
  readonly aibotResponses: AibotResponse[] = [];
  readonly media = new Map<string, UploadedMedia>();

  #server: Server;
  #baseUrl = '';
  #seq = 0;
  #tokenCalls = 0;
  #webhook: WebhookMessage[] = [];
  #webhookAccepted = new Map<string, number[]>();
  #removedKeys: Set<string>;
  #apps: FakeWecomApp[];
  #tokens = new Map<string, TokenState>();
  #currentToken = new Map<string, string>();
  #usedResponseCodes = new Set<string>();
  #faults = new Map<string, FaultReply[]>();
  #stalls = new Map<string, number[]>();
  #options: Required<Pick<FakeWecomApiOptions, 'webhookLimit' | 'webhookWindowMs' | 'tokenTtlSeconds' | 'responseCodeReusedErrcode'>> &
    Pick<FakeWecomApiOptions, 'knownAppChatIds'>;

  private constructor(options: FakeWecomApiOptions) {
    this.#options = {
      webhookLimit: options.webhookLimit ?? 20,
      webhookWindowMs: options.webhookWindowMs ?? 60_000,
      tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
      responseCodeReusedErrcode: options.responseCodeReusedErrcode ?? 93000,
      knownAppChatIds: options.knownAppChatIds,
    };
    this.#removedKeys = new Set(options.removedWebhookKeys ?? []);
    this.#apps = options.apps ?? [{ corpId: 'ww-fake-corp', secret: 'fake-secret' }];
    this.#server = createServer((req, res) => {
      void this.#handle(req, res);
    });
  }

  static async start(options: FakeWecomApiOptions = {}): Promise<FakeWecomApi> {
    const api = new FakeWecomApi(options);
    await new Promise<void>((resolve, reject) => {
      api.#server.once('error', reject);
      api.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = api.#server.address() as AddressInfo;
    api.#baseUrl = `http://127.0.0.1:${port}`;
    return api;
  }

  /** `http://127.0.0.1:PORT` — use as the qyapi base URL. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** Number of gettoken calls, including refused ones. */
  get tokenCalls(): number {
    return this.#tokenCalls;
  }

  webhookUrl(key: string): string {
    return `${this.#baseUrl}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
  }

  /** A response_url as WeCom would put in a bot callback; a fresh code when none is given. */
  responseUrl(code: string = randomBytes(8).toString('hex')): string {
    return `${this.#baseUrl}/cgi-bin/aibot/response?response_code=${encodeURIComponent(code)}`;
  }

  /** Accepted webhook messages, for one key or all. */
  webhookMessages(key?: string): WebhookMessage[] {
    return key === undefined ? [...this.#webhook] : this.#webhook.filter((m) => m.key === key);
  }

  /** Future posts to `key` get errcode 93000. */
  removeWebhookKey(key: string): void {
    this.#removedKeys.add(key);
  }

  restoreWebhookKey(key: string): void {
    this.#removedKeys.delete(key);
  }

  /** The token gettoken would hand out now for this corp (undefined when none is valid). */
  currentToken(corpId: string = this.#apps[0]?.corpId ?? ''): string | undefined {
    for (const [appKey, token] of this.#currentToken) {
      const state = this.#tokens.get(token);
      if (appKey.startsWith(`${corpId}\u0000`) && state?.state === 'valid' && state.expiresAt > Date.now()) return token;
    }
    return undefined;
  }

  /**
   * Invalidates every token issued so far: the next message/send with one gets
   * 42001 ('expired') or 40014 ('revoked'), and gettoken issues a new token.
   */
  invalidateTokens(kind: 'expired' | 'revoked'): void {
    for (const state of this.#tokens.values()) if (state.state === 'valid') state.state = kind;
    this.#currentToken.clear();
  }

  /** The next `times` requests to `path` get this reply instead (status defaults to 200). */
  failNext(path: string, reply: FaultReply, times = 1): void {
    const list = this.#faults.get(path) ?? [];
    for (let i = 0; i < times; i += 1) list.push(reply);
    this.#faults.set(path, list);
  }

  /**
   * The next `times` requests to `path` get no answer for `ms` (a client with a shorter timeout gives up),
   * then an injected-fault errcode; the request is not acted on (a webhook post is not accepted).
   */
  stallNext(path: string, ms: number, times = 1): void {
    const list = this.#stalls.get(path) ?? [];
    for (let i = 0; i < times; i += 1) list.push(ms);
    this.#stalls.set(path, list);
  }

  /** Resolves with the first recorded request (past or future) matching `predicate`. */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs = 2000): Promise<RecordedRequest> {
    return waitUntil(() => this.requests.find(predicate), timeoutMs, 'a matching request to the fake WeCom API');
  }

  /** Resolves once `count` webhook messages were accepted for `key`. */
  waitForWebhookCount(key: string, count: number, timeoutMs = 2000): Promise<WebhookMessage[]> {
    return waitUntil(
      () => {
        const messages = this.webhookMessages(key);
        return messages.length >= count ? messages : undefined;
      },
      timeoutMs,
      `${count} webhook message(s) for key ${key}`,
    );
  }

  /** Forgets recorded requests and messages, rate-limit windows and faults (tokens survive). */
  reset(): void {
    this.requests.length = 0;
    this.appMessages.length = 0;
    this.appChatMessages.length = 0;
    this.aibotResponses.length = 0;
    this.#webhook = [];
    this.#webhookAccepted.clear();
    this.#faults.clear();
    this.#stalls.clear();
    this.#tokenCalls = 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#baseUrl);
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 4 * 1024 * 1024) break;
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    const rawBody = raw.toString('utf8');
    let body: unknown;
    try {
      body = rawBody === '' ? undefined : (JSON.parse(rawBody) as unknown);
    } catch {
      body = undefined;
    }
    const stall = this.#stalls.get(url.pathname)?.shift();
    if (stall !== undefined) await new Promise((resolve) => setTimeout(resolve, stall).unref());
    const reply = (stall !== undefined ? { status: 200, body: { errcode: -1, errmsg: 'stalled (injected fault)' } } : undefined) ?? this.#fault(url.pathname) ?? this.#route(req.method ?? 'GET', url.pathname, query, rawBody, body, raw, req.headers['content-type']);
    this.#seq += 1;
    this.requests.push({
      seq: this.#seq,
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      rawBody,
      body,
      status: reply.status,
      response: reply.body,
      at: Date.now(),
    });
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(reply.body));
  }

  #fault(path: string): Reply | undefined {
    const list = this.#faults.get(path);
    const fault = list?.shift();
    if (!fault) return undefined;
    return { status: fault.status ?? 200, body: { errcode: fault.errcode ?? -1, errmsg: fault.errmsg ?? 'injected fault' } };
  }

  #route(method: string, path: string, query: Record<string, string>, rawBody: string, body: unknown, raw: Buffer, contentType: string | undefined): Reply {
    if (method === 'GET' && path === '/cgi-bin/gettoken') return this.#getToken(query);
    if (method === 'POST') {
      if (path === '/cgi-bin/media/upload') return this.#mediaUpload(query, raw, contentType);
      if (path === '/cgi-bin/webhook/send') return this.#webhookSend(query, rawBody, body);
      if (path === '/cgi-bin/message/send') return this.#appSend(query, rawBody, body, this.appMessages, false);
      if (path === '/cgi-bin/appchat/send') return this.#appSend(query, rawBody, body, this.appChatMessages, true);
      if (path === '/cgi-bin/aibot/response') return this.#aibotResponse(query, rawBody, body);
    }
    return { status: 404, body: { errcode: 404, errmsg: `fake WeCom API: no route for ${method} ${path}` } };
  }

  #checkContent(body: Record<string, unknown>, limits: Record<string, number>): Reply | undefined {
    const msgtype = body['msgtype'];
    if (typeof msgtype !== 'string' || !isRecord(body[msgtype])) return err(40008, 'invalid message type');
    const limit = limits[msgtype];
    if (limit === undefined) return undefined;
    const content = contentOf(body);
    if (content === undefined || content === '') return err(44004, 'empty content');
    if (Buffer.byteLength(content, 'utf8') > limit) return err(45002, `content size out of limit (${limit} bytes)`);
    return undefined;
  }

  /** `POST /cgi-bin/media/upload?access_token=…&type=image`: one multipart file part named `media`. */
  #mediaUpload(query: Record<string, string>, raw: Buffer, contentType: string | undefined): Reply {
    const token = this.#checkToken(query);
    if ('status' in token) return token;
    const type = query['type'] ?? '';
    if (!['image', 'voice', 'video', 'file'].includes(type)) return err(40005, 'invalid file type');
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    if (!(contentType ?? '').startsWith('multipart/form-data') || !boundary) return err(47001, 'data format error');
    const part = parseMultipart(raw, boundary[1] ?? boundary[2] ?? '').find((p) => p.name === 'media' && p.filename !== null);
    if (!part || part.data.length < 5) return err(41005, 'media data missing');
    if (type === 'image' && (part.data.length > 10 * 1024 * 1024 || !isImage(part.data))) return err(40009, 'invalid image size or format');
    const mediaId = `fake-media-${randomBytes(8).toString('hex')}`;
    const at = Date.now();
    this.media.set(mediaId, { mediaId, type, filename: part.filename ?? '', contentType: part.contentType, data: part.data, at });
    return ok({ type, media_id: mediaId, created_at: String(Math.floor(at / 1000)) });
  }

  /** An image message's `image` part: a known media_id (app messages) or base64 and md5 (webhooks). */
  #checkImage(body: Record<string, unknown>, webhook: boolean): Reply | undefined {
    if (body['msgtype'] !== 'image') return undefined;
    const image = body['image'];
    if (!isRecord(image)) return err(40008, 'invalid message type');
    if (!webhook) return typeof image['media_id'] === 'string' && this.media.get(image['media_id'])?.type === 'image' ? undefined : err(40007, 'invalid media_id');
    if (typeof image['base64'] !== 'string' || typeof image['md5'] !== 'string') return err(40008, 'invalid message type');
    const bytes = Buffer.from(image['base64'], 'base64');
    if (bytes.length === 0 || bytes.length > 2 * 1024 * 1024 || !isImage(bytes)) return err(40009, 'invalid image size or format');
    if (createHash('md5').update(bytes).digest('hex') !== image['md5']) return err(40006, 'image md5 mismatch');
    return undefined;
  }

  #webhookSend(query: Record<string, string>, rawBody: string, body: unknown): Reply {
    const key = query['key'];
    if (!key || this.#removedKeys.has(key)) return err(93000, 'invalid webhook url');
    if (!isRecord(body)) return err(47001, rawBody === '' ? 'empty post data' : 'data format error');
    const bad = this.#checkImage(body, true) ?? this.#checkContent(body, { text: 2048, markdown: 4096 });
    if (bad) return bad;
    const now = Date.now();
    const windowStart = now - this.#options.webhookWindowMs;
    const accepted = (this.#webhookAccepted.get(key) ?? []).filter((at) => at > windowStart);
    if (accepted.length >= this.#options.webhookLimit) {
      this.#webhookAccepted.set(key, accepted);
      return err(45009, 'api freq out of limit');
    }
    accepted.push(now);
    this.#webhookAccepted.set(key, accepted);
    this.#webhook.push({ key, body, at: now });
    return ok();
  }

  #getToken(query: Record<string, string>): Reply {
    this.#tokenCalls += 1;
    const corpId = query['corpid'];
    const secret = query['corpsecret'];
    if (!corpId) return err(41002, 'corpid missing');
    if (!secret) return err(41004, 'corpsecret missing');
    if (!this.#apps.some((app) => app.corpId === corpId)) return err(40013, 'invalid corpid');
    if (!this.#apps.some((app) => app.corpId === corpId && app.secret === secret)) return err(40001, 'invalid credential');
    const appKey = `${corpId}\u0000${secret}`;
    const now = Date.now();
    const current = this.#currentToken.get(appKey);
    const state = current === undefined ? undefined : this.#tokens.get(current);
    if (current !== undefined && state?.state === 'valid' && state.expiresAt > now) {
      return ok({ access_token: current, expires_in: Math.max(0, Math.floor((state.expiresAt - now) / 1000)) });
    }
    const token = `fake-token-${randomBytes(12).toString('hex')}`;
    this.#tokens.set(token, { corpId, appKey, state: 'valid', expiresAt: now + this.#options.tokenTtlSeconds * 1000 });
    this.#currentToken.set(appKey, token);
    return ok({ access_token: token, expires_in: this.#options.tokenTtlSeconds });
  }

  #checkToken(query: Record<string, string>): Reply | TokenState {
    const token = query['access_token'];
    if (!token) return err(41001, 'access_token missing');
    const state = this.#tokens.get(token);
    if (!state || state.state === 'revoked') return err(40014, 'invalid access_token');
    if (state.state === 'expired' || state.expiresAt <= Date.now()) return err(42001, 'access_token expired');
    return state;
  }

  #appSend(query: Record<string, string>, rawBody: string, body: unknown, into: AppMessage[], appChat: boolean): Reply {
    const token = this.#checkToken(query);
    if ('status' in token) return token;
    if (!isRecord(body)) return err(47001, rawBody === '' ? 'empty post data' : 'data format error');
    if (appChat) {
      const chatId = body['chatid'];
      if (typeof chatId !== 'string' || chatId === '') return err(40050, 'chatid missing');
      const known = this.#options.knownAppChatIds;
      if (known !== undefined && !known.includes(chatId)) return err(86003, 'chatid not exist');
    } else if (!['touser', 'toparty', 'totag'].some((field) => typeof body[field] === 'string' && body[field] !== '')) {
      return err(40031, 'invalid user list');
    }
    const bad = this.#checkImage(body, false) ?? this.#checkContent(body, { text: 2048, markdown: 2048 });
    if (bad) return bad;
    into.push({ accessToken: query['access_token'] ?? '', corpId: token.corpId, body, at: Date.now() });
    return appChat ? ok() : ok({ invaliduser: '', invalidparty: '', invalidtag: '', msgid: randomBytes(8).toString('hex') });
  }

  #aibotResponse(query: Record<string, string>, rawBody: string, body: unknown): Reply {
    const code = query['response_code'];
    if (!code) return err(40058, 'response_code missing');
    if (this.#usedResponseCodes.has(code)) return err(this.#options.responseCodeReusedErrcode, 'response_code already used');
    if (!isRecord(body)) return err(47001, rawBody === '' ? 'empty post data' : 'data format error');
    const bad = this.#checkContent(body, { markdown: 20480 });
    if (bad) return bad;
    this.#usedResponseCodes.add(code);
    this.aibotResponses.push({ responseCode: code, body, at: Date.now() });
    return ok();
  }
}
