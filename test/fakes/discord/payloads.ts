/**
 * Discord API object builders for the fake Discord server (shapes per platforms.md §1.2–§1.4).
 */
import { snowflakeTimestamp } from './snowflake.js';
import type { FakeChannelInput, FakeRoleInput, FakeUserInput, Json } from './types.js';

/** Permission bits used by the fake (Discord values). */
export const Permission = {
  CreateInstantInvite: 1n << 0n,
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ChangeNickname: 1n << 26n,
  ManageRoles: 1n << 28n,
  UseApplicationCommands: 1n << 31n,
  ModerateMembers: 1n << 40n,
} as const;

/** What @everyone can do in a freshly created server, roughly. */
export const DEFAULT_EVERYONE_PERMISSIONS =
  Permission.CreateInstantInvite |
  Permission.AddReactions |
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.UseExternalEmojis |
  Permission.ChangeNickname |
  Permission.UseApplicationCommands;

/** Every permission bit defined as of API v10 (bits 0–50), for administrators. */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

/** Gateway intents (Discord values). */
export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  MessageContent: 1 << 15,
} as const;

export const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;

export function permissionString(value: string | bigint | undefined, fallback: bigint): string {
  if (value === undefined) return fallback.toString();
  return typeof value === 'bigint' ? value.toString() : value;
}

export function isoFromSnowflake(id: string): string {
  return new Date(snowflakeTimestamp(id)).toISOString();
}

export function apiUser(user: FakeUserInput): Json {
  return {
    id: user.id,
    username: user.username ?? `user${user.id.slice(-4)}`,
    discriminator: '0',
    global_name: user.globalName === undefined ? null : user.globalName,
    avatar: user.avatar ?? null,
    bot: user.bot ?? false,
    system: false,
    flags: 0,
    public_flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
}

export function apiChannel(channel: FakeChannelInput, guildId: string, index: number): Json {
  const type = channel.type ?? 0;
  const base: Json = {
    id: channel.id,
    type,
    name: channel.name,
    guild_id: guildId,
    position: channel.position ?? index,
    permission_overwrites: [],
    parent_id: channel.parentId ?? null,
    flags: 0,
  };
  if (type === 0 || type === 5) {
    Object.assign(base, {
      topic: channel.topic ?? null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
    });
  }
  if (type === 2) Object.assign(base, { bitrate: 64000, user_limit: 0, rtc_region: null, nsfw: false, last_message_id: null, rate_limit_per_user: 0 });
  return base;
}

export function apiDmChannel(channelId: string, recipient: Json): Json {
  return { id: channelId, type: 1, last_message_id: null, flags: 0, recipients: [recipient] };
}

export function apiRole(role: FakeRoleInput, fallbackPermissions: bigint): Json {
  return {
    id: role.id,
    name: role.name,
    color: role.color ?? 0,
    colors: { primary_color: role.color ?? 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position ?? 1,
    permissions: permissionString(role.permissions, fallbackPermissions),
    managed: role.managed ?? false,
    mentionable: false,
    flags: 0,
  };
}

export interface MemberState {
  user: Json;
  roles: string[];
  nick: string | null;
  joinedAt: string;
  /** Timed out until (ISO), set by PATCH communication_disabled_until. */
  communicationDisabledUntil?: string | null;
}

/** A guild member object; `withUser: false` for `resolved.members` and MESSAGE_CREATE `member`. */
export function apiMember(member: MemberState, withUser = true): Json {
  const out: Json = {
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: [...member.roles],
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: member.communicationDisabledUntil ?? null,
  };
  if (withUser) out.user = member.user;
  return out;
}

export interface MessageFields {
  id: string;
  channelId: string;
  author: Json;
  content: string;
  embeds?: unknown[];
  components?: unknown[];
  attachments?: unknown[];
  flags?: number;
  type?: number;
  mentions?: Json[];
  mentionRoles?: string[];
  mentionEveryone?: boolean;
  tts?: boolean;
  nonce?: unknown;
}

/** A message object as REST returns it (no guild_id / member; the gateway adds those). */
export function apiMessage(fields: MessageFields): Json {
  const out: Json = {
    id: fields.id,
    channel_id: fields.channelId,
    author: fields.author,
    content: fields.content,
    timestamp: isoFromSnowflake(fields.id),
    edited_timestamp: null,
    tts: fields.tts ?? false,
    mention_everyone: fields.mentionEveryone ?? false,
    mentions: fields.mentions ?? [],
    mention_roles: fields.mentionRoles ?? [],
    attachments: fields.attachments ?? [],
    embeds: (fields.embeds ?? []).map((embed) => (isObject(embed) ? { type: 'rich', ...embed } : embed)),
    components: fields.components ?? [],
    pinned: false,
    type: fields.type ?? 0,
    flags: fields.flags ?? 0,
  };
  if (fields.nonce !== undefined) out.nonce = fields.nonce;
  return out;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Discord JSON error body. */
export function discordError(code: number, message: string, errors?: Json): Json {
  return errors ? { message, code, errors } : { message, code };
}
