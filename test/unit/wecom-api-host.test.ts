import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseWebhookKey } from '../../src/platforms/wecom/bindings.js';
import { WecomInbound } from '../../src/platforms/wecom/routes.js';

const silent = pino({ level: 'silent' });

function inbound(apiUrl: string): WecomInbound {
  const handle = async () => ({ duplicate: false, replies: [] });
  return new WecomInbound({ handle, handleAll: async () => ({ results: [], afterCommit: [] }), admins: [], botNames: [], passiveReplyMs: 100, maxMemberChanges: 10, apiUrl, logger: silent, now: () => new Date() });
}

describe('response_url (the late reply of the intelligent bot)', () => {
  const real = inbound('https://qyapi.weixin.qq.com');
  const code = 'response_code=one-time-code';

  it.each([
    `https://qyapi.weixin.qq.com/cgi-bin/aibot/response?${code}`,
    `https://QYAPI.weixin.qq.com:443/cgi-bin/aibot/response?${code}`,
  ])('is posted to when it is on the configured API host: %s', (raw) => {
    expect(real.responseUrl(raw)?.href).toBe(`https://qyapi.weixin.qq.com/cgi-bin/aibot/response?${code}`);
  });

  it.each([
    [`x:1/evil?${code}`, 'a pathname without a leading / (used to become qyapi.weixin.qq.com1)'],
    [`x:.evil.example/cgi-bin/aibot/response?${code}`, 'used to become qyapi.weixin.qq.com.evil.example'],
    [`https://qyapi.weixin.qq.com.evil.example/cgi-bin/aibot/response?${code}`, 'another host with our host as prefix'],
    [`https://evil.example/cgi-bin/aibot/response?${code}`, 'another host'],
    [`http://qyapi.weixin.qq.com/cgi-bin/aibot/response?${code}`, 'plain http when the API is https'],
    [`https://qyapi.weixin.qq.com:8443/cgi-bin/aibot/response?${code}`, 'another port'],
    [`https://user:pw@qyapi.weixin.qq.com/cgi-bin/aibot/response?${code}`, 'userinfo'],
    [`https://evil.example@qyapi.weixin.qq.com/cgi-bin/aibot/response?${code}`, 'userinfo that looks like a host'],
    ['/cgi-bin/aibot/response', 'not an absolute URL'],
    ['', 'empty'],
  ])('is refused: %s (%s)', (raw) => {
    expect(real.responseUrl(raw)).toBeUndefined();
  });

  it('with a loopback fake as the API (tests), only that scheme, host and port', () => {
    const fake = inbound('http://127.0.0.1:4321');
    expect(fake.responseUrl(`http://127.0.0.1:4321/cgi-bin/aibot/response?${code}`)?.href).toBe(`http://127.0.0.1:4321/cgi-bin/aibot/response?${code}`);
    expect(fake.responseUrl(`https://qyapi.weixin.qq.com/cgi-bin/aibot/response?${code}`)).toBeUndefined();
    expect(fake.responseUrl(`http://127.0.0.1:6379/cgi-bin/aibot/response?${code}`)).toBeUndefined();
  });
});

describe('/bind input: a group robot webhook URL on the WeCom API host, or a bare key', () => {
  const API = 'https://qyapi.weixin.qq.com';
  const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

  it.each([
    [key, 'a bare key'],
    [` ${key} `, 'a bare key with spaces around'],
    [`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, 'the webhook URL as WeCom shows it'],
    [` https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}\n`, 'pasted with whitespace'],
    [`https://qyapi.weixin.qq.com:443/cgi-bin/webhook/send?key=${key}`, 'the default port spelled out'],
  ])('accepts %s (%s)', (input) => {
    expect(parseWebhookKey(input, API)).toBe(key);
  });

  it.each([
    [`https://evil.example.com/cgi-bin/webhook/send?key=${key}`, 'another host'],
    [`http://169.254.169.254/cgi-bin/webhook/send?key=${key}`, 'a metadata address'],
    [`http://127.0.0.1:6379/cgi-bin/webhook/send?key=${key}`, 'a local service'],
    [`https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, 'userinfo'],
    [`https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=${key}`, 'an odd port'],
    [`http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, 'plain http'],
    [`https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=${key}`, 'our host as a prefix'],
    [`https://qyapi.weixin.qq.com/x/cgi-bin/webhook/send?key=${key}`, 'another path ending the same way'],
    [`https://qyapi.weixin.qq.com/cgi-bin/webhook/upload_media?key=${key}`, 'another endpoint'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send', 'no key'],
    [`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}&key=${key}`, 'a repeated key'],
    [`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}&debug=1`, 'another parameter'],
    [`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}#x`, 'a fragment'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh12', 'a key of the wrong shape'],
    ['abcdefgh12', 'a bare word'],
    ['693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa-extra', 'a key with more groups'],
    ['693a91f67xxx4bc497a00ec2sifa5aaa', 'a key without dashes'],
    ['not a key!', 'prose'],
    ['', 'empty'],
  ])('refuses %s (%s)', (input) => {
    expect(parseWebhookKey(input, API)).toBeUndefined();
  });

  it('with a loopback fake as the API (tests), its own scheme, host and port only', () => {
    expect(parseWebhookKey(`http://127.0.0.1:4321/cgi-bin/webhook/send?key=${key}`, 'http://127.0.0.1:4321')).toBe(key);
    expect(parseWebhookKey(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, 'http://127.0.0.1:4321')).toBeUndefined();
    expect(parseWebhookKey(`http://127.0.0.1:6379/cgi-bin/webhook/send?key=${key}`, 'http://127.0.0.1:4321')).toBeUndefined();
  });
});
