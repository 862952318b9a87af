/**
 * What a platform lets the bot see and do. Features ask these questions of a
 * community (through the composition root), never which platform it is on.
 */
import type { Platform } from './chat-event.js';

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
