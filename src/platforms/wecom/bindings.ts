/**
 * Which group-robot webhook posts into a WeCom group: bound by an admin with
 * `/bind <webhook URL or key>` in the group (stored in SQLite), or listed in
 * config `wecom.webhooks`. A URL must be on the WeCom API host; only its key is
 * kept, and posts always go to WECOM_API_URL. A key WeCom refuses with 93000 is marked broken.
 * Keys are secrets: they are shown masked and logged only as a short hash.
 */
import { createHash } from 'node:crypto';
import type { Sql } from '../../store/sql.js';
import type { Feature } from '../../core/feature.js';
import type { Catalog } from '../../core/i18n.js';
import type { Reply } from '../../core/reply.js';
import { onWecomApi } from './api-host.js';

export interface WebhookBinding {
  chatId: string;
  key: string;
  source: 'command' | 'config';
  status: 'ok' | 'broken';
  lastError?: string;
}

interface Row {
  chat_id: string;
  webhook_key: string;
  status: string;
  last_error: string | null;
}

/** A group robot's key is UUID-shaped (the documented example, 693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa, is not hex). */
const KEY_RE = /^[A-Za-z0-9]{8}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{12}$/;
const WEBHOOK_PATH = '/cgi-bin/webhook/send';

/**
 * The key from a bare key, or from a webhook URL on the configured WeCom API
 * host (`apiUrl`; see api-host.ts) at `/cgi-bin/webhook/send?key=K` with no
 * other parameter or fragment; undefined for anything else.
 */
export function parseWebhookKey(input: string, apiUrl: string): string | undefined {
  const text = input.trim();
  if (KEY_RE.test(text)) return text;
  const url = onWecomApi(text, apiUrl);
  if (!url || url.pathname !== WEBHOOK_PATH || url.hash !== '') return undefined;
  const params = [...url.searchParams];
  const [only] = params;
  return params.length === 1 && only?.[0] === 'key' && KEY_RE.test(only[1]) ? only[1] : undefined;
}

/** A short, stable, non-reversible name for a key: for rate-limit buckets and logs. */
export function webhookKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}

/** `abcd…wxyz`: enough for an admin to recognise the key, not enough to use it. */
export function maskWebhookKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 4)}…${key.slice(-4)}`;
}

export interface WecomBindings {
  get(chatId: string): Promise<WebhookBinding | undefined>;
  /** Must run inside the caller's unit of work (a command handler). */
  bind(chatId: string, key: string, boundBy: string, now: Date): Promise<void>;
  /** Must run inside a unit of work. */
  markBroken(chatId: string, key: string, error: string, now: Date): Promise<void>;
}

/** `apiUrl` is WECOM_API_URL: webhook URLs (configured or bound) must be on its host. */
export function createWecomBindings(sql: Sql, apiUrl: string, configured: Readonly<Record<string, string>> = {}): WecomBindings {
  const select = sql.prepare<[string], Row>('SELECT chat_id, webhook_key, status, last_error FROM wecom_webhooks WHERE chat_id = ?');
  const upsert = sql.prepare<[string, string, string, number]>(
    `INSERT INTO wecom_webhooks (chat_id, webhook_key, status, bound_by, updated_at, last_error) VALUES (?, ?, 'ok', ?, ?, NULL)
     ON CONFLICT (chat_id) DO UPDATE SET webhook_key = excluded.webhook_key, status = 'ok', bound_by = excluded.bound_by, updated_at = excluded.updated_at, last_error = NULL`,
  );
  const broken = sql.prepare<[string, number, string, string]>("UPDATE wecom_webhooks SET status = 'broken', last_error = ?, updated_at = ? WHERE chat_id = ? AND webhook_key = ?");
  const brokenConfig = sql.prepare<[string, string, number, string]>(
    `INSERT INTO wecom_webhooks (chat_id, webhook_key, status, bound_by, updated_at, last_error) VALUES (?, ?, 'broken', 'config', ?, ?)
     ON CONFLICT (chat_id) DO NOTHING`,
  );
  const fromConfig = new Map<string, string>();
  for (const [chatId, value] of Object.entries(configured)) {
    const key = parseWebhookKey(value, apiUrl);
    if (key === undefined) throw new Error(`config wecom.webhooks.${chatId}: expected a group robot webhook URL on the WeCom API host (${new URL(apiUrl).host}) or its key`);
    fromConfig.set(chatId, key);
  }
  return {
    async get(chatId) {
      const row = await select.get(chatId);
      const configuredKey = fromConfig.get(chatId);
      if (row && (row.status === 'ok' || row.webhook_key === configuredKey || configuredKey === undefined)) {
        return {
          chatId,
          key: row.webhook_key,
          source: configuredKey === row.webhook_key && row.status === 'broken' ? 'config' : 'command',
          status: row.status === 'broken' ? 'broken' : 'ok',
          ...(row.last_error ? { lastError: row.last_error } : {}),
        };
      }
      return configuredKey === undefined ? undefined : { chatId, key: configuredKey, source: 'config', status: 'ok' };
    },
    async bind(chatId, key, boundBy, now) {
      await upsert.run(chatId, key, boundBy, now.getTime());
    },
    async markBroken(chatId, key, error, now) {
      const changed = await broken.run(error, now.getTime(), chatId, key);
      if (changed === 0 && fromConfig.get(chatId) === key) await brokenConfig.run(chatId, key, now.getTime(), error);
    },
  };
}

const wecomBindingMessages = {
  'wecom.bind.describe': { 'zh-CN': '绑定本群的群机器人 Webhook（管理员）', en: "Bind this group's robot webhook (admin)" },
  'wecom.bind.arg.webhook': { 'zh-CN': 'Webhook 地址或 key', en: 'Webhook URL or key' },
  'wecom.bind.done': { 'zh-CN': '🔗 已绑定群机器人 Webhook（{key}）。公告和定时消息会从这里发出。', en: '🔗 Group robot webhook bound ({key}). Announcements and scheduled posts go out through it.' },
  'wecom.bind.current': { 'zh-CN': '🔗 当前绑定的 Webhook：{key}（{source}）{state}', en: '🔗 Current webhook: {key} ({source}){state}' },
  'wecom.bind.none': {
    'zh-CN': '本群还没有绑定群机器人 Webhook。在群设置里添加群机器人，复制 Webhook 地址，然后发送：/bind <Webhook 地址>',
    en: 'No group robot webhook is bound here yet. Add a group robot in the group settings, copy its webhook URL, then send: /bind <webhook URL>',
  },
  'wecom.bind.invalid': {
    'zh-CN': '这不是企业微信群机器人的 Webhook 地址或 key。请在群机器人详情里复制完整的 Webhook 地址（…/cgi-bin/webhook/send?key=…），或只发送其中的 key。',
    en: "That is not a WeCom group robot webhook URL or key. Copy the whole webhook URL (…/cgi-bin/webhook/send?key=…) from the group robot's details, or send just its key.",
  },
  'wecom.bind.groupOnly': {
    'zh-CN': '请在要绑定的群聊里发送 /bind：私聊中不能绑定群机器人 Webhook。',
    en: 'Send /bind in the group chat you want to bind: a group robot webhook cannot be bound in a 1:1 chat.',
  },
  'wecom.bind.notWecom': { 'zh-CN': '只能在企业微信群里绑定 Webhook。', en: 'Webhooks can be bound in WeCom groups only.' },
  'wecom.bind.sourceCommand': { 'zh-CN': '通过 /bind 绑定', en: 'bound with /bind' },
  'wecom.bind.sourceConfig': { 'zh-CN': '来自配置文件', en: 'from the config file' },
  'wecom.bind.broken': { 'zh-CN': '\n⚠️ 企业微信拒绝了这个 Webhook（机器人可能已被移出群），请重新 /bind。', en: '\n⚠️ WeCom refused this webhook (the robot may have been removed); please /bind again.' },
} satisfies Catalog;

declare module '../../core/i18n.js' {
  interface Catalogs {
    wecomBindings: typeof wecomBindingMessages;
  }
}

/** `/bind` (绑定): the admin command that ties a group to its robot webhook, sent in that group. */
export function wecomBindingFeature(bindings: WecomBindings, apiUrl: string): Feature {
  return {
    name: 'wecom-bindings',
    messages: wecomBindingMessages,
    commands: [
      {
        name: 'bind',
        aliases: ['绑定'],
        description: 'wecom.bind.describe',
        platforms: ['wecom'],
        role: 'admin',
        args: [{ name: 'webhook', type: 'text', required: false, description: 'wecom.bind.arg.webhook' }],
        async handler(ctx, args): Promise<Reply> {
          if (ctx.community.platform !== 'wecom') return { text: ctx.t('wecom.bind.notWecom'), ephemeral: true };
          const chatId = ctx.community.externalId;
          // A group message carries its chat id; a 1:1 chat has none (and may act in wecom.defaultCommunity).
          if (ctx.event.channelId !== chatId) return { text: ctx.t('wecom.bind.groupOnly'), ephemeral: true };
          const input = args.optionalString('webhook');
          if (input === undefined || input.trim() === '') {
            const current = await bindings.get(chatId);
            if (!current) return { text: ctx.t('wecom.bind.none'), ephemeral: true };
            return {
              text: ctx.t('wecom.bind.current', {
                key: maskWebhookKey(current.key),
                source: ctx.t(current.source === 'config' ? 'wecom.bind.sourceConfig' : 'wecom.bind.sourceCommand'),
                state: current.status === 'broken' ? ctx.t('wecom.bind.broken') : '',
              }),
              ephemeral: true,
            };
          }
          const key = parseWebhookKey(input, apiUrl);
          if (key === undefined) return { text: ctx.t('wecom.bind.invalid'), ephemeral: true };
          await bindings.bind(chatId, key, ctx.member.platformUserId, ctx.now);
          return { text: ctx.t('wecom.bind.done', { key: maskWebhookKey(key) }), ephemeral: true };
        },
      },
    ],
  };
}
