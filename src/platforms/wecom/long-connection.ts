/**
 * Intelligent-bot long-connection mode (@wecom/aibot-node-sdk WSClient): no
 * public callback URL. Messages arrive unencrypted over the WebSocket with the
 * same JSON as the HTTP callback; replies go back with replyStream on the
 * callback's req_id, and `sendMessage(chatid, markdown)` posts proactively.
 */
import { WSClient, type WsFrame } from '@wecom/aibot-node-sdk';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { SendError } from '../../core/sender.js';
import { aibotMarkdown } from './outbound.js';
import { parseBotBody } from './protocol.js';
import type { WecomInbound } from './routes.js';
import { renderReplies } from './senders.js';

export interface LongConnectionOptions {
  botId: string;
  secret: string;
  wsUrl?: string;
  inbound: WecomInbound;
  logger: Logger;
}

export class WecomLongConnection {
  #client: WSClient | undefined;
  #authenticated = false;
  readonly #options: LongConnectionOptions;

  constructor(options: LongConnectionOptions) {
    this.#options = options;
  }

  get connected(): boolean {
    return this.#authenticated;
  }

  async start(): Promise<void> {
    const { botId, secret, wsUrl, logger } = this.#options;
    const log = logger.child({ component: 'wecom-ws' });
    const sdkLogger = {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    };
    const client = new WSClient({ botId, secret, ...(wsUrl ? { wsUrl } : {}), maxReconnectAttempts: -1, logger: sdkLogger });
    this.#client = client;
    client.on('authenticated', () => {
      this.#authenticated = true;
      log.info('wecom long connection authenticated');
    });
    client.on('disconnected', (reason) => {
      this.#authenticated = false;
      log.warn({ reason }, 'wecom long connection lost');
    });
    client.on('error', (err) => log.warn({ err: err.message }, 'wecom long connection error'));
    client.on('message', (frame) => {
      void this.#onMessage(frame).catch((err: unknown) => log.error({ err }, 'wecom long-connection message failed'));
    });
    client.connect();
  }

  async #onMessage(frame: WsFrame): Promise<void> {
    const { inbound, logger } = this.#options;
    let event;
    try {
      event = inbound.botEvent(parseBotBody(frame.body, { botNames: inbound.options.botNames }));
    } catch (err) {
      logger.info({ reason: err instanceof Error ? err.message : 'bad payload' }, 'wecom long-connection frame refused');
      return;
    }
    if (!event) return;
    const result = await inbound.options.handle(event);
    const markdown = renderReplies(result.replies);
    if (markdown === '' || !this.#client) return;
    await this.#client.replyStream(frame, randomBytes(8).toString('hex'), markdown, true);
  }

  /** Proactive markdown into a group chat id (or to a user id). */
  async send(chatId: string, markdown: string): Promise<void> {
    if (!this.#client || !this.#authenticated) throw new SendError('wecom long connection is not connected', true);
    try {
      await this.#client.sendMessage(chatId, aibotMarkdown(markdown));
    } catch (err) {
      throw new SendError(`aibot_send_msg failed: ${err instanceof Error ? err.message.slice(0, 120) : 'error'}`, true);
    }
  }

  async stop(): Promise<void> {
    this.#client?.disconnect();
    this.#client?.removeAllListeners();
    this.#client = undefined;
    this.#authenticated = false;
  }
}
