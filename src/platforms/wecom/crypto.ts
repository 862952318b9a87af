/**
 * WeCom callback cryptography (doc 91144 / 101033): signature check, AES-256-CBC
 * decryption with the checks @wecom/crypto leaves out, encrypted passive replies.
 *
 * The same scheme serves the intelligent bot (JSON, receive id "") and the
 * self-built app / customer-contact callbacks (XML, receive id = corp id).
 *
 * Nothing here logs, and no error message carries the token, the key or plaintext.
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { encrypt as libEncrypt, getSignature } from '@wecom/crypto';
import { z } from 'zod';
import { WecomProtocolError } from './errors.js';
import { cdata } from './xml-text.js';

export { WecomProtocolError, isWecomProtocolError, type WecomProtocolErrorReason } from './errors.js';

export interface WecomCipherConfig {
  /** The callback Token from the admin console. */
  token: string;
  /** The 43-character EncodingAESKey from the admin console. */
  encodingAesKey: string;
  /** "" for the intelligent bot; the corp id for a self-built app or customer-contact callback. */
  receiveId: string;
}

/** The query string WeCom puts on every callback POST. */
export interface WecomCallbackQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

/** The query string of the GET URL-verification request. */
export interface WecomUrlVerificationQuery extends WecomCallbackQuery {
  echostr: string;
}

/** The JSON body the intelligent bot answers with (passive encrypted reply, doc 101033). */
export interface WecomBotReplyEnvelope {
  encrypt: string;
  msgsignature: string;
  /** Seconds; the documented example is a JSON number. */
  timestamp: number;
  nonce: string;
}

/** Default tolerated clock skew between WeCom's timestamp and ours, in seconds. */
const DEFAULT_MAX_SKEW_SECONDS = 600;

/** PKCS#7 block size used by every official WeCom sample (not AES's 16). */
const PAD_BLOCK = 32;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const AES_KEY_RE = /^[A-Za-z0-9+/]{43}$/;
const TIMESTAMP_RE = /^\d{1,12}$/;
/** sha1 in hex, as getSignature gives it. */
const SIGNATURE_RE = /^[0-9a-fA-F]{40}$/;
/**
 * What a passive reply can echo back (the official samples cap the nonce at
 * 128): printable ASCII without spaces. WeCom sends decimal digits.
 */
const NONCE_RE = /^[\x21-\x7e]{1,128}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

// Checked before anything runs: a command must never run for a callback whose
// reply could not be sent (an over-long nonce used to fail only at reply time).
const callbackQuerySchema = z.object({
  msg_signature: z.string().regex(SIGNATURE_RE),
  timestamp: z.string().regex(TIMESTAMP_RE),
  nonce: z.string().regex(NONCE_RE),
});
const urlVerificationQuerySchema = callbackQuerySchema.extend({ echostr: z.string().min(1) });

/**
 * Validates the `msg_signature`/`timestamp`/`nonce` query (a repeated, missing
 * or malformed parameter, or a nonce a reply could not echo, is refused) and
 * returns it typed. Throws `bad-request`.
 */
function parseCallbackQuery(query: unknown): WecomCallbackQuery {
  const parsed = callbackQuerySchema.safeParse(query);
  if (!parsed.success) throw new WecomProtocolError('bad-request', 'missing, repeated or malformed msg_signature/timestamp/nonce');
  return parsed.data;
}

/** As parseCallbackQuery, plus `echostr`. Throws `bad-request`. */
function parseUrlVerificationQuery(query: unknown): WecomUrlVerificationQuery {
  const parsed = urlVerificationQuerySchema.safeParse(query);
  if (!parsed.success) throw new WecomProtocolError('bad-request', 'missing, repeated or malformed msg_signature/timestamp/nonce/echostr');
  return parsed.data;
}

/**
 * Replay guard: the callback timestamp (seconds, decimal digits) must be within
 * `maxSkewSeconds` of `now`. Returns the timestamp as a number; throws
 * `stale-timestamp` when it is malformed or out of the window.
 */
export function checkTimestamp(timestamp: string | number, now: Date, maxSkewSeconds: number = DEFAULT_MAX_SKEW_SECONDS): number {
  const text = String(timestamp);
  if (!TIMESTAMP_RE.test(text)) throw new WecomProtocolError('stale-timestamp', 'timestamp is not a number of seconds');
  const seconds = Number(text);
  const skew = Math.abs(now.getTime() / 1000 - seconds);
  if (!(skew <= maxSkewSeconds)) {
    throw new WecomProtocolError('stale-timestamp', `timestamp is ${Math.round(skew)} s away from the server clock (max ${maxSkewSeconds} s)`);
  }
  return seconds;
}

/** Constant-time string comparison that also accepts strings of different lengths. */
function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

function requireTimestamp(timestamp: string | number): string {
  const text = String(timestamp);
  if (!TIMESTAMP_RE.test(text)) throw new WecomProtocolError('bad-request', 'reply timestamp must be decimal seconds');
  return text;
}

function requireNonce(nonce: string): string {
  if (!NONCE_RE.test(nonce)) throw new WecomProtocolError('bad-request', 'reply nonce must be 1..128 printable ASCII characters');
  return nonce;
}

export class WecomCipher {
  readonly receiveId: string;
  readonly #token: string;
  readonly #encodingAesKey: string;
  readonly #key: Buffer;
  readonly #iv: Buffer;

  constructor(config: WecomCipherConfig) {
    if (typeof config.token !== 'string' || config.token.length === 0) {
      throw new Error('WeCom token must be a non-empty string');
    }
    if (typeof config.encodingAesKey !== 'string' || !AES_KEY_RE.test(config.encodingAesKey)) {
      throw new Error('WeCom EncodingAESKey must be 43 base64 characters');
    }
    const key = Buffer.from(`${config.encodingAesKey}=`, 'base64');
    if (key.length !== 32) throw new Error('WeCom EncodingAESKey must decode to 32 bytes');
    if (typeof config.receiveId !== 'string') throw new Error('WeCom receiveId must be a string ("" for the intelligent bot)');
    this.receiveId = config.receiveId;
    this.#token = config.token;
    this.#encodingAesKey = config.encodingAesKey;
    this.#key = key;
    this.#iv = key.subarray(0, 16);
  }

  /** Keeps the secrets out of console.log / pino's inspection of the object. */
  [inspect.custom](): string {
    return `WecomCipher { receiveId: ${JSON.stringify(this.receiveId)} }`;
  }

  toJSON(): { receiveId: string } {
    return { receiveId: this.receiveId };
  }

  /** sha1(sort(token, timestamp, nonce, encrypted)) compared in constant time. */
  verifySignature(signature: string, timestamp: string | number, nonce: string | number, encrypted: string): boolean {
    if (typeof signature !== 'string' || typeof encrypted !== 'string') return false;
    const expected = getSignature(this.#token, timestamp, nonce, encrypted);
    return constantTimeEqual(signature, expected);
  }

  /**
   * Decrypts base64 `encrypted` into the message text, checking what
   * @wecom/crypto does not: base64 alphabet, block length, PKCS#7 padding
   * (block 32), the length prefix, UTF-8, and the trailing receive id.
   * Throws `bad-ciphertext` or `bad-receive-id`.
   */
  decrypt(encrypted: string): string {
    if (typeof encrypted !== 'string' || encrypted.length % 4 !== 0 || !BASE64_RE.test(encrypted)) {
      throw new WecomProtocolError('bad-ciphertext', 'ciphertext is not base64');
    }
    const data = Buffer.from(encrypted, 'base64');
    if (data.length < PAD_BLOCK || data.length % 16 !== 0) {
      throw new WecomProtocolError('bad-ciphertext', 'ciphertext length is not a whole number of blocks');
    }
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch {
      throw new WecomProtocolError('bad-ciphertext', 'AES decryption failed');
    }
    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) {
      throw new WecomProtocolError('bad-ciphertext', 'invalid PKCS#7 padding');
    }
    let padOk = 0;
    for (let i = plain.length - pad; i < plain.length; i += 1) padOk |= (plain[i] ?? 0) ^ pad;
    if (padOk !== 0) throw new WecomProtocolError('bad-ciphertext', 'invalid PKCS#7 padding');
    const content = plain.subarray(0, plain.length - pad);
    if (content.length < 20) throw new WecomProtocolError('bad-ciphertext', 'plaintext too short');
    const msgLength = content.readUInt32BE(16);
    if (20 + msgLength > content.length) throw new WecomProtocolError('bad-ciphertext', 'length prefix exceeds plaintext');
    let message: string;
    let receiveId: string;
    try {
      message = utf8.decode(content.subarray(20, 20 + msgLength));
      receiveId = utf8.decode(content.subarray(20 + msgLength));
    } catch {
      throw new WecomProtocolError('bad-ciphertext', 'plaintext is not UTF-8');
    }
    if (receiveId !== this.receiveId) {
      throw new WecomProtocolError('bad-receive-id', 'message was encrypted for another receive id');
    }
    return message;
  }

  /**
   * The whole inbound check for a callback POST: query shape, signature over
   * `encrypted`, replay window, then decrypt. Returns the plaintext (JSON for the
   * bot, XML for the app).
   */
  openCallback(query: unknown, encrypted: string, now: Date, maxSkewSeconds: number = DEFAULT_MAX_SKEW_SECONDS): string {
    const q = parseCallbackQuery(query);
    if (!this.verifySignature(q.msg_signature, q.timestamp, q.nonce, encrypted)) {
      throw new WecomProtocolError('bad-signature', 'msg_signature mismatch');
    }
    checkTimestamp(q.timestamp, now, maxSkewSeconds);
    return this.decrypt(encrypted);
  }

  /**
   * GET URL verification: verify the signature over `echostr`, decrypt it and
   * return the plaintext to send back verbatim (no quotes, BOM or newline).
   * The query must already be URL-decoded (a raw `+` in echostr must not have
   * become a space). The timestamp is checked only when `now` is given.
   */
  openUrlVerification(query: unknown, now?: Date, maxSkewSeconds: number = DEFAULT_MAX_SKEW_SECONDS): string {
    const q = parseUrlVerificationQuery(query);
    if (!this.verifySignature(q.msg_signature, q.timestamp, q.nonce, q.echostr)) {
      throw new WecomProtocolError('bad-signature', 'msg_signature mismatch');
    }
    if (now) checkTimestamp(q.timestamp, now, maxSkewSeconds);
    return this.decrypt(q.echostr);
  }

  /** Encrypts `plaintext` for our receive id (base64). */
  encrypt(plaintext: string): string {
    return libEncrypt(this.#encodingAesKey, plaintext, this.receiveId);
  }

  /**
   * The intelligent bot's passive reply body: `plaintext` is the reply JSON
   * (e.g. JSON.stringify(streamReply(...))); `nonce` must be the callback's.
   */
  encryptReply(plaintext: string, timestamp: string | number, nonce: string): WecomBotReplyEnvelope {
    const ts = requireTimestamp(timestamp);
    requireNonce(nonce);
    const encrypt = this.encrypt(plaintext);
    return { encrypt, msgsignature: getSignature(this.#token, ts, nonce, encrypt), timestamp: Number(ts), nonce };
  }

  /** The self-built app's passive reply body (XML envelope around the encrypted reply XML). */
  xmlReply(plaintext: string, timestamp: string | number, nonce: string): string {
    const ts = requireTimestamp(timestamp);
    requireNonce(nonce);
    const encrypt = this.encrypt(plaintext);
    const signature = getSignature(this.#token, ts, nonce, encrypt);
    return (
      `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
      `<TimeStamp>${ts}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
    );
  }
}
