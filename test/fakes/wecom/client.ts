/**
 * Test-side WeCom "server": builds signed, encrypted callback requests the way
 * WeCom does, and opens the bot's encrypted replies. It uses @wecom/crypto
 * directly (not src/platforms/wecom) so it checks our code independently.
 */
import { randomInt } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';

export interface SignedQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

export interface CallbackRequest<B> {
  /** Decoded query parameters. */
  query: SignedQuery;
  /** `msg_signature=…&timestamp=…&nonce=…`, URL-encoded, without '?'. */
  search: string;
  body: B;
}

interface SigningOptions {
  token: string;
  /** The 43-character EncodingAESKey. */
  key: string;
  /** Seconds; default now. */
  timestamp?: string | number;
  nonce?: string;
}

export function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

export function randomNonce(): string {
  return String(randomInt(1_000_000_000, 9_999_999_999));
}

function sign(options: SigningOptions, encrypted: string): { query: SignedQuery; search: string } {
  const timestamp = String(options.timestamp ?? nowSeconds());
  const nonce = options.nonce ?? randomNonce();
  const query = { msg_signature: getSignature(options.token, timestamp, nonce, encrypted), timestamp, nonce };
  return { query, search: new URLSearchParams({ ...query }).toString() };
}

/**
 * An intelligent-bot callback POST: `payload` (object → JSON, or a raw string)
 * encrypted with receive id "" and signed. The body is `{ encrypt }`.
 */
export function buildBotCallback(options: SigningOptions & { payload: unknown; receiveId?: string }): CallbackRequest<{ encrypt: string }> {
  const plaintext = typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload);
  const encrypted = encrypt(options.key, plaintext, options.receiveId ?? '');
  return { ...sign(options, encrypted), body: { encrypt: encrypted } };
}

/**
 * A self-built app / customer-contact callback POST: `xml` encrypted for
 * `corpId`, inside `<xml><ToUserName/><AgentID/><Encrypt/></xml>`.
 */
export function buildAppCallback(
  options: SigningOptions & { corpId: string; xml: string; agentId?: string | number },
): CallbackRequest<string> & { encrypted: string } {
  const encrypted = encrypt(options.key, options.xml, options.corpId);
  const agent = options.agentId === undefined ? '' : `<AgentID><![CDATA[${options.agentId}]]></AgentID>`;
  const body = `<xml><ToUserName><![CDATA[${options.corpId}]]></ToUserName>${agent}<Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  return { ...sign(options, encrypted), body, encrypted };
}

/**
 * The GET URL-verification request. `receiveId` is "" for the bot and the corp
 * id for the app; `plaintext` is what the endpoint must answer.
 */
export function buildUrlVerification(
  options: SigningOptions & { receiveId: string; plaintext?: string },
): { query: SignedQuery & { echostr: string }; search: string; plaintext: string } {
  const plaintext = options.plaintext ?? String(randomInt(1e9, 9e9)) + String(randomInt(1e9, 9e9));
  const echostr = encrypt(options.key, plaintext, options.receiveId);
  const { query } = sign(options, echostr);
  const full = { ...query, echostr };
  return { query: full, search: new URLSearchParams(full).toString(), plaintext };
}

/** Verifies and decrypts the bot's passive reply `{encrypt, msgsignature, timestamp, nonce}`; returns the parsed JSON. */
export function openBotReply(options: { token: string; key: string; reply: unknown; expectedNonce?: string }): unknown {
  const reply = typeof options.reply === 'string' ? (JSON.parse(options.reply) as unknown) : options.reply;
  if (typeof reply !== 'object' || reply === null) throw new Error('bot reply is not a JSON object');
  const { encrypt: encrypted, msgsignature, timestamp, nonce } = reply as Record<string, unknown>;
  if (typeof encrypted !== 'string' || typeof msgsignature !== 'string' || typeof nonce !== 'string') {
    throw new Error('bot reply lacks encrypt/msgsignature/nonce');
  }
  if (typeof timestamp !== 'number' && typeof timestamp !== 'string') throw new Error('bot reply lacks timestamp');
  if (options.expectedNonce !== undefined && nonce !== options.expectedNonce) throw new Error('bot reply nonce differs from the callback nonce');
  if (getSignature(options.token, timestamp, nonce, encrypted) !== msgsignature) throw new Error('bot reply signature mismatch');
  const { message, id } = decrypt(options.key, encrypted);
  if (id !== '') throw new Error(`bot reply encrypted for receive id ${JSON.stringify(id)}, expected ""`);
  return JSON.parse(message) as unknown;
}

/** Verifies and decrypts the app's passive XML reply; returns the inner plaintext XML. */
export function openAppReply(options: { token: string; key: string; corpId: string; xml: string }): string {
  const doc = new XMLParser({ parseTagValue: false }).parse(options.xml) as { xml?: Record<string, unknown> };
  const field = (name: string): string => {
    const value = doc.xml?.[name];
    if (typeof value !== 'string') throw new Error(`app reply lacks <${name}>`);
    return value;
  };
  const encrypted = field('Encrypt');
  if (getSignature(options.token, field('TimeStamp'), field('Nonce'), encrypted) !== field('MsgSignature')) {
    throw new Error('app reply signature mismatch');
  }
  const { message, id } = decrypt(options.key, encrypted);
  if (id !== options.corpId) throw new Error('app reply encrypted for another receive id');
  return message;
}
