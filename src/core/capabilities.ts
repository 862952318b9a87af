/**
 * What a platform lets the bot see and do. Features ask these questions of a
 * community (through the composition root), never which platform it is on.
 */
import type { ChatEvent, Platform } from './chat-event.js';

export interface PlatformCapabilities {
  /**
   * Every chat message reaches the bot (Discord's message events, the
   * playground). False where only @-mentions of the bot, commands and
   * membership events arrive (WeCom group chats): there "active" can only
   * mean "interacted with the bot", and a member who chats without
   * addressing the bot looks silent.
   */
  seesAllMessages: boolean;
}

const CAPABILITIES: Record<Platform, PlatformCapabilities> = {
  discord: { seesAllMessages: true },
  wecom: { seesAllMessages: false },
  playground: { seesAllMessages: true },
};

export function platformCapabilities(platform: Platform): PlatformCapabilities {
  return CAPABILITIES[platform];
}

/**
 * Whether a reply marked ephemeral reaches only the member who sent the
 * event, so it may carry something private (a redemption code, a moderation
 * warning): the playground (its replies go back to the sender alone) and
 * Discord interactions (slash commands and buttons, with the ephemeral flag).
 * A Discord text command is answered with a channel message, and a WeCom
 * reply in a group chat is a group message (WeCom has no ephemeral replies):
 * there a private answer goes by direct message instead.
 */
export function privateReplies(platform: Platform, eventType: ChatEvent['type']): boolean {
  if (platform === 'playground') return true;
  return platform === 'discord' && (eventType === 'command' || eventType === 'action');
}
