/**
 * The protocol-only ceiling of bench/tail.ts, run as its own process: a bare
 * node:http server that does what /wecom/bot does for the protocol and nothing
 * else — check the signature and timestamp, decrypt, parse the message, and
 * answer with an encrypted stream reply (a fixed check-in text of the same
 * size) — with no bot logic, no database, no Redis. Prints its URL on stdout.
 *
 * Usage: node --import tsx bench/tail-bare.ts <token> <aesKey>
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { WecomCipher } from '../src/platforms/wecom/crypto.js';
import { streamReply } from '../src/platforms/wecom/outbound.js';

const [token = '', encodingAesKey = ''] = process.argv.slice(2);
const cipher = new WecomCipher({ token, encodingAesKey, receiveId: '' });
const REPLY = '✅ 签到成功！+10 积分（累计 10）\n🔥 连续签到 1 天，今天第 1 位\n💰 余额 10 积分';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const query = Object.fromEntries(url.searchParams);
      const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { encrypt: string };
      const msg = JSON.parse(cipher.openCallback(query, envelope.encrypt, new Date())) as { msgid?: string };
      if (!msg.msgid) throw new Error('no msgid');
      const body = JSON.stringify(streamReply(randomBytes(8).toString('hex'), REPLY, true));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(cipher.encryptReply(body, String(Math.floor(Date.now() / 1000)), query.nonce ?? '')));
    } catch {
      res.writeHead(400).end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
