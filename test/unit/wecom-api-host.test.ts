import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
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
