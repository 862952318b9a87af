/**
 * The WeCom adapter: the intelligent-bot and app callbacks (routes.ts), the
 * optional long connection (long-connection.ts), and the sender the outbox
 * uses for bot-initiated posts: the group's robot webhook (bindings.ts), else
 * the long connection's proactive send, else the app API for 1:1 communities.
 */
import type { Secrets } from '../../config/schema.js';
import type { CommunityInfo } from '../../core/context.js';
import type { Reply } from '../../core/reply.js';
import { SendError, type RateLimit, type Sender } from '../../core/sender.js';
import type { Adapter, AdapterDeps } from '../adapter.js';
import { webhookKeyHash } from './bindings.js';
import { WecomCipher } from './crypto.js';
import { WecomLongConnection } from './long-connection.js';
import { WecomInbound, registerWecomRoutes } from './routes.js';
import { WebhookRemovedError, WecomAppApi, renderReplies, sendWebhook } from './senders.js';

/** The documented group-robot limit: 20 posts per minute per webhook. */
const WEBHOOK_RATE_LIMIT = { limit: 20, windowMs: 60_000 } as const;

export function wecomEnabled(secrets: Secrets): boolean {
  return (
    (secrets.wecomBotToken !== undefined && secrets.wecomBotAesKey !== undefined) ||
    (secrets.wecomCorpId !== undefined && secrets.wecomToken !== undefined && secrets.wecomAesKey !== undefined) ||
    (secrets.wecomBotId !== undefined && secrets.wecomBotSecret !== undefined)
  );
}

export function wecomAdapter(deps: AdapterDeps): Adapter {
  const { config, secrets, clock, wecomBindings: bindings } = deps;
  const logger = deps.logger.child({ component: 'wecom' });
  const inbound = new WecomInbound({
    handle: (event) => deps.router.handle(event),
    handleAll: (events) => deps.router.handleAll(events),
    admins: secrets.wecomAdmins,
    botNames: config.wecom.botNames,
    ...(config.wecom.defaultCommunity ? { defaultCommunity: config.wecom.defaultCommunity } : {}),
    passiveReplyMs: config.wecom.passiveReplyMs,
    maxMemberChanges: config.wecom.maxMemberChanges,
    apiUrl: secrets.wecomApiUrl,
    logger,
    now: () => clock.now(),
  });
  const bot =
    secrets.wecomBotToken && secrets.wecomBotAesKey ? new WecomCipher({ token: secrets.wecomBotToken, encodingAesKey: secrets.wecomBotAesKey, receiveId: '' }) : undefined;
  const appCipher =
    secrets.wecomCorpId && secrets.wecomToken && secrets.wecomAesKey
      ? new WecomCipher({ token: secrets.wecomToken, encodingAesKey: secrets.wecomAesKey, receiveId: secrets.wecomCorpId })
      : undefined;
  const appApi =
    secrets.wecomCorpId && secrets.wecomSecret && secrets.wecomAgentId && /^\d+$/.test(secrets.wecomAgentId)
      ? new WecomAppApi({ apiUrl: secrets.wecomApiUrl, corpId: secrets.wecomCorpId, secret: secrets.wecomSecret, agentId: Number(secrets.wecomAgentId), logger })
      : undefined;
  const ws =
    secrets.wecomBotId && secrets.wecomBotSecret
      ? new WecomLongConnection({ botId: secrets.wecomBotId, secret: secrets.wecomBotSecret, ...(secrets.wecomBotWsUrl ? { wsUrl: secrets.wecomBotWsUrl } : {}), inbound, logger })
      : undefined;

  const usableBinding = async (community: CommunityInfo) => {
    const binding = await bindings.get(community.externalId);
    return binding?.status === 'ok' ? binding : undefined;
  };

  const sender: Sender = {
    platform: 'wecom',
    async rateLimit(community): Promise<RateLimit | undefined> {
      const binding = await usableBinding(community);
      return binding ? { key: `wecom-webhook-${webhookKeyHash(binding.key)}`, ...WEBHOOK_RATE_LIMIT } : undefined;
    },
    async send(community: CommunityInfo, reply: Reply): Promise<void> {
      // An admin group (the weekly report) posts through that group's bound webhook.
      if (reply.channel !== undefined) {
        const admin = await bindings.get(reply.channel);
        if (admin?.status !== 'ok') throw new SendError(`no webhook bound for wecom group ${reply.channel} (an admin can /bind it there)`, false);
        return sendWebhook(secrets.wecomApiUrl, admin.key, reply);
      }
      const binding = await usableBinding(community);
      if (binding) {
        try {
          await sendWebhook(secrets.wecomApiUrl, binding.key, reply);
          return;
        } catch (err) {
          if (err instanceof WebhookRemovedError) {
            await deps.unit(() => bindings.markBroken(community.externalId, binding.key, err.message, clock.now()));
            logger.error({ chatId: community.externalId, keyHash: webhookKeyHash(binding.key) }, 'wecom webhook refused with 93000: binding marked broken, an admin must /bind again');
          }
          throw err;
        }
      }
      const userId = community.externalId.startsWith('user:') ? community.externalId.slice(5) : undefined;
      if (ws) return ws.send(userId ?? community.externalId, renderReplies([reply]));
      if (userId && appApi) return appApi.sendReply([userId], reply);
      throw new SendError(`no webhook bound for wecom group ${community.externalId} (an admin can /bind it)`, false);
    },
    // 1:1 messages: through the long connection, else the app message API; without either, none.
    // A reply with an image goes by the app API where there is one (the long connection sends markdown only).
    ...(ws || appApi
      ? {
          async sendDirect(_community: CommunityInfo, userId: string, reply: Reply): Promise<void> {
            if (ws && !(reply.image && appApi)) return ws.send(userId, renderReplies([reply]));
            return (appApi as WecomAppApi).sendReply([userId], reply);
          },
        }
      : {}),
  };

  return {
    name: 'wecom',
    registerRoutes(http) {
      if (bot || appCipher) registerWecomRoutes(http, { inbound, ...(bot ? { bot } : {}), ...(appCipher ? { app: appCipher } : {}), bodyLimit: config.http.bodyLimitBytes });
    },
    async start() {
      await ws?.start();
    },
    async stop() {
      await ws?.stop();
      await inbound.stop();
    },
    health() {
      if (ws && !bot && !appCipher) return ws.connected ? 'up' : 'down';
      return 'up';
    },
    sender,
  };
}

export { WecomAppApi } from './senders.js';
