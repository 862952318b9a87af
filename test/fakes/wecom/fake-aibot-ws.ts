/**
 * A fake of the intelligent bot's long-connection endpoint
 * (wss://openws.work.weixin.qq.com) on loopback, speaking the frames of
 * @wecom/aibot-node-sdk 1.0.7 (src: dist/index.esm.js, WsConnectionManager):
 *
 *   client → server  {cmd, headers:{req_id}, body}
 *     aibot_subscribe {bot_id, secret}    → ack {headers:{req_id}, errcode:0, errmsg:"ok"}
 *     ping (no body)                      → ack (2 missed acks make the SDK reconnect)
 *     aibot_respond_msg / _welcome_msg / _update_msg (req_id of the callback) → ack
 *     aibot_send_msg {chatid, msgtype, …} → ack
 *     aibot_upload_media_init/_chunk/_finish → ack with body {upload_id} / {} / {type, media_id, created_at}
 *   server → client
 *     aibot_msg_callback   {cmd, headers:{req_id}, body: <same JSON as the HTTP callback>}
 *     aibot_event_callback {cmd, headers:{req_id}, body: {…, msgtype:"event", event:{eventtype…}}}
 *
 * The SDK routes acks by req_id prefix ("aibot_subscribe…", "ping…") or by a
 * pending reply req_id, so every ack echoes the frame's req_id.
 *
 *   const ws = await FakeAibotWs.start({ bots: { BOT: 'SECRET' } });
 *   new WSClient({ botId: 'BOT', secret: 'SECRET', wsUrl: ws.url, logger }).connect();
 *   await ws.waitForSubscribed();
 *   const reqId = ws.pushMessage({ msgid: 'm1', msgtype: 'text', … });
 *   const reply = await ws.waitForFrame((f) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId);
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { waitUntil } from './wait.js';

export interface FakeAibotWsOptions {
  /** bot_id → secret accepted by aibot_subscribe; undefined accepts any pair. */
  bots?: Record<string, string>;
}

export interface ClientFrame {
  connectionId: number;
  cmd: string;
  headers: { req_id: string; [key: string]: unknown };
  body?: unknown;
  at: number;
}

/** What the fake answers to a client frame: errcode 0 by default. */
export interface AckDecision {
  errcode: number;
  errmsg?: string;
  body?: unknown;
}

interface Connection {
  id: number;
  socket: WebSocket;
  botId?: string;
  subscribed: boolean;
}

const RESPOND_CMDS = new Set(['aibot_respond_msg', 'aibot_respond_welcome_msg', 'aibot_respond_update_msg']);

export class FakeAibotWs {
  /** Every frame clients sent, in order (pings included). */
  readonly frames: ClientFrame[] = [];

  #wss: WebSocketServer;
  #url = '';
  #connections: Connection[] = [];
  #nextConnectionId = 1;
  #bots: Record<string, string> | undefined;
  #ackPings = true;
  #ackOverride: ((frame: ClientFrame) => AckDecision | undefined) | undefined;
  #connectionCount = 0;

  private constructor(options: FakeAibotWsOptions) {
    this.#bots = options.bots;
    this.#wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.#wss.on('connection', (socket) => this.#onConnection(socket));
  }

  static async start(options: FakeAibotWsOptions = {}): Promise<FakeAibotWs> {
    const fake = new FakeAibotWs(options);
    await new Promise<void>((resolve, reject) => {
      fake.#wss.once('listening', () => resolve());
      fake.#wss.once('error', reject);
    });
    const { port } = fake.#wss.address() as AddressInfo;
    fake.#url = `ws://127.0.0.1:${port}`;
    return fake;
  }

  /** `ws://127.0.0.1:PORT`, for the SDK's `wsUrl` option. */
  get url(): string {
    return this.#url;
  }

  /** Connections accepted so far (reconnects included). */
  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** Replies sent on a callback's req_id (aibot_respond_msg, _welcome_msg, _update_msg). */
  responses(reqId?: string): ClientFrame[] {
    return this.frames.filter((f) => RESPOND_CMDS.has(f.cmd) && (reqId === undefined || f.headers.req_id === reqId));
  }

  /** Proactive pushes (aibot_send_msg). */
  sentMessages(): ClientFrame[] {
    return this.frames.filter((f) => f.cmd === 'aibot_send_msg');
  }

  /** Stop (or resume) acknowledging pings, to make the SDK declare the link dead. */
  setPingAcks(enabled: boolean): void {
    this.#ackPings = enabled;
  }

  /** Decide the ack of chosen frames (e.g. errcode 6000 for a send); return undefined for the default. */
  setAckOverride(decide: ((frame: ClientFrame) => AckDecision | undefined) | undefined): void {
    this.#ackOverride = decide;
  }

  /** Resolves once a client has subscribed successfully (optionally as `botId`). */
  async waitForSubscribed(botId?: string, timeoutMs = 3000): Promise<void> {
    await waitUntil(
      () => this.#connections.some((c) => c.subscribed && (botId === undefined || c.botId === botId)),
      timeoutMs,
      'an aibot_subscribe',
    );
  }

  /** Resolves with the first frame (past or future) matching `predicate`. */
  waitForFrame(predicate: (frame: ClientFrame) => boolean, timeoutMs = 2000): Promise<ClientFrame> {
    return waitUntil(() => this.frames.find(predicate), timeoutMs, 'a matching frame from the aibot client');
  }

  /**
   * Pushes an `aibot_msg_callback` to the latest subscribed connection and
   * returns its req_id (the SDK replies on it).
   */
  pushMessage(body: unknown, reqId: string = FakeAibotWs.newReqId('aibot_msg_callback')): string {
    this.#push({ cmd: 'aibot_msg_callback', headers: { req_id: reqId }, body });
    return reqId;
  }

  /** Pushes an `aibot_event_callback`; returns its req_id. */
  pushEvent(body: unknown, reqId: string = FakeAibotWs.newReqId('aibot_event_callback')): string {
    this.#push({ cmd: 'aibot_event_callback', headers: { req_id: reqId }, body });
    return reqId;
  }

  /** Sends any raw frame to the latest subscribed connection. */
  pushRaw(frame: unknown): void {
    this.#push(frame);
  }

  /** Tells the latest connection another one took over (disconnected_event), then closes it. */
  kick(): void {
    const connection = this.#latest();
    this.pushEvent({
      msgid: `kick-${randomBytes(4).toString('hex')}`,
      create_time: Math.floor(Date.now() / 1000),
      aibotid: connection.botId ?? '',
      from: { userid: '' },
      msgtype: 'event',
      event: { eventtype: 'disconnected_event' },
    });
    setTimeout(() => connection.socket.close(1000, 'replaced'), 20);
  }

  /** Drops every connection abruptly (the SDK will try to reconnect). */
  dropConnections(): void {
    for (const c of this.#connections) c.socket.terminate();
  }

  static newReqId(prefix: string): string {
    return `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  }

  async close(): Promise<void> {
    for (const c of this.#connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #latest(): Connection {
    const open = this.#connections.filter((c) => c.subscribed);
    const latest = open[open.length - 1];
    if (!latest) throw new Error('fake aibot ws: no subscribed connection');
    return latest;
  }

  #push(frame: unknown): void {
    this.#latest().socket.send(JSON.stringify(frame));
  }

  #onConnection(socket: WebSocket): void {
    this.#connectionCount += 1;
    const connection: Connection = { id: this.#nextConnectionId, socket, subscribed: false };
    this.#nextConnectionId += 1;
    this.#connections.push(connection);
    socket.on('close', () => {
      this.#connections = this.#connections.filter((c) => c !== connection);
    });
    socket.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null) return;
      const raw = parsed as { cmd?: unknown; headers?: { req_id?: unknown }; body?: unknown };
      if (typeof raw.cmd !== 'string' || typeof raw.headers?.req_id !== 'string') return;
      const frame: ClientFrame = {
        connectionId: connection.id,
        cmd: raw.cmd,
        headers: { ...(raw.headers as Record<string, unknown>), req_id: raw.headers.req_id },
        ...(raw.body !== undefined ? { body: raw.body } : {}),
        at: Date.now(),
      };
      this.frames.push(frame);
      this.#answer(connection, frame);
    });
  }

  #answer(connection: Connection, frame: ClientFrame): void {
    const decision = this.#ackOverride?.(frame) ?? this.#defaultAck(connection, frame);
    if (decision === undefined) return;
    const ack: Record<string, unknown> = { headers: { req_id: frame.headers.req_id }, errcode: decision.errcode, errmsg: decision.errmsg ?? (decision.errcode === 0 ? 'ok' : 'error') };
    if (decision.body !== undefined) ack['body'] = decision.body;
    connection.socket.send(JSON.stringify(ack));
  }

  #defaultAck(connection: Connection, frame: ClientFrame): AckDecision | undefined {
    const body = (typeof frame.body === 'object' && frame.body !== null ? frame.body : {}) as Record<string, unknown>;
    switch (frame.cmd) {
      case 'aibot_subscribe': {
        const botId = typeof body['bot_id'] === 'string' ? body['bot_id'] : '';
        const secret = typeof body['secret'] === 'string' ? body['secret'] : '';
        if (this.#bots !== undefined && (botId === '' || this.#bots[botId] !== secret)) {
          return { errcode: 40001, errmsg: 'invalid bot_id or secret' };
        }
        connection.botId = botId;
        connection.subscribed = true;
        return { errcode: 0 };
      }
      case 'ping':
        return this.#ackPings ? { errcode: 0 } : undefined;
      case 'aibot_upload_media_init':
        return { errcode: 0, body: { upload_id: `upload-${randomBytes(6).toString('hex')}` } };
      case 'aibot_upload_media_finish':
        return {
          errcode: 0,
          body: { type: 'file', media_id: `media-${randomBytes(6).toString('hex')}`, created_at: String(Math.floor(Date.now() / 1000)) },
        };
      default:
        if (!connection.subscribed) return { errcode: 40001, errmsg: 'not subscribed' };
        return { errcode: 0 };
    }
  }
}
