/**
 * The one inbound event type. Adapters translate platform events into a
 * ChatEvent; everything after the adapter sees only this.
 */
export type Platform = 'discord' | 'wecom' | 'playground';

export interface CommunityRef {
  platform: Platform;
  /** Discord guild id, WeCom chat id, playground community id. */
  externalId: string;
  name?: string;
}

export interface Actor {
  platformUserId: string;
  displayName: string;
  /** Decided by the adapter: Manage Server / configured role on Discord, configured user ids on WeCom and in the playground. */
  isAdmin: boolean;
  /** When the member joined the community (ms), where the platform says (Discord); otherwise the bot's first sight counts. */
  joinedAt?: number;
}

interface EventBase {
  /**
   * The platform's id of the delivery (interaction id, message id, WeCom msgid, ...), unique per
   * community at least. The router dedupes on (platform, community, id) and hands features
   * `<community row id>:<id>`, unique per platform, to build idempotency keys from.
   */
  deliveryId: string;
  community: CommunityRef;
  actor: Actor;
  /** Where the event happened, when the platform has channels (a reply or post goes back there). */
  channelId?: string;
}

/** A chat message; a command is parsed from it when it carries one. */
export interface MessageEvent extends EventBase {
  type: 'message';
  text: string;
  /** The bot was addressed: @-mentioned, a DM, or the playground. Bare Chinese aliases count only then. */
  addressed: boolean;
  /** The platform's id of the message, where the bot can act on it (Discord: delete it in `channelId`). */
  messageId?: string;
}

/** A structured command (Discord slash command): options already split by name. */
export interface CommandEvent extends EventBase {
  type: 'command';
  /** Command path, e.g. ['lottery', 'join']. */
  path: string[];
  options: Record<string, string | number | boolean>;
}

/** A pressed action (button). Its payload is the text command it stands for. */
export interface ActionEvent extends EventBase {
  type: 'action';
  command: string;
}

export interface MemberEvent extends EventBase {
  type: 'memberJoined' | 'memberLeft';
}

/**
 * A vote with the platform's own poll controls (a Discord native poll): one
 * answer chosen or taken back. The poll feature finds its poll by `messageId`.
 */
export interface PollVoteEvent extends EventBase {
  type: 'pollVote';
  /** The platform's id of the poll's message. */
  messageId: string;
  /** The platform's id of the answer (the poll feature kept them when the poll was posted). */
  answerId: number;
  /** Chosen (true) or taken back (false). */
  added: boolean;
}

export type ChatEvent = MessageEvent | CommandEvent | ActionEvent | MemberEvent | PollVoteEvent;
