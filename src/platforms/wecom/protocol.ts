/**
 * Parsing of decrypted WeCom payloads into plain typed objects.
 *
 * - Intelligent bot (智能机器人) JSON, docs 100719 / 101027: the same body arrives
 *   decrypted from the HTTP callback and, unencrypted, as `frame.body` of the
 *   long-connection SDK's `aibot_msg_callback` / `aibot_event_callback` frames.
 * - Self-built app / customer-contact XML, docs 90239 / 92130: the outer
 *   envelope and the decrypted message (text in the app's 1:1 chat,
 *   `change_external_chat`, other events).
 *
 * Every refusal is a WecomProtocolError('bad-payload'); unknown message and
 * event types are returned as `unsupported` / `other` rather than refused.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { WecomProtocolError } from './errors.js';

// ---------------------------------------------------------------------------
// Mentions
// ---------------------------------------------------------------------------

/** Any Unicode space, including the full-width U+3000 and the U+2005 WeCom puts after a mention. */
const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/u.test(ch);

function trimStartSpaces(text: string): string {
  let i = 0;
  while (i < text.length && isSpace(text[i])) i += 1;
  return text.slice(i);
}

export interface StrippedMentions {
  /** The text without the bot mentions, trimmed. */
  text: string;
  /** The mention names removed, in order (without '@'). */
  mentions: string[];
}

/**
 * Strips the bot's @-mentions from the start of a message ("@RobotA hello"
 * → "hello"), separated by any half- or full-width spaces.
 *
 * With `botNames`, every leading (and a trailing) `@name` naming the bot is
 * removed, so "@Bot @Bot /checkin" and "/checkin @Bot" both give "/checkin",
 * while "@Bot @Alice gift" keeps "@Alice gift". Without names, only the first
 * leading `@token` is removed (WeCom delivers group text only when the bot is
 * mentioned, normally first).
 */
export function stripBotMentions(content: string, botNames: readonly string[] = []): StrippedMentions {
  const names = [...new Set(botNames.filter((name) => name.length > 0))].sort((a, b) => b.length - a.length);
  const mentions: string[] = [];
  let rest = trimStartSpaces(content);

  const leadingName = (text: string): string | undefined => {
    for (const name of names) {
      if (text.startsWith(`@${name}`) && (text.length === name.length + 1 || isSpace(text[name.length + 1]))) return name;
    }
    return undefined;
  };

  while (rest.startsWith('@')) {
    let name = leadingName(rest);
    if (name === undefined) {
      if (names.length > 0 || mentions.length > 0) break;
      let end = 1;
      while (end < rest.length && !isSpace(rest[end])) end += 1;
      if (end === 1) break;
      name = rest.slice(1, end);
    }
    mentions.push(name);
    rest = trimStartSpaces(rest.slice(name.length + 1));
  }

  rest = rest.trimEnd();
  for (let again = names.length > 0; again; ) {
    again = false;
    for (const name of names) {
      const tail = `@${name}`;
      const before = rest.length - tail.length - 1;
      if (rest.endsWith(tail) && (before < 0 || isSpace(rest[before]))) {
        mentions.push(name);
        rest = rest.slice(0, rest.length - tail.length).trimEnd();
        again = true;
        break;
      }
    }
  }
  return { text: rest.trim(), mentions };
}

// ---------------------------------------------------------------------------
// Intelligent bot JSON
// ---------------------------------------------------------------------------

export type WecomChatType = 'single' | 'group';

export interface BotSender {
  userId: string;
  corpId?: string;
}

export interface BotQuote {
  msgtype: string;
  /** Text of a quoted text, voice or mixed message ('' when none). */
  text: string;
  imageUrls: string[];
}

interface BotCommon {
  /** Deduplicate on this: WeCom may deliver the same callback more than once. It is the msgid. */
  dedupeKey: string;
  msgId: string;
  aibotId: string;
  chatType: WecomChatType;
  /** Present for group chats only. */
  chatId?: string;
  /** Where to send into this conversation: the chat id for a group, the user id for a 1:1 chat. */
  conversationId: string;
  from: BotSender;
  /** One-shot active-reply URL (valid 1 hour). */
  responseUrl?: string;
  /** Seconds, when WeCom sends it (events always do). */
  createTime?: number;
}

export interface BotTextMessage extends BotCommon {
  kind: 'text';
  /** Content with the bot mention(s) removed and trimmed. */
  text: string;
  rawText: string;
  mentions: string[];
  quote?: BotQuote;
}

export interface BotMixedMessage extends BotCommon {
  kind: 'mixed';
  /** The text items joined by newlines, bot mention(s) removed. */
  text: string;
  rawText: string;
  mentions: string[];
  imageUrls: string[];
  quote?: BotQuote;
}

export interface BotVoiceMessage extends BotCommon {
  kind: 'voice';
  /** WeCom's transcription. */
  text: string;
  quote?: BotQuote;
}

export interface BotMediaMessage extends BotCommon {
  kind: 'image' | 'file' | 'video';
  /** Valid 5 minutes; AES-encrypted with the bot key (or `aesKey` in long-connection mode). */
  url: string;
  aesKey?: string;
}

/** WeCom asks for the current state of a stream reply ("流式消息刷新"). */
export interface BotStreamPoll extends BotCommon {
  kind: 'stream-poll';
  streamId: string;
}

/**
 * Bot events. The bot acts on none of them (it sends no template cards and
 * reads no feedback), so their details are not parsed: a shape WeCom changes
 * can never make us refuse (and WeCom retry) a callback we would ignore.
 */
export type BotEventDetail = { type: 'enter_chat' } | { type: 'disconnected_event' } | { type: 'other'; eventType: string; data: unknown };

export interface BotEvent extends BotCommon {
  kind: 'event';
  event: BotEventDetail;
}

export interface BotUnsupported extends BotCommon {
  kind: 'unsupported';
  msgtype: string;
}

export type BotInbound =
  | BotTextMessage
  | BotMixedMessage
  | BotVoiceMessage
  | BotMediaMessage
  | BotStreamPoll
  | BotEvent
  | BotUnsupported;

export interface BotParseOptions {
  /** The bot's display name(s) as users type them after '@'. */
  botNames?: readonly string[];
}

const textSchema = z.object({ content: z.string() });
const mediaSchema = z.object({ url: z.string().min(1), aeskey: z.string().optional() });
const mixedSchema = z.object({
  msg_item: z.array(z.object({ msgtype: z.string(), text: textSchema.optional(), image: mediaSchema.optional() })),
});
const quoteSchema = z.object({
  msgtype: z.string(),
  text: textSchema.optional(),
  image: mediaSchema.optional(),
  mixed: mixedSchema.optional(),
  voice: textSchema.optional(),
});
const botBodySchema = z.object({
  msgid: z.string().min(1),
  aibotid: z.string().optional(),
  chatid: z.string().optional(),
  chattype: z.enum(['single', 'group']).optional(),
  from: z.object({ userid: z.string().min(1), corpid: z.string().optional() }),
  response_url: z.string().optional(),
  create_time: z.union([z.number(), z.string().regex(/^\d+$/)]).optional(),
  msgtype: z.string().min(1),
  text: textSchema.optional(),
  mixed: mixedSchema.optional(),
  voice: textSchema.optional(),
  image: mediaSchema.optional(),
  file: mediaSchema.optional(),
  video: mediaSchema.optional(),
  stream: z.object({ id: z.string().min(1) }).optional(),
  quote: quoteSchema.optional(),
  event: z.looseObject({ eventtype: z.string().min(1) }).optional(),
});
type BotBody = z.infer<typeof botBodySchema>;


function badPayload(message: string): WecomProtocolError {
  return new WecomProtocolError('bad-payload', message);
}

function mixedText(mixed: z.infer<typeof mixedSchema>): { text: string; imageUrls: string[] } {
  const texts: string[] = [];
  const imageUrls: string[] = [];
  for (const item of mixed.msg_item) {
    if (item.msgtype === 'text' && item.text) texts.push(item.text.content);
    if (item.msgtype === 'image' && item.image) imageUrls.push(item.image.url);
  }
  return { text: texts.join('\n'), imageUrls };
}

function quoteOf(quote: BotBody['quote']): BotQuote | undefined {
  if (!quote) return undefined;
  if (quote.mixed) return { msgtype: quote.msgtype, ...mixedText(quote.mixed) };
  return {
    msgtype: quote.msgtype,
    text: quote.text?.content ?? quote.voice?.content ?? '',
    imageUrls: quote.image ? [quote.image.url] : [],
  };
}

function eventDetail(event: NonNullable<BotBody['event']>): BotEventDetail {
  const type = event.eventtype;
  const data: unknown = event[type];
  switch (type) {
    case 'enter_chat':
      return { type };
    case 'disconnected_event':
      return { type };
    default:
      return { type: 'other', eventType: type, data };
  }
}

/**
 * Parses an already-decoded bot body: the decrypted JSON of an HTTP callback,
 * or `frame.body` in long-connection mode. Throws `bad-payload`.
 */
export function parseBotBody(body: unknown, options: BotParseOptions = {}): BotInbound {
  const parsed = botBodySchema.safeParse(body);
  if (!parsed.success) throw badPayload('bot payload does not match the documented shape');
  const b = parsed.data;
  const chatId = b.chatid !== undefined && b.chatid !== '' ? b.chatid : undefined;
  const chatType: WecomChatType = b.chattype ?? (chatId !== undefined ? 'group' : 'single');
  const common: BotCommon = {
    dedupeKey: b.msgid,
    msgId: b.msgid,
    aibotId: b.aibotid ?? '',
    chatType,
    ...(chatId !== undefined ? { chatId } : {}),
    conversationId: chatId ?? b.from.userid,
    from: { userId: b.from.userid, ...(b.from.corpid !== undefined ? { corpId: b.from.corpid } : {}) },
    ...(b.response_url ? { responseUrl: b.response_url } : {}),
    ...(b.create_time !== undefined ? { createTime: Number(b.create_time) } : {}),
  };
  const quote = quoteOf(b.quote);
  const withQuote = quote ? { quote } : {};

  switch (b.msgtype) {
    case 'text': {
      if (!b.text) throw badPayload('text message without text');
      const { text, mentions } = stripBotMentions(b.text.content, options.botNames);
      return { ...common, kind: 'text', text, rawText: b.text.content, mentions, ...withQuote };
    }
    case 'mixed': {
      if (!b.mixed) throw badPayload('mixed message without mixed');
      const { text: rawText, imageUrls } = mixedText(b.mixed);
      const { text, mentions } = stripBotMentions(rawText, options.botNames);
      return { ...common, kind: 'mixed', text, rawText, mentions, imageUrls, ...withQuote };
    }
    case 'voice': {
      if (!b.voice) throw badPayload('voice message without voice');
      return { ...common, kind: 'voice', text: b.voice.content.trim(), ...withQuote };
    }
    case 'image':
    case 'file':
    case 'video': {
      const media = b[b.msgtype];
      if (!media) throw badPayload(`${b.msgtype} message without ${b.msgtype}`);
      return { ...common, kind: b.msgtype, url: media.url, ...(media.aeskey ? { aesKey: media.aeskey } : {}) };
    }
    case 'stream': {
      if (!b.stream) throw badPayload('stream callback without stream.id');
      return { ...common, kind: 'stream-poll', streamId: b.stream.id };
    }
    case 'event': {
      if (!b.event) throw badPayload('event callback without event');
      return { ...common, kind: 'event', event: eventDetail(b.event) };
    }
    default:
      return { ...common, kind: 'unsupported', msgtype: b.msgtype };
  }
}

/** Parses the decrypted plaintext of a bot callback (a JSON string). Throws `bad-payload`. */
export function parseBotPayload(plaintext: string, options: BotParseOptions = {}): BotInbound {
  let body: unknown;
  try {
    body = JSON.parse(plaintext);
  } catch {
    throw badPayload('bot payload is not JSON');
  }
  return parseBotBody(body, options);
}

const botEnvelopeSchema = z.object({ encrypt: z.string().min(1) });

/**
 * The encrypted bot callback body `{"encrypt":"…"}`, given as the raw string
 * or as the object a JSON body parser produced. Throws `bad-payload`.
 */
export function parseBotEnvelope(body: unknown): { encrypt: string } {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString());
    } catch {
      throw badPayload('bot envelope is not JSON');
    }
  }
  const parsed = botEnvelopeSchema.safeParse(value);
  if (!parsed.success) throw badPayload('bot envelope has no encrypt field');
  return parsed.data;
}

// ---------------------------------------------------------------------------
// Self-built app / customer-contact XML
// ---------------------------------------------------------------------------

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: false,
});

/** Any element we read is a leaf; CDATA is merged into the text by the parser. */
const leaf = z.string();
const optLeaf = leaf.optional();

function parseXmlRoot(xml: string): Record<string, unknown> {
  if (typeof xml !== 'string' || xml.trim() === '') throw badPayload('empty XML');
  if (xml.toUpperCase().includes('<!DOCTYPE')) throw badPayload('XML with a DOCTYPE is refused');
  if (XMLValidator.validate(xml) !== true) throw badPayload('malformed XML');
  let doc: unknown;
  try {
    doc = xmlParser.parse(xml);
  } catch {
    throw badPayload('malformed XML');
  }
  const root = z.object({ xml: z.record(z.string(), z.unknown()) }).safeParse(doc);
  if (!root.success) throw badPayload('XML root is not <xml>');
  return root.data.xml;
}

export interface AppEnvelope {
  /** The corp id. */
  toUserName: string;
  /** Absent on customer-contact callbacks. */
  agentId?: string;
  encrypt: string;
}

const appEnvelopeSchema = z.object({ ToUserName: optLeaf, AgentID: optLeaf, Encrypt: leaf.min(1) });

/** The outer `<xml><ToUserName/><AgentID/><Encrypt/></xml>` of an app callback POST. Throws `bad-payload`. */
export function parseAppEnvelope(xml: string): AppEnvelope {
  const parsed = appEnvelopeSchema.safeParse(parseXmlRoot(xml));
  if (!parsed.success) throw badPayload('app envelope has no Encrypt');
  const e = parsed.data;
  return { toUserName: e.ToUserName ?? '', ...(e.AgentID ? { agentId: e.AgentID } : {}), encrypt: e.Encrypt };
}

interface AppCommon {
  dedupeKey: string;
  toUserName: string;
  fromUserName: string;
  /** Seconds, kept as the string WeCom sent. */
  createTime: string;
  agentId?: string;
}

/** A text a user sent in the app's 1:1 session. */
export interface AppTextMessage extends AppCommon {
  kind: 'text';
  msgId: string;
  content: string;
}

export interface ExternalChatMemberChange {
  chatId: string;
  userId: string;
  kind: 'join' | 'leave';
}

/** 客户群变更事件 (doc 92130). */
export interface AppExternalChatChange extends AppCommon {
  kind: 'external-chat-change';
  chatId: string;
  /** create | update | dismiss */
  changeType: string;
  /** add_member | del_member | change_owner | change_name | change_notice (update only) */
  updateDetail?: string;
  joinScene?: number;
  quitScene?: number;
  memChangeCnt?: number;
  lastMemVer?: string;
  curMemVer?: string;
  /** One entry per member for add_member / del_member; empty otherwise. */
  memberChanges: ExternalChatMemberChange[];
}

export interface AppOtherEvent extends AppCommon {
  kind: 'event';
  event: string;
  /** Every top-level leaf element as a string. */
  fields: Record<string, string>;
}

export interface AppUnsupported extends AppCommon {
  kind: 'unsupported';
  msgType: string;
}

export type AppInbound = AppTextMessage | AppExternalChatChange | AppOtherEvent | AppUnsupported;

const appCommonSchema = z.object({
  ToUserName: optLeaf,
  FromUserName: leaf.min(1),
  CreateTime: leaf.regex(/^\d+$/),
  MsgType: leaf.min(1),
  AgentID: optLeaf,
});
const appTextSchema = z.object({ MsgId: leaf.min(1), Content: leaf });
const appEventSchema = z.object({ Event: leaf.min(1) });
const externalChatSchema = z.object({
  ChatId: leaf.min(1),
  ChangeType: leaf.min(1),
  UpdateDetail: optLeaf,
  JoinScene: optLeaf,
  QuitScene: optLeaf,
  MemChangeCnt: optLeaf,
  MemChangeList: z.union([leaf, z.object({ Item: z.union([leaf, z.array(leaf)]).optional() })]).optional(),
  LastMemVer: optLeaf,
  CurMemVer: optLeaf,
});

function optionalInt(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function memberIds(list: z.infer<typeof externalChatSchema>['MemChangeList']): string[] {
  let ids: string[];
  if (list === undefined) ids = [];
  else if (typeof list === 'string') ids = list.split(','); // some senders put "id1,id2" in CDATA
  else if (list.Item === undefined) ids = [];
  else ids = Array.isArray(list.Item) ? list.Item : [list.Item];
  return [...new Set(ids.map((id) => id.trim()).filter((id) => id.length > 0))];
}

/**
 * Parses the decrypted XML of a self-built app or customer-contact callback.
 * Ids (MsgId, CreateTime, ChatId…) stay strings. Throws `bad-payload`.
 */
export function parseAppXml(plaintext: string): AppInbound {
  const root = parseXmlRoot(plaintext);
  const commonParsed = appCommonSchema.safeParse(root);
  if (!commonParsed.success) throw badPayload('app message lacks FromUserName/CreateTime/MsgType');
  const c = commonParsed.data;
  const base = {
    toUserName: c.ToUserName ?? '',
    fromUserName: c.FromUserName,
    createTime: c.CreateTime,
    ...(c.AgentID ? { agentId: c.AgentID } : {}),
  };

  if (c.MsgType === 'text') {
    const text = appTextSchema.safeParse(root);
    if (!text.success) throw badPayload('text message lacks MsgId/Content');
    return { ...base, kind: 'text', dedupeKey: `msg:${text.data.MsgId}`, msgId: text.data.MsgId, content: text.data.Content };
  }

  if (c.MsgType === 'event') {
    const ev = appEventSchema.safeParse(root);
    if (!ev.success) throw badPayload('event lacks Event');
    const event = ev.data.Event;
    if (event === 'change_external_chat') {
      const chat = externalChatSchema.safeParse(root);
      if (!chat.success) throw badPayload('change_external_chat lacks ChatId/ChangeType');
      const d = chat.data;
      const kind = d.UpdateDetail === 'add_member' ? 'join' : d.UpdateDetail === 'del_member' ? 'leave' : undefined;
      const dedupeKey = d.CurMemVer
        ? `extchat:${d.ChatId}:${c.CreateTime}:${d.CurMemVer}`
        : `event:${c.FromUserName}:${c.CreateTime}:${event}:${d.ChatId}:${d.ChangeType}:${d.UpdateDetail ?? ''}`;
      return {
        ...base,
        kind: 'external-chat-change',
        dedupeKey,
        chatId: d.ChatId,
        changeType: d.ChangeType,
        ...(d.UpdateDetail ? { updateDetail: d.UpdateDetail } : {}),
        joinScene: optionalInt(d.JoinScene),
        quitScene: optionalInt(d.QuitScene),
        memChangeCnt: optionalInt(d.MemChangeCnt),
        ...(d.LastMemVer ? { lastMemVer: d.LastMemVer } : {}),
        ...(d.CurMemVer ? { curMemVer: d.CurMemVer } : {}),
        memberChanges: kind ? memberIds(d.MemChangeList).map((userId) => ({ chatId: d.ChatId, userId, kind })) : [],
      };
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(root)) if (typeof value === 'string') fields[name] = value;
    return { ...base, kind: 'event', dedupeKey: `event:${c.FromUserName}:${c.CreateTime}:${event}`, event, fields };
  }

  const msgId = typeof root['MsgId'] === 'string' && root['MsgId'] !== '' ? root['MsgId'] : undefined;
  return {
    ...base,
    kind: 'unsupported',
    dedupeKey: msgId ? `msg:${msgId}` : `event:${c.FromUserName}:${c.CreateTime}:${c.MsgType}`,
    msgType: c.MsgType,
  };
}
