/**
 * The WeCom callbacks on the shared HTTP server:
 * - `/wecom/bot`: the intelligent bot (JSON, receive id ""), passive replies as
 *   an encrypted `stream` message with `finish: true`, or an empty 200 and a
 *   late reply through the message's response_url;
 * - `/wecom/app`: the self-built app / customer-contact callback (XML, receive
 *   id = corp id): 1:1 text commands and customer-group member changes.
 * Every request is verified (signature first, in constant time), then
 * decrypted and parsed; a refusal answers 401/400 and is logged once without
 * secrets or plaintext. Bodies over 64 KiB get 413.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { ChatEvent, CommunityRef } from '../../core/chat-event.js';
import type { Reply } from '../../core/reply.js';
import type { RouteResult } from '../../core/router.js';
import { hostOf, onWecomApi } from './api-host.js';
import { isWecomProtocolError, type WecomCipher, type WecomProtocolError } from './crypto.js';
import { WECOM_TEXT_MAX_BYTES, aibotMarkdown, appTextReplyXml, streamReply, truncateUtf8 } from './outbound.js';
import { parseAppEnvelope, parseAppXml, parseBotEnvelope, parseBotPayload, type AppExternalChatChange, type BotInbound } from './protocol.js';
import { renderPlain, renderReplies } from './senders.js';

/** WeCom callbacks are small; anything larger is not WeCom. */
const WECOM_BODY_LIMIT = 64 * 1024;

export interface WecomInboundOptions {
  handle(event: ChatEvent): Promise<RouteResult>;
  /** Events delivered together (the router's handleAll): committed together, their after-commit work returned unstarted. */
  handleAll(events: readonly ChatEvent[]): Promise<{ results: RouteResult[]; afterCommit: Array<() => Promise<void>> }>;
  admins: readonly string[];
  botNames: readonly string[];
  /** Community for 1:1 chats; undefined gives each member their own. */
  defaultCommunity?: string;
  passiveReplyMs: number;
  /** Member ids handled from one customer-group change event; the rest are dropped with a warning. */
  maxMemberChanges: number;
  /** WECOM_API_URL: a response_url must be on its host (tests use a loopback fake). */
  apiUrl: string;
  logger: Logger;
  now(): Date;
}

/** Platform-neutral handling shared by the HTTP callback and the long connection. */
export class WecomInbound {
  readonly #admins: Set<string>;
  /** After-commit work still running after its callback was answered. */
  readonly #background = new Set<Promise<void>>();
  #stopping = false;

  constructor(readonly options: WecomInboundOptions) {
    this.#admins = new Set(options.admins.map((a) => a.toLowerCase()));
  }

  isAdmin(userId: string): boolean {
    return this.#admins.has(userId.toLowerCase());
  }

  /** The community of a 1:1 chat with `userId`. */
  directCommunity(userId: string): CommunityRef {
    const { defaultCommunity } = this.options;
    return defaultCommunity ? { platform: 'wecom', externalId: defaultCommunity } : { platform: 'wecom', externalId: `user:${userId}`, name: userId };
  }

  /** A bot message (text, mixed, voice) as a ChatEvent; undefined for anything we do not act on. */
  botEvent(msg: BotInbound): ChatEvent | undefined {
    if (msg.kind !== 'text' && msg.kind !== 'mixed' && msg.kind !== 'voice') return undefined;
    const userId = msg.from.userId;
    const community: CommunityRef = msg.chatType === 'group' && msg.chatId ? { platform: 'wecom', externalId: msg.chatId } : this.directCommunity(userId);
    return {
      type: 'message',
      deliveryId: msg.dedupeKey,
      community,
      actor: { platformUserId: userId, displayName: userId, isAdmin: this.isAdmin(userId) },
      ...(msg.chatId ? { channelId: msg.chatId } : {}),
      text: msg.text,
      addressed: true,
    };
  }

  /**
   * Runs the event; resolves with the replies if they are ready within
   * `passiveReplyMs`, else with `late` and calls `onLate` when they are.
   */
  async answerWithin(event: ChatEvent, onLate: (replies: Reply[]) => Promise<void>): Promise<{ replies: Reply[] } | 'late'> {
    const handling = this.options.handle(event);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.passiveReplyMs);
    });
    const first = await Promise.race([handling, deadline]);
    clearTimeout(timer);
    if (first !== 'late') return { replies: first.replies };
    void handling
      .then((result) => onLate(result.replies))
      .catch((err: unknown) => this.options.logger.error({ err, deliveryId: event.deliveryId }, 'late wecom reply failed'));
    return 'late';
  }

  /**
   * A customer-group member change: one event per listed member (capped),
   * committed together, answered as soon as they are durable. Their timers and
   * posts are armed after the answer: with thousands of members that work
   * outlasts WeCom's 5 s deadline, and a missed deadline means a redelivery.
   */
  async memberChanges(msg: AppExternalChatChange): Promise<void> {
    const { maxMemberChanges, logger } = this.options;
    const changes = msg.memberChanges.slice(0, maxMemberChanges);
    if (changes.length < msg.memberChanges.length) {
      logger.warn({ chatId: msg.chatId, listed: msg.memberChanges.length, handled: changes.length, maxMemberChanges }, 'customer-group change lists more members than wecom.maxMemberChanges: the rest are ignored');
    }
    if (changes.length === 0) return;
    const events = changes.map(
      (change): ChatEvent => ({
        type: change.kind === 'join' ? 'memberJoined' : 'memberLeft',
        deliveryId: `${msg.dedupeKey}:${change.userId}`,
        community: { platform: 'wecom', externalId: change.chatId },
        actor: { platformUserId: change.userId, displayName: change.userId, isAdmin: this.isAdmin(change.userId) },
        channelId: change.chatId,
      }),
    );
    const { results, afterCommit } = await this.options.handleAll(events);
    const background = this.#runAfterCommit(msg.chatId, afterCommit).finally(() => this.#background.delete(background));
    this.#background.add(background);
    const withReplies = results.filter((r) => r.replies.length > 0 && !r.duplicate).length;
    // There is no passive reply into a customer group; welcome posts go out through the outbox.
    if (withReplies > 0) logger.debug({ chatId: msg.chatId, events: withReplies }, 'member event replies not posted');
  }

  /** One event's work after the other (each awaits Redis), so that it never holds the event loop; cut short by stop(). */
  async #runAfterCommit(chatId: string, work: ReadonlyArray<() => Promise<void>>): Promise<void> {
    for (const [i, fn] of work.entries()) {
      if (this.#stopping) {
        this.options.logger.info({ chatId, left: work.length - i }, 'stopping: the timers of the remaining member events are left to the reconciler');
        return;
      }
      await fn();
    }
  }

  /** Stops background after-commit work between two events and waits for the one running. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#background]);
  }

  /** The response_url, when it is on the configured WeCom API host (see api-host.ts). */
  responseUrl(raw: string): URL | undefined {
    return onWecomApi(raw, this.options.apiUrl);
  }

  /** The one active reply a bot message allows (plain JSON markdown). Logs the host only: the URL carries a one-time code. */
  async postResponseUrl(raw: string | undefined, replies: Reply[]): Promise<void> {
    const markdown = renderReplies(replies);
    if (markdown === '' || raw === undefined) return;
    const { logger } = this.options;
    const url = this.responseUrl(raw);
    if (!url) {
      logger.warn({ host: hostOf(raw) }, 'response_url is not on the WeCom API host: late reply dropped');
      return;
    }
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(aibotMarkdown(markdown)), signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      logger.warn({ host: url.host, error: err instanceof Error ? err.name : 'unknown' }, 'response_url post failed: late reply dropped');
      return;
    }
    const answer = (await res.json().catch(() => ({}))) as { errcode?: number };
    if (res.status !== 200 || (answer.errcode ?? 0) !== 0) {
      logger.warn({ host: url.host, status: res.status, errcode: answer.errcode }, 'response_url refused the late reply');
    }
  }
}

export interface WecomRoutesOptions {
  inbound: WecomInbound;
  bot?: WecomCipher;
  app?: WecomCipher;
  bodyLimit?: number;
}

type Status = 400 | 401;

function statusFor(err: WecomProtocolError, query: unknown): Status {
  switch (err.reason) {
    case 'bad-signature':
    case 'stale-timestamp':
      return 401;
    case 'bad-request': {
      const q = (query ?? {}) as Record<string, unknown>;
      return typeof q['msg_signature'] === 'string' && q['msg_signature'] !== '' ? 400 : 401;
    }
    default:
      return 400;
  }
}

function nowSeconds(now: Date): string {
  return String(Math.floor(now.getTime() / 1000));
}

export function registerWecomRoutes(http: FastifyInstance, options: WecomRoutesOptions): void {
  const { inbound } = options;
  const { logger } = inbound.options;
  const bodyLimit = Math.min(options.bodyLimit ?? WECOM_BODY_LIMIT, WECOM_BODY_LIMIT);

  const refuse = (reply: FastifyReply, route: string, err: unknown, query: unknown): FastifyReply => {
    if (!isWecomProtocolError(err)) throw err;
    const status = statusFor(err, query);
    logger.info({ route, status, reason: err.reason, detail: err.message }, 'wecom callback refused');
    return reply.status(status).send({ error: err.reason });
  };

  const verify = (reply: FastifyReply, route: string, cipher: WecomCipher, query: unknown): FastifyReply => {
    try {
      const plaintext = cipher.openUrlVerification(query, inbound.options.now());
      return reply.type('text/plain; charset=utf-8').send(plaintext);
    } catch (err) {
      return refuse(reply, route, err, query);
    }
  };

  http.register(async (scope) => {
    // Callbacks are read as raw strings whatever their content type: the
    // encrypted envelope is parsed (and refused) here, not by fastify.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));

    const { bot, app } = options;
    if (bot) {
      scope.get('/wecom/bot', async (req, reply) => verify(reply, '/wecom/bot', bot, req.query));
      scope.post('/wecom/bot', { bodyLimit }, async (req, reply) => {
        let msg: BotInbound;
        let nonce: string;
        try {
          const envelope = parseBotEnvelope(typeof req.body === 'string' ? req.body : '');
          const plaintext = bot.openCallback(req.query, envelope.encrypt, inbound.options.now());
          nonce = (req.query as { nonce: string }).nonce;
          msg = parseBotPayload(plaintext, { botNames: inbound.options.botNames });
        } catch (err) {
          return refuse(reply, '/wecom/bot', err, req.query);
        }
        const event = inbound.botEvent(msg);
        if (!event) return reply.status(200).send('');
        const answer = await inbound.answerWithin(event, (replies) => inbound.postResponseUrl(msg.responseUrl, replies));
        if (answer === 'late') return reply.status(200).send('');
        const markdown = renderReplies(answer.replies);
        if (markdown === '') return reply.status(200).send('');
        const body = JSON.stringify(streamReply(randomBytes(8).toString('hex'), markdown, true));
        return reply.type('application/json; charset=utf-8').send(bot.encryptReply(body, nowSeconds(inbound.options.now()), nonce));
      });
    }

    if (app) {
      scope.get('/wecom/app', async (req, reply) => verify(reply, '/wecom/app', app, req.query));
      scope.post('/wecom/app', { bodyLimit }, async (req, reply) => {
        let nonce: string;
        let msg: ReturnType<typeof parseAppXml>;
        try {
          const envelope = parseAppEnvelope(typeof req.body === 'string' ? req.body : '');
          const plaintext = app.openCallback(req.query, envelope.encrypt, inbound.options.now());
          nonce = (req.query as { nonce: string }).nonce;
          msg = parseAppXml(plaintext);
        } catch (err) {
          return refuse(reply, '/wecom/app', err, req.query);
        }
        if (msg.kind === 'text') {
          const userId = msg.fromUserName;
          const event: ChatEvent = {
            type: 'message',
            deliveryId: msg.dedupeKey,
            community: inbound.directCommunity(userId),
            actor: { platformUserId: userId, displayName: userId, isAdmin: inbound.isAdmin(userId) },
            text: msg.content.trim(),
            addressed: true,
          };
          // No late path here: the app has no response_url; a slow reply is answered empty.
          const answer = await inbound.answerWithin(event, async () => undefined);
          if (answer === 'late' || answer.replies.length === 0) return reply.status(200).send('');
          const text = answer.replies.map((r) => renderPlain(r).text).filter((t) => t.trim() !== '').join('\n\n');
          if (text === '') return reply.status(200).send('');
          const now = inbound.options.now();
          const xml = appTextReplyXml(userId, app.receiveId, Math.floor(now.getTime() / 1000), truncateUtf8(text, WECOM_TEXT_MAX_BYTES));
          return reply.type('application/xml; charset=utf-8').send(app.xmlReply(xml, nowSeconds(now), nonce));
        }
        if (msg.kind === 'external-chat-change') await inbound.memberChanges(msg);
        return reply.status(200).send('');
      });
    }
  });
}
