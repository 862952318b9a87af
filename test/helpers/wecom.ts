/**
 * The WeCom intelligent bot as tests talk to it: the bot's callback secrets,
 * a group text message payload, and a signed, encrypted callback POST (built
 * with test/fakes/wecom/client.ts, independent of src/platforms/wecom).
 */
import { buildBotCallback, openBotReply } from '../fakes/wecom/client.js';

export const BOT = { token: 'botToken42', key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
export const GROUP = 'wrGroupChat01';

/** The environment that turns on the bot's encrypted callbacks (`/wecom/bot`). */
export const botEnv = (): Record<string, string> => ({ WECOM_BOT_TOKEN: BOT.token, WECOM_BOT_AES_KEY: BOT.key });

/** The app (XML) callback's secrets used by the tests that drive both callbacks. */
export const APP = { token: 'appToken42', key: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut', corpId: 'ww-fake-corp' };

/** Every WeCom secret: both callbacks, the app API on the fake at `apiBaseUrl`, and `boss` as the admin. */
export const wecomEnv = (apiBaseUrl: string): Record<string, string> => ({
  ...botEnv(),
  WECOM_CORP_ID: APP.corpId,
  WECOM_TOKEN: APP.token,
  WECOM_AES_KEY: APP.key,
  WECOM_SECRET: 'fake-secret',
  WECOM_AGENT_ID: '1000002',
  WECOM_API_URL: apiBaseUrl,
  WECOM_ADMINS: 'boss',
});

let msgCounter = 0;
export const newMsgId = (): string => `msg-${process.pid}-${Date.now()}-${++msgCounter}`;

export function groupText(userId: string, content: string, msgid = newMsgId(), responseUrl?: string, chatId = GROUP): Record<string, unknown> {
  return {
    msgid,
    aibotid: 'AIBOT',
    chatid: chatId,
    chattype: 'group',
    from: { userid: userId },
    ...(responseUrl ? { response_url: responseUrl } : {}),
    msgtype: 'text',
    text: { content: `@qunbot ${content}` },
  };
}

export async function postBot(url: string, payload: unknown, opts: { timestamp?: string; receiveId?: string; nonce?: string } = {}): Promise<Response> {
  const req = buildBotCallback({ token: BOT.token, key: BOT.key, payload, ...opts });
  return fetch(`${url}/wecom/bot?${req.search}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.body) });
}

/** The stream content of an encrypted bot reply ('' for an empty 200). */
export function botReplyText(text: string): string {
  if (text === '') return '';
  const reply = openBotReply({ token: BOT.token, key: BOT.key, reply: text }) as { msgtype: string; stream?: { content: string } };
  return reply.stream?.content ?? '';
}
