/**
 * Communities, members and accounts. Statements are prepared once: the
 * router resolves a community and a member on every event.
 */
import type { Sql } from '../../store/sql.js';

export interface CommunityRow {
  id: number;
  platform: string;
  external_id: string;
  name: string;
}

export interface MemberRow {
  id: number;
  community_id: number;
  display_name: string;
  joined_at: number;
  left_at: number | null;
  platform_user_id: string;
}

export function createIdentityRepo(sql: Sql) {
  const findCommunity = sql.prepare<[string, string], CommunityRow>('SELECT id, platform, external_id, name FROM communities WHERE platform = ? AND external_id = ?');
  const communityById = sql.prepare<[number], CommunityRow>('SELECT id, platform, external_id, name FROM communities WHERE id = ?');
  const insertCommunity = sql.prepare<[string, string, string, number], CommunityRow>(
    // Two first events of a new community at once (PostgreSQL, READ COMMITTED): the second waits for the first and finds its row.
    'INSERT INTO communities (platform, external_id, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (platform, external_id) DO NOTHING RETURNING id, platform, external_id, name',
  );
  const renameCommunity = sql.prepare<[string, number]>('UPDATE communities SET name = ? WHERE id = ?');
  const memberSelect = 'SELECT m.id, m.community_id, m.display_name, m.joined_at, m.left_at, a.platform_user_id FROM members m JOIN member_accounts a ON a.member_id = m.id';
  const findByAccount = sql.prepare<[number, string, string], MemberRow>(`${memberSelect} WHERE a.community_id = ? AND a.platform = ? AND a.platform_user_id = ?`);
  // Case is folded: SQLite's NOCASE and LIKE fold ASCII letters; PostgreSQL's lower() and ILIKE fold by its locale.
  const findByName = sql.prepare<[number, string, number], MemberRow>({
    sqlite: `${memberSelect} WHERE m.community_id = ? AND m.display_name = ? COLLATE NOCASE ORDER BY m.id LIMIT ?`,
    postgres: `${memberSelect} WHERE m.community_id = ? AND lower(m.display_name) = lower(?) ORDER BY m.id LIMIT ?`,
  });
  // Names are stored cleaned (single spaces, trimmed), so ' ' || name || ' ' has every word between spaces.
  const findByPrefixOrWord = sql.prepare<[number, string, string, number], MemberRow>({
    sqlite: `${memberSelect} WHERE m.community_id = ? AND (m.display_name LIKE ? ESCAPE '\\' OR (' ' || m.display_name || ' ') LIKE ? ESCAPE '\\') ORDER BY m.display_name COLLATE NOCASE, m.id LIMIT ?`,
    postgres: `${memberSelect} WHERE m.community_id = ? AND (m.display_name ILIKE ? ESCAPE '\\' OR (' ' || m.display_name || ' ') ILIKE ? ESCAPE '\\') ORDER BY lower(m.display_name), m.id LIMIT ?`,
  });
  const findById = sql.prepare<[number], MemberRow>(`${memberSelect} WHERE m.id = ? ORDER BY a.id LIMIT 1`);
  const insertMember = sql.prepare<[number, string, number, number], { id: number }>(
    'INSERT INTO members (community_id, display_name, joined_at, created_at) VALUES (?, ?, ?, ?) RETURNING id',
  );
  const insertAccount = sql.prepare<[number, number, string, string]>(
    'INSERT INTO member_accounts (member_id, community_id, platform, platform_user_id) VALUES (?, ?, ?, ?)',
  );
  const rename = sql.prepare<[string, number]>('UPDATE members SET display_name = ? WHERE id = ?');
  const setLeft = sql.prepare<[number | null, number]>('UPDATE members SET left_at = ? WHERE id = ?');
  const rejoin = sql.prepare<[number, number]>('UPDATE members SET left_at = NULL, joined_at = ? WHERE id = ?');

  return {
    findCommunity: (platform: string, externalId: string) => findCommunity.get(platform, externalId),
    communityById: (id: number) => communityById.get(id),
    insertCommunity: async (platform: string, externalId: string, name: string, now: number) =>
      ((await insertCommunity.get(platform, externalId, name, now)) ?? (await findCommunity.get(platform, externalId))) as CommunityRow,
    renameCommunity: (id: number, name: string) => renameCommunity.run(name, id),
    findMemberByAccount: (communityId: number, platform: string, platformUserId: string) => findByAccount.get(communityId, platform, platformUserId),
    /** Members named exactly `name` (ASCII case folded), at most `limit`. */
    findMembersByName: (communityId: number, name: string, limit: number) => findByName.all(communityId, name, limit),
    /** Members whose name starts with `text` or has it as a whole word (ASCII case folded), at most `limit`. */
    findMembersByNamePart(communityId: number, text: string, limit: number): Promise<MemberRow[]> {
      const like = text.replace(/[\\%_]/g, (c) => `\\${c}`);
      return findByPrefixOrWord.all(communityId, `${like}%`, `% ${like} %`, limit);
    },
    findMemberById: (id: number) => findById.get(id),
    async insertMember(communityId: number, platform: string, platformUserId: string, displayName: string, now: number): Promise<number> {
      const { id } = (await insertMember.get(communityId, displayName, now, now)) as { id: number };
      await insertAccount.run(id, communityId, platform, platformUserId);
      return id;
    },
    renameMember: (id: number, name: string) => rename.run(name, id),
    markLeft: (id: number, at: number) => setLeft.run(at, id),
    markRejoined: (id: number, at: number) => rejoin.run(at, id),
  };
}

export type IdentityRepo = ReturnType<typeof createIdentityRepo>;
