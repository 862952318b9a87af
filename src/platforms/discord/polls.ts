/**
 * Discord native polls: what one can hold, the Create Message body of one,
 * and the vote dispatches (MESSAGE_POLL_VOTE_ADD / _REMOVE, GuildMessagePolls
 * intent) read from the raw gateway packet. Pure functions; no I/O.
 */
import { GatewayDispatchEvents, PollLayoutType } from 'discord.js';
import type { NativePoll, NativePollLimits } from '../../core/sender.js';
import { LIMITS, truncate } from './render.js';

/** Discord's limits: a question of 300 characters, 10 answers of 55, open for 1 to 768 hours (32 days). */
export const DISCORD_POLL_LIMITS: NativePollLimits = { question: 300, answers: 10, answer: 55, maxHours: 768 };

/** Create Message with a poll (and a line of text: the poll's number and rules). Mentions in it notify nobody. */
export function pollBody(poll: NativePoll): Record<string, unknown> {
  return {
    content: truncate(poll.text, LIMITS.content),
    poll: {
      question: { text: poll.question },
      answers: poll.answers.map((text) => ({ poll_media: { text } })),
      duration: poll.hours,
      allow_multiselect: poll.multiselect,
      layout_type: PollLayoutType.Default,
    },
    allowed_mentions: { parse: [] },
  };
}

export interface PollVote {
  /** `pollvote:<message>:<user>:<answer>:add|remove:<session>:<sequence>` (see the adapter's onPollVote). */
  deliveryId: string;
  guildId: string;
  channelId: string;
  messageId: string;
  userId: string;
  answerId: number;
  added: boolean;
}

/** A vote dispatch in a guild, or undefined (another dispatch, a DM poll, or fields missing). */
export function pollVoteOf(packet: { t?: unknown; s?: unknown; d?: unknown }, session: string): PollVote | undefined {
  const added = packet.t === GatewayDispatchEvents.MessagePollVoteAdd;
  if (!added && packet.t !== GatewayDispatchEvents.MessagePollVoteRemove) return undefined;
  const d = packet.d as Record<string, unknown> | null | undefined;
  if (!d) return undefined;
  const { user_id: userId, channel_id: channelId, message_id: messageId, guild_id: guildId, answer_id: answerId } = d;
  if (typeof userId !== 'string' || typeof channelId !== 'string' || typeof messageId !== 'string' || typeof guildId !== 'string') return undefined;
  if (typeof answerId !== 'number' || !Number.isSafeInteger(answerId)) return undefined;
  const seq = typeof packet.s === 'number' ? String(packet.s) : 'none';
  return { deliveryId: `pollvote:${messageId}:${userId}:${answerId}:${added ? 'add' : 'remove'}:${session}:${seq}`, guildId, channelId, messageId, userId, answerId, added };
}
