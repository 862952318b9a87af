/**
 * Discord objects → ChatEvent pieces: slash options, actors (with admin
 * detection), delivery ids of member events. Pure functions over discord.js
 * objects; no I/O.
 */
import { ApplicationCommandOptionType, PermissionFlagsBits, type ChatInputCommandInteraction, type CommandInteractionOption, type GuildMember, type PartialGuildMember, type PermissionsBitField, type User } from 'discord.js';
import type { Actor } from '../../core/chat-event.js';

/** A slash call's path (`['schedule', 'once']`) and its options by name; user options become `<@id>` mentions. */
export function slashInvocation(interaction: ChatInputCommandInteraction): { path: string[]; options: Record<string, string | number | boolean> } {
  const path = [interaction.commandName];
  let options: readonly CommandInteractionOption[] = interaction.options.data;
  for (;;) {
    const first = options[0];
    if (!first || (first.type !== ApplicationCommandOptionType.Subcommand && first.type !== ApplicationCommandOptionType.SubcommandGroup)) break;
    path.push(first.name);
    options = first.options ?? [];
  }
  const out: Record<string, string | number | boolean> = {};
  for (const option of options) {
    if (option.type === ApplicationCommandOptionType.User || option.type === ApplicationCommandOptionType.Mentionable) {
      if (option.value !== undefined) out[option.name] = `<@${String(option.value)}>`;
    } else if (option.value !== undefined && option.value !== null) {
      out[option.name] = option.value;
    }
  }
  return { path, options: out };
}

interface MemberLike {
  roles: string[] | { cache: { keys(): Iterable<string> } };
}

export interface AdminRule {
  adminRoles: readonly string[];
}

/** Manage Server (Administrator implies it), or one of the configured admin roles. */
export function isAdmin(permissions: Readonly<PermissionsBitField> | null | undefined, member: MemberLike | null | undefined, rule: AdminRule): boolean {
  if (permissions?.has(PermissionFlagsBits.ManageGuild, true)) return true;
  if (!member || rule.adminRoles.length === 0) return false;
  const roles = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return roles.some((id) => rule.adminRoles.includes(id));
}

export function actorOf(user: User, member: GuildMember | { nick?: string | null } | null | undefined, admin: boolean): Actor {
  const nick = member && 'displayName' in member ? member.displayName : (member?.nick ?? undefined);
  return { platformUserId: user.id, displayName: nick || user.globalName || user.username, isAdmin: admin };
}

/** Replays of the same dispatch (gateway resume) map to the same id; a later re-join does not. */
export function memberEventId(kind: 'join' | 'leave', member: GuildMember | PartialGuildMember, now: number): string {
  const when = member.joinedTimestamp ?? `m${Math.floor(now / 60_000)}`;
  return `${kind}-${member.guild.id}-${member.id}-${when}`;
}

/** The text of a message that addressed the bot, without the bot's mention. */
export function stripBotMention(text: string, botId: string): string {
  return text.replace(new RegExp(`<@!?${botId}>`, 'g'), '').trim();
}
