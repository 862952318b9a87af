/**
 * Rendering a Reply for WeCom, and the two active send paths:
 * - the group-robot webhook (`/cgi-bin/webhook/send?key=…`), the sender for
 *   group communities (20 posts/min per robot, enforced by the outbox);
 * - the self-built app message API (`/cgi-bin/message/send`) with a cached
 *   access token, for 1:1 nudges.
 * Hosts come from WECOM_API_URL. Webhook keys and tokens are never logged.
 */
import type { Logger } from 'pino';
import type { Reply } from '../../core/reply.js';
import { SendError } from '../../core/sender.js';
import {
  WECOM_MARKDOWN_MAX_BYTES,
  WECOM_TEXT_MAX_BYTES,
  WECOM_WEBHOOK_IMAGE_MAX_BYTES,
  appImage,
  appText,
  splitForWecom,
  webhookMarkdown,
  webhookImage,
  webhookText,
} from './outbound.js';

const MENTION_RE = /<@([^>\s]+)>/g;

/**
 * WeCom markdown for a Reply: bold title, text, fields as "**name**: value"
 * lines, and actions as numbered "回复 …" lines (WeCom has no buttons) unless
 * the text already says what to type for them.
 * `<@userid>` mentions stay as they are: WeCom markdown renders them.
 */
export function renderMarkdown(reply: Reply): string {
  const parts: string[] = [];
  if (reply.title) parts.push(`**${reply.title}**`);
  if (reply.text) parts.push(reply.text);
  if (reply.fields && reply.fields.length > 0) parts.push(reply.fields.map((f) => `**${f.name}**: ${f.value}`).join('\n'));
  if (reply.actions && reply.actions.length > 0 && !reply.actionsExplained) parts.push(reply.actions.map((a, i) => `${i + 1}. ${a.label}：回复 ${a.command}`).join('\n'));
  return parts.join('\n');
}

/** Several replies to one message become one markdown post. */
export function renderReplies(replies: readonly Reply[]): string {
  return replies.map(renderMarkdown).filter((text) => text.trim() !== '').join('\n\n');
}

/** Plain text (app messages, webhook text): no markdown markers, mentions as @name. */
export function renderPlain(reply: Reply): { text: string; mentioned: string[] } {
  const mentioned: string[] = [];
  const text = renderMarkdown(reply)
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(MENTION_RE, (_whole, id: string) => {
      mentioned.push(id);
      return `@${reply.mentions?.[id] ?? id}`;
    });
  return { text, mentioned: [...new Set(mentioned)] };
}

interface ApiAnswer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

async function postJson(url: string, body: unknown, timeoutMs: number): Promise<ApiAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new SendError(`WeCom API unreachable: ${err instanceof Error ? err.name : 'error'}`, true);
  }
  return readAnswer(res);
}

async function readAnswer(res: Response): Promise<ApiAnswer> {
  if (res.status === 429 || res.status >= 500) throw new SendError(`WeCom API answered HTTP ${res.status}`, true);
  if (res.status !== 200) throw new SendError(`WeCom API answered HTTP ${res.status}`, false);
  try {
    return (await res.json()) as ApiAnswer;
  } catch {
    throw new SendError('WeCom API answered a non-JSON body', true);
  }
}

/** errcode → SendError; 0 → undefined. */
function apiError(answer: ApiAnswer, what: string): SendError | undefined {
  const code = answer.errcode ?? 0;
  if (code === 0) return undefined;
  const message = `${what}: errcode ${code} ${String(answer.errmsg ?? '').slice(0, 120)}`;
  if (code === 45009) return new SendError(message, true, 60_000);
  if (code === -1 || code === 45033) return new SendError(message, true);
  return new SendError(message, false);
}

export class WebhookRemovedError extends SendError {
  constructor(message: string) {
    super(message, false);
    this.name = 'WebhookRemovedError';
  }
}

/**
 * Posts a Reply through a group robot webhook: markdown split at 4096 bytes,
 * or (for `mentionEveryone`) text split at 2048 bytes with `@all` (and the
 * mentioned user ids) in `mentioned_list` on the first piece; then its image,
 * if any, as an image message (base64 and md5; one over 2 MB is a permanent error).
 */
export async function sendWebhook(apiUrl: string, key: string, reply: Reply, timeoutMs = 10_000): Promise<void> {
  const url = `${apiUrl}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
  const bodies: unknown[] = [];
  if (reply.mentionEveryone) {
    const { text, mentioned } = renderPlain(reply);
    splitForWecom(text, WECOM_TEXT_MAX_BYTES).forEach((piece, i) => bodies.push(webhookText(piece, i === 0 ? ['@all', ...mentioned] : [])));
  } else {
    for (const piece of splitForWecom(renderMarkdown(reply), WECOM_MARKDOWN_MAX_BYTES)) bodies.push(webhookMarkdown(piece));
  }
  if (reply.image) {
    const bytes = Buffer.from(reply.image.pngBase64, 'base64');
    if (bytes.length > WECOM_WEBHOOK_IMAGE_MAX_BYTES) throw new SendError(`webhook: an image of ${bytes.length} bytes is over the 2 MB limit`, false);
    bodies.push(webhookImage(bytes));
  }
  for (const body of bodies) {
    const answer = await postJson(url, body, timeoutMs);
    if (answer.errcode === 93000) throw new WebhookRemovedError('webhook: errcode 93000 (robot removed or invalid key)');
    const error = apiError(answer, 'webhook');
    if (error) throw error;
  }
}

export interface AppApiOptions {
  apiUrl: string;
  corpId: string;
  secret: string;
  agentId: number;
  logger: Logger;
  now?: () => number;
  timeoutMs?: number;
}

/**
 * The self-built app's message API. The access token is fetched once, cached
 * until shortly before it expires, and refreshed once when WeCom says it is
 * invalid (40014) or expired (42001).
 */
export class WecomAppApi {
  #token: { value: string; expiresAt: number } | undefined;
  #fetching: Promise<string> | undefined;
  readonly #options: AppApiOptions;

  constructor(options: AppApiOptions) {
    this.#options = options;
  }

  async accessToken(forceRefresh = false): Promise<string> {
    const now = this.#options.now?.() ?? Date.now();
    if (!forceRefresh && this.#token && this.#token.expiresAt > now) return this.#token.value;
    this.#fetching ??= this.#fetchToken().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetchToken(): Promise<string> {
    const { apiUrl, corpId, secret } = this.#options;
    const url = `${apiUrl}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000) });
    } catch (err) {
      throw new SendError(`gettoken unreachable: ${err instanceof Error ? err.name : 'error'}`, true);
    }
    const answer = await readAnswer(res);
    const error = apiError(answer, 'gettoken');
    if (error) throw error;
    const token = answer['access_token'];
    const expiresIn = Number(answer['expires_in'] ?? 7200);
    if (typeof token !== 'string' || token === '') throw new SendError('gettoken: no access_token', true);
    const now = this.#options.now?.() ?? Date.now();
    // Refresh a little early so a token never expires in flight.
    this.#token = { value: token, expiresAt: now + Math.max(0, expiresIn - 300) * 1000 };
    this.#options.logger.debug({ expiresIn }, 'wecom access token fetched');
    return token;
  }

  /** Text to user ids (≤ 2048 bytes each piece); refreshes the token once on 40014/42001. */
  async sendText(userIds: readonly string[], content: string): Promise<void> {
    for (const piece of splitForWecom(content, WECOM_TEXT_MAX_BYTES)) {
      await this.#post('/cgi-bin/message/send', appText(this.#options.agentId, userIds, piece));
    }
  }

  /** The text, then the image (uploaded as temporary media, then sent as an image message by its media_id). */
  async sendReply(userIds: readonly string[], reply: Reply): Promise<void> {
    await this.sendText(userIds, renderPlain(reply).text);
    if (reply.image) {
      const mediaId = await this.uploadImage(Buffer.from(reply.image.pngBase64, 'base64'), reply.image.name);
      await this.#post('/cgi-bin/message/send', appImage(this.#options.agentId, userIds, mediaId));
    }
  }

  /** `POST /cgi-bin/media/upload?type=image` (multipart, field `media`): the temporary media's id (valid 3 days). */
  async uploadImage(bytes: Buffer, filename: string): Promise<string> {
    const answer = await this.#call('/cgi-bin/media/upload', '&type=image', () => {
      const form = new FormData();
      form.append('media', new Blob([bytes], { type: 'image/png' }), filename);
      return form;
    });
    const error = apiError(answer, 'media/upload');
    if (error) throw error;
    const mediaId = answer['media_id'];
    if (typeof mediaId !== 'string' || mediaId === '') throw new SendError('media/upload: no media_id', true);
    return mediaId;
  }

  async #post(path: string, body: unknown): Promise<void> {
    const error = apiError(await this.#call(path, '', () => JSON.stringify(body)), 'message/send');
    if (error) throw error;
  }

  /** A POST with the access token, refreshed once when WeCom says it is invalid (40014) or expired (42001). */
  async #call(path: string, query: string, body: () => string | FormData): Promise<ApiAnswer> {
    const timeout = this.#options.timeoutMs ?? 10_000;
    const once = async (token: string): Promise<ApiAnswer> => {
      const payload = body();
      const url = `${this.#options.apiUrl}${path}?access_token=${encodeURIComponent(token)}${query}`;
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', ...(typeof payload === 'string' ? { headers: { 'content-type': 'application/json' } } : {}), body: payload, signal: AbortSignal.timeout(timeout) });
      } catch (err) {
        throw new SendError(`WeCom API unreachable: ${err instanceof Error ? err.name : 'error'}`, true);
      }
      return readAnswer(res);
    };
    let answer = await once(await this.accessToken());
    if (answer.errcode === 40014 || answer.errcode === 42001) {
      this.#token = undefined;
      answer = await once(await this.accessToken(true));
    }
    return answer;
  }
}
