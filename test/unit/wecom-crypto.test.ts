import { createCipheriv } from 'node:crypto';
import { inspect } from 'node:util';
import { decrypt as libDecrypt, encrypt as libEncrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { WecomCipher, WecomProtocolError, checkTimestamp, type WecomProtocolErrorReason } from '../../src/platforms/wecom/crypto.js';
import { buildBotCallback, buildUrlVerification, openAppReply, openBotReply } from '../fakes/wecom/client.js';

// The official vector of doc 91144 (WXBizMsgCrypt samples, all languages).
const TOKEN = 'QDG6eK';
const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'wx5823bf96d3bd56c7';
const MSG_TIMESTAMP = '1409659813';
const MSG_NONCE = '1372623149';
const MSG_SIGNATURE = '477715d11cdb4164915debcba66cb864d751f3e6';
const MSG_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const VERIFY_SIGNATURE = '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3';
const VERIFY_TIMESTAMP = '1409659589';
const VERIFY_NONCE = '263014780';
const VERIFY_ECHOSTR = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';

const vectorQuery = { msg_signature: MSG_SIGNATURE, timestamp: MSG_TIMESTAMP, nonce: MSG_NONCE };
const atVector = new Date(Number(MSG_TIMESTAMP) * 1000 + 5_000);

const appCipher = () => new WecomCipher({ token: TOKEN, encodingAesKey: KEY, receiveId: CORP_ID });
const botCipher = () => new WecomCipher({ token: TOKEN, encodingAesKey: KEY, receiveId: '' });

function reasonOf(fn: () => unknown): WecomProtocolErrorReason | 'no-error' | 'other-error' {
  try {
    fn();
    return 'no-error';
  } catch (error) {
    return error instanceof WecomProtocolError ? error.reason : 'other-error';
  }
}

/** AES-256-CBC over arbitrary plaintext bytes, with the key's IV, no automatic padding. */
function rawEncrypt(plain: Buffer): string {
  const key = Buffer.from(`${KEY}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function framed(message: string, id: string): Buffer {
  const msg = Buffer.from(message);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  return Buffer.concat([Buffer.alloc(16, 7), len, msg, Buffer.from(id)]);
}

describe('official test vector (doc 91144)', () => {
  it('the documented signature is sha1 over sort(token, timestamp, nonce, Encrypt)', () => {
    expect(getSignature(TOKEN, MSG_TIMESTAMP, MSG_NONCE, MSG_ENCRYPT)).toBe(MSG_SIGNATURE);
    expect(getSignature(TOKEN, Number(MSG_TIMESTAMP), Number(MSG_NONCE), MSG_ENCRYPT)).toBe(MSG_SIGNATURE);
    expect(appCipher().verifySignature(MSG_SIGNATURE, MSG_TIMESTAMP, MSG_NONCE, MSG_ENCRYPT)).toBe(true);
  });

  it('decrypts the message vector to the documented XML for the corp id', () => {
    const xml = appCipher().decrypt(MSG_ENCRYPT);
    expect(xml.startsWith('<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>')).toBe(true);
    expect(xml).toContain('<Content><![CDATA[hello]]></Content>');
    expect(xml).toContain('<MsgId>4561255354251345929</MsgId>');
    expect(xml).toBe(libDecrypt(KEY, MSG_ENCRYPT).message);
    expect(libDecrypt(KEY, MSG_ENCRYPT).id).toBe(CORP_ID);
  });

  it('openCallback accepts the vector inside the replay window', () => {
    expect(appCipher().openCallback(vectorQuery, MSG_ENCRYPT, atVector)).toContain('<MsgType><![CDATA[text]]></MsgType>');
  });

  it('opens the URL-verification vector (echostr)', () => {
    const query = { msg_signature: VERIFY_SIGNATURE, timestamp: VERIFY_TIMESTAMP, nonce: VERIFY_NONCE, echostr: VERIFY_ECHOSTR };
    expect(appCipher().openUrlVerification(query)).toBe('1616140317555161061');
    expect(reasonOf(() => appCipher().openUrlVerification({ ...query, msg_signature: MSG_SIGNATURE }))).toBe('bad-signature');
  });

  it('refuses the vector for the bot receive id ""', () => {
    expect(reasonOf(() => botCipher().decrypt(MSG_ENCRYPT))).toBe('bad-receive-id');
  });
});

describe('WecomCipher', () => {
  it('round-trips UTF-8 with an empty receive id, interoperating with @wecom/crypto', () => {
    const text = JSON.stringify({ msgtype: 'text', text: { content: '@机器人 签到 🎉' } });
    const mine = botCipher().encrypt(text);
    expect(libDecrypt(KEY, mine)).toMatchObject({ message: text, id: '' });
    expect(botCipher().decrypt(libEncrypt(KEY, text, ''))).toBe(text);
  });

  it('refuses a forged signature, a signature of another length, and a missing parameter', () => {
    const cipher = appCipher();
    const forged = `${MSG_SIGNATURE.slice(0, -1)}0`;
    expect(cipher.verifySignature(forged, MSG_TIMESTAMP, MSG_NONCE, MSG_ENCRYPT)).toBe(false);
    expect(cipher.verifySignature('abc', MSG_TIMESTAMP, MSG_NONCE, MSG_ENCRYPT)).toBe(false);
    expect(cipher.verifySignature('', MSG_TIMESTAMP, MSG_NONCE, MSG_ENCRYPT)).toBe(false);
    expect(cipher.verifySignature(MSG_SIGNATURE, MSG_TIMESTAMP, '1', MSG_ENCRYPT)).toBe(false);
    expect(reasonOf(() => cipher.openCallback({ ...vectorQuery, msg_signature: forged }, MSG_ENCRYPT, atVector))).toBe('bad-signature');
    expect(reasonOf(() => cipher.openCallback({ timestamp: MSG_TIMESTAMP, nonce: MSG_NONCE }, MSG_ENCRYPT, atVector))).toBe('bad-request');
    expect(reasonOf(() => cipher.openCallback({ ...vectorQuery, nonce: [MSG_NONCE, MSG_NONCE] }, MSG_ENCRYPT, atVector))).toBe('bad-request');
  });

  it('refuses, before decrypting, a signed query whose values a reply could not echo (nonce over 128 or with spaces, odd signature or timestamp)', () => {
    const cipher = appCipher();
    const signed = (q: { timestamp: string; nonce: string }) => ({ ...q, msg_signature: getSignature(TOKEN, q.timestamp, q.nonce, MSG_ENCRYPT) });
    for (const nonce of ['1'.repeat(129), '1'.repeat(200), '13 72', '13\t72', '随机']) {
      expect(reasonOf(() => cipher.openCallback(signed({ timestamp: MSG_TIMESTAMP, nonce }), MSG_ENCRYPT, atVector))).toBe('bad-request');
    }
    expect(reasonOf(() => cipher.openCallback(signed({ timestamp: `${MSG_TIMESTAMP}.0`, nonce: MSG_NONCE }), MSG_ENCRYPT, atVector))).toBe('bad-request');
    expect(reasonOf(() => cipher.openCallback({ ...vectorQuery, msg_signature: `${MSG_SIGNATURE}00` }, MSG_ENCRYPT, atVector))).toBe('bad-request');
    expect(reasonOf(() => cipher.openCallback({ ...vectorQuery, msg_signature: 'z'.repeat(40) }, MSG_ENCRYPT, atVector))).toBe('bad-request');
    const longest = signed({ timestamp: MSG_TIMESTAMP, nonce: '1'.repeat(128) });
    expect(cipher.openCallback(longest, MSG_ENCRYPT, atVector)).toContain(CORP_ID);
    expect(() => cipher.xmlReply('x', MSG_TIMESTAMP, longest.nonce)).not.toThrow();
  });

  it('refuses a wrong receive id', () => {
    const encrypted = libEncrypt(KEY, '<xml/>', 'ww-other-corp');
    expect(reasonOf(() => appCipher().decrypt(encrypted))).toBe('bad-receive-id');
    expect(reasonOf(() => botCipher().decrypt(libEncrypt(KEY, '{}', CORP_ID)))).toBe('bad-receive-id');
  });

  it('refuses tampered ciphertext (flipped byte, truncation, not base64, wrong block size)', () => {
    const bytes = Buffer.from(MSG_ENCRYPT, 'base64');
    const lastBlockFlip = Buffer.from(bytes);
    lastBlockFlip[lastBlockFlip.length - 20] = (lastBlockFlip[lastBlockFlip.length - 20] ?? 0) ^ 0x01;
    expect(reasonOf(() => appCipher().decrypt(lastBlockFlip.toString('base64')))).toBe('bad-ciphertext');
    const firstBlockFlip = Buffer.from(bytes);
    firstBlockFlip[3] = (firstBlockFlip[3] ?? 0) ^ 0x80;
    // A flip in block 1 garbles block 1 (random + length prefix) and one bit of block 2.
    expect(['bad-ciphertext', 'bad-receive-id']).toContain(reasonOf(() => appCipher().decrypt(firstBlockFlip.toString('base64'))));
    expect(reasonOf(() => appCipher().decrypt(bytes.subarray(0, bytes.length - 32).toString('base64')))).toBe('bad-ciphertext');
    expect(reasonOf(() => appCipher().decrypt(bytes.subarray(0, bytes.length - 8).toString('base64')))).toBe('bad-ciphertext');
    expect(reasonOf(() => appCipher().decrypt('not base64!'))).toBe('bad-ciphertext');
    expect(reasonOf(() => appCipher().decrypt(''))).toBe('bad-ciphertext');
    expect(reasonOf(() => appCipher().decrypt(MSG_ENCRYPT.replace('+', ' ')))).toBe('bad-ciphertext');
  });

  it('refuses bad PKCS#7 padding that @wecom/crypto silently accepts', () => {
    const body = framed('hello', CORP_ID); // 16 + 4 + 5 + 18 = 43 bytes → 21 bytes of padding to 64
    const wrongBytes = Buffer.concat([body, Buffer.alloc(20, 21), Buffer.from([20])]);
    expect(libDecrypt(KEY, rawEncrypt(wrongBytes)).message).toBe('hello'); // the library does not notice
    expect(reasonOf(() => appCipher().decrypt(rawEncrypt(wrongBytes)))).toBe('bad-ciphertext');

    const outOfRange = Buffer.concat([body, Buffer.alloc(21, 0)]);
    expect(reasonOf(() => appCipher().decrypt(rawEncrypt(outOfRange)))).toBe('bad-ciphertext');

    const tooLong = Buffer.concat([framed('hello', CORP_ID), Buffer.alloc(21, 33)]);
    expect(reasonOf(() => appCipher().decrypt(rawEncrypt(tooLong)))).toBe('bad-ciphertext');

    const good = Buffer.concat([body, Buffer.alloc(21, 21)]);
    expect(appCipher().decrypt(rawEncrypt(good))).toBe('hello');
  });

  it('refuses a length prefix beyond the plaintext', () => {
    const plain = framed('hello', CORP_ID);
    plain.writeUInt32BE(1000, 16);
    expect(reasonOf(() => appCipher().decrypt(rawEncrypt(Buffer.concat([plain, Buffer.alloc(21, 21)]))))).toBe('bad-ciphertext');
  });

  it('encryptReply builds the documented bot envelope, openable with the library', () => {
    const reply = botCipher().encryptReply('{"msgtype":"stream","stream":{"id":"s1","finish":true,"content":"好"}}', 1700000000, 'n123');
    expect(reply).toMatchObject({ timestamp: 1700000000, nonce: 'n123' });
    expect(reply.msgsignature).toBe(getSignature(TOKEN, '1700000000', 'n123', reply.encrypt));
    expect(openBotReply({ token: TOKEN, key: KEY, reply, expectedNonce: 'n123' })).toEqual({
      msgtype: 'stream',
      stream: { id: 's1', finish: true, content: '好' },
    });
  });

  it('xmlReply builds the documented app envelope', () => {
    const xml = appCipher().xmlReply('<xml><Content><![CDATA[hi]]></Content></xml>', '1409659813', '1372623149');
    expect(xml.startsWith('<xml><Encrypt><![CDATA[')).toBe(true);
    expect(xml).toContain('<TimeStamp>1409659813</TimeStamp><Nonce><![CDATA[1372623149]]></Nonce></xml>');
    expect(openAppReply({ token: TOKEN, key: KEY, corpId: CORP_ID, xml })).toBe('<xml><Content><![CDATA[hi]]></Content></xml>');
    expect(reasonOf(() => appCipher().xmlReply('x', 'soon', 'n'))).toBe('bad-request');
  });

  it('a nonce with "]]>" cannot break out of the CDATA', () => {
    const xml = appCipher().xmlReply('x', 1, 'a]]><Evil/>');
    const doc = new XMLParser({ parseTagValue: false }).parse(xml) as { xml: Record<string, unknown> };
    expect(doc.xml['Nonce']).toBe('a]]><Evil/>');
    expect(doc.xml).not.toHaveProperty('Evil');
    expect(openAppReply({ token: TOKEN, key: KEY, corpId: CORP_ID, xml })).toBe('x');
  });

  it('works end to end with the test client (bot callback and URL verification)', () => {
    const now = new Date();
    const request = buildBotCallback({ token: TOKEN, key: KEY, payload: { msgid: 'm1', msgtype: 'text' } });
    expect(JSON.parse(botCipher().openCallback(request.query, request.body.encrypt, now))).toEqual({ msgid: 'm1', msgtype: 'text' });
    const verify = buildUrlVerification({ token: TOKEN, key: KEY, receiveId: '' });
    expect(botCipher().openUrlVerification(verify.query, now)).toBe(verify.plaintext);
  });

  it('refuses a bad key or token at construction, without echoing them', () => {
    expect(() => new WecomCipher({ token: TOKEN, encodingAesKey: 'short-secret-key', receiveId: '' })).toThrow(/43 base64/);
    try {
      new WecomCipher({ token: TOKEN, encodingAesKey: 'short-secret-key', receiveId: '' });
    } catch (error) {
      expect(String(error)).not.toContain('short-secret-key');
    }
    expect(() => new WecomCipher({ token: '', encodingAesKey: KEY, receiveId: '' })).toThrow(/token/);
  });

  it('never shows the key or token when inspected, serialised or in errors', () => {
    const cipher = appCipher();
    expect(inspect(cipher, { showHidden: true, depth: 5 })).not.toContain(KEY);
    expect(inspect(cipher)).not.toContain(TOKEN);
    expect(JSON.stringify(cipher)).toBe(JSON.stringify({ receiveId: CORP_ID }));
    const errors: unknown[] = [];
    for (const attempt of [
      () => cipher.decrypt('garbage=='),
      () => cipher.openCallback({ ...vectorQuery, msg_signature: 'x' }, MSG_ENCRYPT, atVector),
      () => cipher.openCallback(vectorQuery, MSG_ENCRYPT, new Date()),
      () => botCipher().decrypt(MSG_ENCRYPT),
    ]) {
      try {
        attempt();
      } catch (error) {
        errors.push(error);
      }
    }
    expect(errors).toHaveLength(4);
    for (const error of errors) {
      const text = `${String(error)} ${JSON.stringify(error)} ${inspect(error)}`;
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('hello');
    }
  });
});

describe('checkTimestamp (replay guard)', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  const nowSeconds = now.getTime() / 1000;

  it('accepts timestamps within the skew and returns seconds', () => {
    expect(checkTimestamp(String(nowSeconds), now)).toBe(nowSeconds);
    expect(checkTimestamp(nowSeconds - 600, now)).toBe(nowSeconds - 600);
    expect(checkTimestamp(String(nowSeconds + 30), now, 60)).toBe(nowSeconds + 30);
  });

  it('refuses stale, future and malformed timestamps', () => {
    expect(reasonOf(() => checkTimestamp(nowSeconds - 601, now))).toBe('stale-timestamp');
    expect(reasonOf(() => checkTimestamp(String(nowSeconds + 61), now, 60))).toBe('stale-timestamp');
    expect(reasonOf(() => checkTimestamp(String(nowSeconds * 1000), now))).toBe('stale-timestamp');
    expect(reasonOf(() => checkTimestamp('17e8', now))).toBe('stale-timestamp');
    expect(reasonOf(() => checkTimestamp('-5', now))).toBe('stale-timestamp');
    expect(reasonOf(() => checkTimestamp('', now))).toBe('stale-timestamp');
  });

  it('openCallback refuses a correctly signed but replayed callback', () => {
    expect(reasonOf(() => appCipher().openCallback(vectorQuery, MSG_ENCRYPT, new Date()))).toBe('stale-timestamp');
  });
});
