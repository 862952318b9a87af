/**
 * Bodies WeCom accepts from us, and byte-accurate splitting of long posts.
 *
 * Limits are in UTF-8 bytes (a CJK character is 3 bytes, most emoji 4):
 * webhook/app text 2048, webhook markdown 4096, bot stream and response_url
 * markdown 20480 (docs 91770, 90236, 101031, 101138).
 */
import { createHash } from 'node:crypto';
import { cdata } from './xml-text.js';

export const WECOM_TEXT_MAX_BYTES = 2048;
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
export const WECOM_STREAM_MAX_BYTES = 20480;
const WECOM_AIBOT_MARKDOWN_MAX_BYTES = 20480;

export function utf8ByteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Splits `text` into pieces of at most `maxBytes`, between graphemes (or code points when one grapheme is larger). */
function splitByCharacters(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  const push = (unit: string): void => {
    const bytes = utf8ByteLength(unit);
    if (currentBytes + bytes > maxBytes && current !== '') {
      pieces.push(current);
      current = '';
      currentBytes = 0;
    }
    current += unit;
    currentBytes += bytes;
  };
  for (const { segment } of graphemes.segment(text)) {
    if (utf8ByteLength(segment) <= maxBytes) push(segment);
    else for (const codePoint of segment) push(codePoint);
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/**
 * Splits a post into chunks of at most `maxBytes` UTF-8 bytes each: whole
 * lines are packed greedily (the newline at a cut is dropped); a line longer
 * than the limit is cut between characters (never inside a UTF-8 sequence,
 * and not inside an emoji sequence unless it alone exceeds the limit).
 * Chunks that would be only whitespace are dropped; '' gives [].
 * Use WECOM_TEXT_MAX_BYTES (2048) for text and WECOM_MARKDOWN_MAX_BYTES (4096) for markdown.
 */
export function splitForWecom(text: string, maxBytes: number): string[] {
  if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new RangeError('maxBytes must be an integer >= 4');
  const chunks: string[] = [];
  let current: string | undefined;
  let currentBytes = 0;
  const flush = (): void => {
    if (current !== undefined && current.trim() !== '') chunks.push(current);
    current = undefined;
    currentBytes = 0;
  };
  for (const line of text.split('\n')) {
    const lineBytes = utf8ByteLength(line);
    if (current !== undefined && currentBytes + 1 + lineBytes <= maxBytes) {
      current += `\n${line}`;
      currentBytes += 1 + lineBytes;
      continue;
    }
    flush();
    if (lineBytes <= maxBytes) {
      current = line;
      currentBytes = lineBytes;
      continue;
    }
    const pieces = splitByCharacters(line, maxBytes);
    const last = pieces.pop() ?? '';
    for (const piece of pieces) if (piece.trim() !== '') chunks.push(piece);
    current = last;
    currentBytes = utf8ByteLength(last);
  }
  flush();
  return chunks;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes on a character boundary,
 * ending with `ellipsis` when something was cut.
 */
export function truncateUtf8(text: string, maxBytes: number, ellipsis = '…'): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 4) throw new RangeError('maxBytes must be an integer >= 4');
  if (utf8ByteLength(text) <= maxBytes) return text;
  const room = maxBytes - utf8ByteLength(ellipsis);
  if (room < 4) return splitByCharacters(text, maxBytes)[0] ?? '';
  return (splitByCharacters(text, room)[0] ?? '') + ellipsis;
}

// ---------------------------------------------------------------------------
// Intelligent bot replies
// ---------------------------------------------------------------------------

export interface StreamReplyBody {
  msgtype: 'stream';
  stream: { id: string; finish: boolean; content: string };
}

/**
 * A stream reply (passive reply JSON, or `aibot_respond_msg` body). Content is
 * cumulative (each reply replaces the previous one) and is cut to 20480 bytes.
 */
export function streamReply(streamId: string, markdown: string, finish: boolean): StreamReplyBody {
  return { msgtype: 'stream', stream: { id: streamId, finish, content: truncateUtf8(markdown, WECOM_STREAM_MAX_BYTES) } };
}

export interface AibotMarkdownBody {
  msgtype: 'markdown';
  markdown: { content: string };
}

/**
 * Markdown for the response_url (plain JSON, usable once) and for
 * `aibot_send_msg` (SDK `sendMessage(chatid, body)`); cut to 20480 bytes.
 */
export function aibotMarkdown(content: string): AibotMarkdownBody {
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(content, WECOM_AIBOT_MARKDOWN_MAX_BYTES) } };
}

// ---------------------------------------------------------------------------
// Group robot webhook (doc 91770)
// ---------------------------------------------------------------------------

export interface WebhookTextBody {
  msgtype: 'text';
  text: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] };
}

export interface WebhookMarkdownBody {
  msgtype: 'markdown';
  markdown: { content: string };
}

/**
 * A webhook text message (≤ 2048 bytes: split first with splitForWecom).
 * `mentionedList` holds user ids or "@all".
 */
export function webhookText(content: string, mentionedList: readonly string[] = [], mentionedMobiles: readonly string[] = []): WebhookTextBody {
  return {
    msgtype: 'text',
    text: {
      content,
      ...(mentionedList.length > 0 ? { mentioned_list: [...mentionedList] } : {}),
      ...(mentionedMobiles.length > 0 ? { mentioned_mobile_list: [...mentionedMobiles] } : {}),
    },
  };
}

/** The group-robot limit for an image message: 2 MB before base64 (doc 91770). */
export const WECOM_WEBHOOK_IMAGE_MAX_BYTES = 2 * 1024 * 1024;

export interface WebhookImageBody {
  msgtype: 'image';
  image: { base64: string; md5: string };
}

/** A webhook image message: the bytes (PNG or JPEG, ≤ 2 MB) as base64 and their md5. */
export function webhookImage(bytes: Buffer): WebhookImageBody {
  return { msgtype: 'image', image: { base64: bytes.toString('base64'), md5: createHash('md5').update(bytes).digest('hex') } };
}

/**
 * A webhook markdown message (≤ 4096 bytes). Markdown has no mentioned_list:
 * the user ids in `mentionedList` are appended as `<@userid>` on the last line.
 */
export function webhookMarkdown(content: string, mentionedList: readonly string[] = []): WebhookMarkdownBody {
  const mentions = mentionedList.map(markdownMention).join(' ');
  return { msgtype: 'markdown', markdown: { content: mentions === '' ? content : `${content}\n${mentions}` } };
}

/** `<@userid>`: a mention inside webhook markdown content. */
function markdownMention(userId: string): string {
  return `<@${userId}>`;
}

// ---------------------------------------------------------------------------
// Self-built app (doc 90236 / 90248)
// ---------------------------------------------------------------------------

export interface AppTextBody {
  touser: string;
  msgtype: 'text';
  agentid: number;
  text: { content: string };
  safe: 0;
}

/** `POST /cgi-bin/message/send` text to user ids (joined with '|'). ≤ 2048 bytes. */
export function appText(agentId: number, userIds: readonly string[], content: string): AppTextBody {
  return { touser: userIds.join('|'), msgtype: 'text', agentid: agentId, text: { content }, safe: 0 };
}

export interface AppImageBody {
  touser: string;
  msgtype: 'image';
  agentid: number;
  image: { media_id: string };
  safe: 0;
}

/** `POST /cgi-bin/message/send` image to user ids, by the media_id of an upload (`/cgi-bin/media/upload?type=image`). */
export function appImage(agentId: number, userIds: readonly string[], mediaId: string): AppImageBody {
  return { touser: userIds.join('|'), msgtype: 'image', agentid: agentId, image: { media_id: mediaId }, safe: 0 };
}

/**
 * The plaintext XML of a passive text reply in the app (to be encrypted with
 * WecomCipher.xmlReply). `toUser` is the sender's user id, `fromCorpId` the corp id.
 */
export function appTextReplyXml(toUser: string, fromCorpId: string, createTime: number, content: string): string {
  return (
    `<xml><ToUserName>${cdata(toUser)}</ToUserName><FromUserName>${cdata(fromCorpId)}</FromUserName>` +
    `<CreateTime>${Math.trunc(createTime)}</CreateTime><MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(content)}</Content></xml>`
  );
}
