/**
 * The port the outbox delivers through: one `Sender` per platform, built by
 * that platform's adapter (or the playground) and looked up by the job runtime.
 * It lives in the core so the runtime and the core never import a platform folder.
 */
import type { Platform } from './chat-event.js';
import type { CommunityInfo } from './context.js';
import type { Reply } from './reply.js';

export interface RateLimit {
  /** One bucket per target, e.g. `wecom-webhook:<key hash>`. */
  key: string;
  limit: number;
  windowMs: number;
}

/** A failed send. Transient errors are retried with backoff; permanent ones fail the delivery at once. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    /** The platform said when to try again (429 Retry-After, errcode 45009). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/**
 * The outbox delivery a send is for. A send that succeeded but whose "sent"
 * mark was lost (a crash between the two) is sent again; a platform that can
 * recognise a repeat by this id (the playground's feed) posts it once.
 */
export interface DeliveryRef {
  id: number;
}

export interface Sender {
  platform: Platform;
  /** Per-target limit the outbox enforces before calling send (never drops; the post waits). */
  rateLimit?(community: CommunityInfo): RateLimit | undefined | Promise<RateLimit | undefined>;
  /** Post `reply` to the community's configured channel. Throws SendError. */
  send(community: CommunityInfo, reply: Reply, delivery?: DeliveryRef): Promise<void>;
  /** A private message to one member, where the platform allows it. Throws SendError. */
  sendDirect?(community: CommunityInfo, platformUserId: string, reply: Reply, delivery?: DeliveryRef): Promise<void>;
  /** A member accepted the community rules (Discord grants the configured role). */
  rulesAccepted?(community: CommunityInfo, platformUserId: string): Promise<void>;
  /**
   * Moderation, where the platform lets the bot (Discord; not WeCom or the
   * playground). `reason` goes to the platform's audit log; it names the rule,
   * never the offending text. Each throws SendError with the platform's reason
   * (a missing permission, a member above the bot).
   */
  deleteMessage?(community: CommunityInfo, channelId: string, messageId: string, reason: string): Promise<void>;
  /** Mutes the member until `until` (Discord: communication_disabled_until, at most 28 days ahead). */
  timeout?(community: CommunityInfo, platformUserId: string, until: Date, reason: string): Promise<void>;
  kick?(community: CommunityInfo, platformUserId: string, reason: string): Promise<void>;
  /**
   * Roles (Discord; not WeCom or the playground): add or take away a role the
   * community's platform knows by `roleId`. Throws SendError with the
   * platform's reason (Manage Roles missing, the role above the bot's).
   */
  grantRole?(community: CommunityInfo, platformUserId: string, roleId: string, reason: string): Promise<void>;
  removeRole?(community: CommunityInfo, platformUserId: string, roleId: string, reason: string): Promise<void>;
  /** The platform's automatic moderation (Discord AutoMod), kept in sync by moderation. */
  automod?: AutomodSender;
  /**
   * The platform's own polls (Discord native polls), when it has them: what
   * such a poll can hold, posting one (in `channelId`, else the community's
   * post channel; `ref`, the poll's id in digits, makes a repeated post of it
   * return the first message where the platform can tell), and ending one early.
   * Each throws SendError with the platform's reason.
   */
  pollLimits?: NativePollLimits;
  postPoll?(community: CommunityInfo, channelId: string | undefined, poll: NativePoll, ref: string): Promise<PostedPoll>;
  endPoll?(community: CommunityInfo, channelId: string, messageId: string): Promise<void>;
}

/** What a platform's own poll can hold (Discord: 300, 10, 55, 768 h, any number of choices or one). */
export interface NativePollLimits {
  question: number;
  answers: number;
  answer: number;
  maxHours: number;
}

/** A poll in the platform's own form: members vote with the platform's controls. */
export interface NativePoll {
  /** A line shown with the poll (its number and rules). */
  text: string;
  question: string;
  answers: readonly string[];
  /** Any number of answers (true) or one. */
  multiselect: boolean;
  /** Whole hours the platform keeps it open (1 to `maxHours`). */
  hours: number;
}

export interface PostedPoll {
  channelId: string;
  messageId: string;
  /** The platform's id of each answer, in the order given (votes name the answer by it). */
  answerIds: number[];
}

/** How features find a community's sender (app.ts builds it once, over the registered senders). */
export type SenderOf = (communityId: number) => Promise<{ community: CommunityInfo; sender: Sender | undefined } | undefined>;

/** What moderation asks of a platform beyond warning. */
export type ModerationAction =
  | { kind: 'delete'; channelId: string; messageId: string }
  | { kind: 'timeout'; platformUserId: string; until: Date }
  | { kind: 'kick'; platformUserId: string };

export type ModerationKind = ModerationAction['kind'];

/**
 * The moderation port features see, made from the community's sender (one
 * way: the sender's optional methods above). `can` says whether the
 * community's platform lets the bot do it at all; `act` does it, and throws
 * SendError with the platform's reason when the platform refuses.
 */
export interface Moderator {
  can(communityId: number, kind: ModerationKind): Promise<boolean>;
  act(communityId: number, action: ModerationAction, reason: string): Promise<void>;
}

export function senderModerator(senderOf: SenderOf): Moderator {
  const method = (sender: Sender | undefined, kind: ModerationKind) => (kind === 'delete' ? sender?.deleteMessage : kind === 'timeout' ? sender?.timeout : sender?.kick);
  return {
    can: async (communityId, kind) => method((await senderOf(communityId))?.sender, kind) !== undefined,
    async act(communityId, action, reason) {
      const found = await senderOf(communityId);
      const sender = found?.sender;
      if (!found || !sender || method(sender, action.kind) === undefined) throw new SendError(`the platform cannot ${action.kind}`, false);
      if (action.kind === 'delete') await sender.deleteMessage?.(found.community, action.channelId, action.messageId, reason);
      else if (action.kind === 'timeout') await sender.timeout?.(found.community, action.platformUserId, action.until, reason);
      else await sender.kick?.(found.community, action.platformUserId, reason);
    },
  };
}

/**
 * The roles port features see (shop role items, level perks), made from the
 * community's sender like the Moderator: `can` says whether the platform
 * has roles at all; `grant`/`remove` throw SendError with the platform's
 * reason when it refuses, or when it has no roles.
 */
export interface Roles {
  can(communityId: number): Promise<boolean>;
  grant(communityId: number, platformUserId: string, roleId: string, reason: string): Promise<void>;
  remove(communityId: number, platformUserId: string, roleId: string, reason: string): Promise<void>;
}

export function senderRoles(senderOf: SenderOf): Roles {
  const act = async (kind: 'grantRole' | 'removeRole', communityId: number, userId: string, roleId: string, reason: string) => {
    const found = await senderOf(communityId);
    const method = found?.sender?.[kind];
    if (!found || !method) throw new SendError('the platform has no roles', false);
    await method.call(found.sender, found.community, userId, roleId, reason);
  };
  return {
    can: async (communityId) => {
      const sender = (await senderOf(communityId))?.sender;
      return sender?.grantRole !== undefined && sender.removeRole !== undefined;
    },
    grant: (...a) => act('grantRole', ...a),
    remove: (...a) => act('removeRole', ...a),
  };
}

/**
 * The native-polls port the poll feature sees, made from the community's
 * sender like the Moderator: `limits` is undefined where the platform has no
 * polls of its own; `post` and `end` throw SendError with the platform's reason.
 */
export interface NativePolls {
  limits(communityId: number): Promise<NativePollLimits | undefined>;
  post(communityId: number, channelId: string | undefined, poll: NativePoll, ref: string): Promise<PostedPoll>;
  end(communityId: number, channelId: string, messageId: string): Promise<void>;
}

export function senderPolls(senderOf: SenderOf): NativePolls {
  const none = () => new SendError('the platform has no polls of its own', false);
  return {
    async limits(communityId) {
      const sender = (await senderOf(communityId))?.sender;
      return sender?.postPoll && sender.endPoll ? sender.pollLimits : undefined;
    },
    async post(communityId, channelId, poll, ref) {
      const found = await senderOf(communityId);
      const post = found?.sender?.postPoll;
      if (!found || !post) throw none();
      return post.call(found.sender, found.community, channelId, poll, ref);
    },
    async end(communityId, channelId, messageId) {
      const found = await senderOf(communityId);
      const end = found?.sender?.endPoll;
      if (!found || !end) throw none();
      await end.call(found.sender, found.community, channelId, messageId);
    },
  };
}

/**
 * A platform's own automatic moderation (Discord AutoMod), in platform-neutral
 * terms: the rules the bot keeps in sync with a community's word list and
 * spam settings. Moderation decides what the rules are (features/moderation/
 * automod.ts); the platform only lists, creates, changes and deletes them.
 */
export type AutomodTrigger = 'keyword' | 'mentionSpam' | 'other';

export interface AutomodRuleSpec {
  /** Rules the bot owns are recognised by name (`qunbot: word list 1`). */
  name: string;
  trigger: Exclude<AutomodTrigger, 'other'>;
  /** keyword: the keywords (Discord: `*词*` matches inside words) and the allow-list. */
  keywords: readonly string[];
  allow: readonly string[];
  /** mentionSpam: more than this many mentions in one message is blocked. */
  mentionLimit: number;
  /** What the member is shown when a message is blocked. */
  blockMessage: string;
}

/** A rule the platform has, the bot's or anyone's (`trigger: 'other'` for kinds the bot does not manage). */
export interface AutomodRuleState extends AutomodRuleSpec {
  id: string;
  enabled: boolean;
}

/** The platform's limits on automatic moderation rules (Discord's, as of API v10). */
export interface AutomodLimits {
  keywordRules: number;
  keywordsPerRule: number;
  keywordLength: number;
  allowPerRule: number;
  mentionLimitMax: number;
  blockMessageLength: number;
}

export const DISCORD_AUTOMOD_LIMITS: AutomodLimits = { keywordRules: 6, keywordsPerRule: 1000, keywordLength: 60, allowPerRule: 100, mentionLimitMax: 50, blockMessageLength: 150 };

/** What the platform's automatic moderation did to a member's message (Discord: AUTO_MODERATION_ACTION_EXECUTION). */
export interface AutomodExecution {
  platform: Platform;
  /** The guild. */
  externalId: string;
  ruleId: string;
  trigger: AutomodTrigger;
  platformUserId: string;
  displayName?: string;
  /** The member is an admin (moderation never strikes admins). */
  isAdmin: boolean;
  channelId: string | null;
  /** Absent when the message was blocked (it never existed). */
  messageId: string | null;
  matchedKeyword: string | null;
  /** The text (needs the Message Content intent), only to tell a duplicate event apart: never stored. */
  content: string;
}

/**
 * The sender's optional automatic-moderation methods (Discord). Each throws
 * SendError with the platform's reason (Manage Server missing, a limit hit).
 */
export interface AutomodSender {
  automodLimits: AutomodLimits;
  /** Whether the community has automatic moderation at all (Discord: a server, not a member's DMs with the bot). */
  automodAppliesTo(community: CommunityInfo): boolean;
  automodRules(community: CommunityInfo): Promise<AutomodRuleState[]>;
  createAutomodRule(community: CommunityInfo, rule: AutomodRuleSpec): Promise<AutomodRuleState>;
  updateAutomodRule(community: CommunityInfo, id: string, rule: AutomodRuleSpec): Promise<void>;
  deleteAutomodRule(community: CommunityInfo, id: string): Promise<void>;
}

/** The automod port features see: undefined where the community's platform has none. */
export type AutomodOf = (communityId: number) => Promise<{ community: CommunityInfo; automod: AutomodSender } | undefined>;

export function senderAutomod(senderOf: SenderOf): AutomodOf {
  return async (communityId) => {
    const found = await senderOf(communityId);
    const automod = found?.sender?.automod;
    return found && automod?.automodAppliesTo(found.community) ? { community: found.community, automod } : undefined;
  };
}
