/**
 * Resolves the community and member behind an event, creating them on first
 * sight, and looks members up from command arguments (mention, id, name).
 */
import type { Actor, CommunityRef, Platform } from '../chat-event.js';
import type { CommunityInfo, MemberInfo } from '../context.js';
import type { Locale } from '../i18n.js';
import { UserError } from '../errors.js';
import type { IdentityRepo, MemberRow } from './repo.js';
import { cleanName, isCleanId } from './sanitize.js';

export interface CommunitySettings {
  locale: Locale;
  timezone: string;
  dayStartHour: number;
}

export type SettingsFor = (platform: Platform, externalId: string) => CommunitySettings;

export class IdentityService {
  /** Community ids never change once created, so caching them is safe across processes. */
  private readonly communityIds = new Map<string, { id: number; name: string }>();

  constructor(
    private readonly repo: IdentityRepo,
    private readonly settingsFor: SettingsFor,
  ) {}

  async community(ref: CommunityRef, now: Date): Promise<CommunityInfo> {
    const key = `${ref.platform}\u0000${ref.externalId}`;
    let cached = this.communityIds.get(key);
    if (!cached) {
      const found = await this.repo.findCommunity(ref.platform, ref.externalId);
      // Only a row that existed before this transaction is cached: a row inserted
      // now disappears if the transaction rolls back (a refused first command).
      const row = found ?? (await this.repo.insertCommunity(ref.platform, ref.externalId, ref.name ?? '', now.getTime()));
      cached = { id: row.id, name: row.name };
      if (found) this.communityIds.set(key, cached);
    }
    if (ref.name && ref.name !== cached.name) {
      await this.repo.renameCommunity(cached.id, ref.name);
      cached.name = ref.name;
    }
    return { id: cached.id, platform: ref.platform, externalId: ref.externalId, name: cached.name, ...this.settingsFor(ref.platform, ref.externalId) };
  }

  /** The community's language, without touching the database (for refusals before anything is stored). */
  locale(ref: CommunityRef): Locale {
    return this.settingsFor(ref.platform, ref.externalId).locale;
  }

  async communityById(id: number): Promise<CommunityInfo | undefined> {
    const row = await this.repo.communityById(id);
    if (!row) return undefined;
    const platform = row.platform as Platform;
    return { id: row.id, platform, externalId: row.external_id, name: row.name, ...this.settingsFor(platform, row.external_id) };
  }

  /** The acting member; created on first sight, renamed when the platform name changed. */
  async member(community: CommunityInfo, actor: Actor, now: Date): Promise<MemberInfo> {
    const row = await this.repo.findMemberByAccount(community.id, community.platform, actor.platformUserId);
    if (!row) {
      // A name that was nothing but invisible characters is empty once cleaned: the id stands in.
      const displayName = actor.displayName || actor.platformUserId;
      const id = await this.repo.insertMember(community.id, community.platform, actor.platformUserId, displayName, now.getTime());
      return { id, communityId: community.id, platformUserId: actor.platformUserId, displayName, joinedAt: now };
    }
    if (actor.displayName && row.display_name !== actor.displayName) await this.repo.renameMember(row.id, actor.displayName);
    return { ...toInfo(row), displayName: actor.displayName || row.display_name };
  }

  /** Left-at bookkeeping for memberJoined / memberLeft events. */
  async markLeft(member: MemberInfo, at: Date): Promise<void> {
    await this.repo.markLeft(member.id, at.getTime());
  }

  /** Returns true when the member had left before (a rejoin). */
  async markJoined(member: MemberInfo, at: Date): Promise<boolean> {
    const row = await this.repo.findMemberById(member.id);
    if (row?.left_at != null) {
      await this.repo.markRejoined(member.id, at.getTime());
      return true;
    }
    return false;
  }

  /**
   * A member named in a command: a mention `<@id>` / `<@!id>`, a platform
   * user id, or a display name with or without `@`: the exact name (ASCII
   * case folded), else the one member whose name starts with it or has it as
   * a whole word (`Bob` finds "Bob 鲍勃", `爱丽丝` finds "Alice 爱丽丝").
   * Several candidates are a refusal listing them, never a guess: points go
   * to the person meant or to nobody. Members never seen in this community
   * are not found.
   */
  async findMember(community: CommunityInfo, ref: string): Promise<MemberInfo | undefined> {
    const trimmed = ref.trim();
    const mention = /^<@!?([^>]+)>$/.exec(trimmed);
    const id = mention?.[1] ?? trimmed;
    const byAccount = isCleanId(id) ? (await this.repo.findMemberByAccount(community.id, community.platform, id)) : undefined;
    if (byAccount) return toInfo(byAccount);
    if (mention) return undefined;
    // Stored names are cleaned the same way (see sanitize.ts), so invisible characters never decide a match.
    const name = cleanName(trimmed.replace(/^[@＠]/, ''));
    if (!name) return undefined;
    const exact = await this.repo.findMembersByName(community.id, name, MAX_CANDIDATES + 1);
    const found = exact.length > 0 ? exact : await this.repo.findMembersByNamePart(community.id, name, MAX_CANDIDATES + 1);
    if (found.length > 1) throw new UserError('core.ambiguousMember', { value: name, candidates: candidateList(found) });
    return found[0] ? toInfo(found[0]) : undefined;
  }

  async memberById(id: number): Promise<MemberInfo | undefined> {
    const row = await this.repo.findMemberById(id);
    return row ? toInfo(row) : undefined;
  }
}

/** How many candidates an ambiguous name lists. */
const MAX_CANDIDATES = 5;

/**
 * One candidate a line, by name; a name shared by several members also shows
 * the platform user id, which `findMember` accepts too.
 */
function candidateList(rows: readonly MemberRow[]): string {
  const shown = rows.slice(0, MAX_CANDIDATES);
  const lines = shown.map((row) => {
    const shared = shown.some((other) => other !== row && other.display_name.toLowerCase() === row.display_name.toLowerCase());
    return `· ${row.display_name}${shared || !row.display_name ? ` (${row.platform_user_id})` : ''}`;
  });
  if (rows.length > MAX_CANDIDATES) lines.push('· …');
  return lines.join('\n');
}

function toInfo(row: MemberRow): MemberInfo {
  return { id: row.id, communityId: row.community_id, platformUserId: row.platform_user_id, displayName: row.display_name, joinedAt: new Date(row.joined_at) };
}
