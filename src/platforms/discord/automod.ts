/**
 * Discord AutoMod for moderation's sync (features/moderation/automod.ts
 * decides the rules; this file only translates): the neutral rules of
 * core/sender.ts to and from `/guilds/{guild}/auto-moderation/rules`, and an
 * AUTO_MODERATION_ACTION_EXECUTION to the neutral execution event.
 *
 * The bot's rules block the message (with the community's text) on
 * MESSAGE_SEND; the configured admin roles are exempt (up to 20), as the
 * bot's own filter never checks admins (members with Manage Server are
 * exempt from AutoMod anyway).
 */
import {
  AutoModerationActionType,
  AutoModerationRuleEventType,
  AutoModerationRuleTriggerType,
  Routes,
  type AutoModerationActionExecution,
  type REST,
} from 'discord.js';
import { DISCORD_AUTOMOD_LIMITS, type AutomodExecution, type AutomodRuleSpec, type AutomodRuleState, type AutomodSender, type AutomodTrigger } from '../../core/sender.js';
import { isAdmin, type AdminRule } from './events.js';

interface ApiRule {
  id: string;
  name: string;
  trigger_type: number;
  enabled: boolean;
  trigger_metadata?: { keyword_filter?: string[]; allow_list?: string[]; mention_total_limit?: number };
  actions?: Array<{ type: number; metadata?: { custom_message?: string } }>;
}

const triggerOf = (type: number): AutomodTrigger => (type === AutoModerationRuleTriggerType.Keyword ? 'keyword' : type === AutoModerationRuleTriggerType.MentionSpam ? 'mentionSpam' : 'other');

function fromApi(rule: ApiRule): AutomodRuleState {
  const meta = rule.trigger_metadata ?? {};
  return {
    id: rule.id,
    name: rule.name,
    trigger: triggerOf(rule.trigger_type) as AutomodRuleState['trigger'],
    enabled: rule.enabled,
    keywords: meta.keyword_filter ?? [],
    allow: meta.allow_list ?? [],
    mentionLimit: meta.mention_total_limit ?? 0,
    blockMessage: rule.actions?.find((a) => a.type === AutoModerationActionType.BlockMessage)?.metadata?.custom_message ?? '',
  };
}

function toApi(rule: AutomodRuleSpec, exemptRoles: readonly string[]): Record<string, unknown> {
  return {
    name: rule.name,
    enabled: true,
    trigger_metadata: rule.trigger === 'keyword' ? { keyword_filter: rule.keywords, allow_list: rule.allow } : { mention_total_limit: rule.mentionLimit, mention_raid_protection_enabled: false },
    actions: [{ type: AutoModerationActionType.BlockMessage, metadata: { custom_message: rule.blockMessage } }],
    exempt_roles: exemptRoles.slice(0, 20),
  };
}

/** The AutoMod methods of the Discord sender, over REST. Errors are left to the caller (`rest` wraps them as SendError). */
export function discordAutomod(rest: REST, settings: AdminRule, call: (what: string, fn: () => Promise<unknown>) => Promise<unknown>): AutomodSender {
  const reason = 'qunbot: keep AutoMod in sync with the word list';
  return {
    automodLimits: DISCORD_AUTOMOD_LIMITS,
    // A DM community (`dm-<user>`) is no server.
    automodAppliesTo: (community) => /^\d{15,22}$/.test(community.externalId),
    automodRules: async (community) => ((await call('list AutoMod rules', () => rest.get(Routes.guildAutoModerationRules(community.externalId)))) as ApiRule[]).map(fromApi),
    createAutomodRule: async (community, rule) => {
      const body = {
        ...toApi(rule, settings.adminRoles),
        event_type: AutoModerationRuleEventType.MessageSend,
        trigger_type: rule.trigger === 'keyword' ? AutoModerationRuleTriggerType.Keyword : AutoModerationRuleTriggerType.MentionSpam,
      };
      return fromApi((await call('create an AutoMod rule', () => rest.post(Routes.guildAutoModerationRules(community.externalId), { body, reason }))) as ApiRule);
    },
    updateAutomodRule: async (community, id, rule) => {
      await call('update an AutoMod rule', () => rest.patch(Routes.guildAutoModerationRule(community.externalId, id), { body: toApi(rule, settings.adminRoles), reason }));
    },
    deleteAutomodRule: async (community, id) => {
      await call('delete an AutoMod rule', () => rest.delete(Routes.guildAutoModerationRule(community.externalId, id), { reason }));
    },
  };
}

/** discord.js's execution event → the neutral one (the content is passed on only to tell a replay apart; moderation never stores it). */
export function executionOf(e: AutoModerationActionExecution, settings: AdminRule): AutomodExecution {
  const member = e.guild.members.cache.get(e.userId);
  const user = member?.user ?? e.guild.client.users.cache.get(e.userId);
  return {
    platform: 'discord',
    externalId: e.guild.id,
    ruleId: e.ruleId,
    trigger: triggerOf(e.ruleTriggerType),
    platformUserId: e.userId,
    displayName: member?.displayName ?? user?.globalName ?? user?.username ?? '',
    isAdmin: member ? isAdmin(member.permissions, member, settings) : false,
    channelId: e.channelId,
    messageId: e.messageId,
    matchedKeyword: e.matchedKeyword,
    content: e.content,
  };
}
