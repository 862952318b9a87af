import type { Sql } from '../../store/sql.js';
import type { RowOf } from '../../store/rows.js';
import type { moderationAutomod, moderationLog, moderationSpam, moderationStrikes, moderationWords } from './schema.js';
import type { RateState } from './spam.js';

export type WordRow = RowOf<typeof moderationWords>;
export type StrikeRow = RowOf<typeof moderationStrikes>;
export type LogRow = RowOf<typeof moderationLog>;
export type SpamRow = RowOf<typeof moderationSpam>;
export type AutomodRow = RowOf<typeof moderationAutomod>;
/** A community's spam overrides (NULL: the config's value). */
export type SpamOverrides = Pick<SpamRow, 'flood_messages' | 'flood_seconds' | 'repeat_count' | 'repeat_seconds' | 'mentions' | 'new_member_hours'>;
export type LogView = LogRow & { member_name: string | null; actor_name: string | null };

export interface NewStrike {
  communityId: number;
  memberId: number;
  sourceKey: string;
  kind: StrikeRow['kind'];
  rule: string | null;
  matched: string | null;
  reason: string | null;
  createdBy: number | null;
  at: number;
  expiresAt: number;
}

export interface NewLog {
  communityId: number;
  memberId: number | null;
  actorId: number | null;
  action: LogRow['action'];
  wanted?: string | null;
  outcome?: 'done' | 'failed' | null;
  error?: string | null;
  strikeId?: number | null;
  rule?: string | null;
  matched?: string | null;
  reason?: string | null;
  strikes?: number | null;
  at: number;
}

export function createModerationRepo(sql: Sql) {
  const revision = sql.prepare<[number], { revision: string }>('SELECT revision FROM moderation_lists WHERE community_id = ?');
  const bump = sql.prepare<[number, string, number]>(
    `INSERT INTO moderation_lists (community_id, revision, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (community_id) DO UPDATE SET revision = excluded.revision, updated_at = excluded.updated_at`,
  );
  const words = sql.prepare<[number], WordRow>('SELECT * FROM moderation_words WHERE community_id = ? ORDER BY id');
  const addWord = sql.prepare<[number, string, string, number, number, number], { id: number }>(
    `INSERT INTO moderation_words (community_id, word, word_key, allow, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (community_id, word_key, allow) DO NOTHING RETURNING id`,
  );
  const findWord = sql.prepare<[number, string, number], WordRow>('SELECT * FROM moderation_words WHERE community_id = ? AND word_key = ? AND allow = ?');
  const removeWord = sql.prepare<[number]>('DELETE FROM moderation_words WHERE id = ?');
  const addStrike = sql.prepare<[number, number, string, string, string | null, string | null, string | null, number | null, number, number], { id: number }>(
    `INSERT INTO moderation_strikes (community_id, member_id, source_key, kind, rule, matched, reason, created_by, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (community_id, source_key) DO NOTHING RETURNING id`,
  );
  const active = sql.prepare<[number, number], StrikeRow>('SELECT * FROM moderation_strikes WHERE member_id = ? AND pardoned_at IS NULL AND expires_at > ? ORDER BY id');
  const pardon = sql.prepare<[number, number, number, number]>('UPDATE moderation_strikes SET pardoned_by = ?, pardoned_at = ? WHERE member_id = ? AND pardoned_at IS NULL AND expires_at > ?');
  const addLog = sql.prepare<[number, number | null, number | null, string, string | null, string | null, string | null, number | null, string | null, string | null, string | null, number | null, number]>(
    `INSERT INTO moderation_log (community_id, member_id, actor_id, action, wanted, outcome, error, strike_id, rule, matched, reason, strikes, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const rates = sql.prepare<[number], { flood_start: number; flood_count: number; repeat_hash: string; repeat_start: number; repeat_count: number }>(
    'SELECT flood_start, flood_count, repeat_hash, repeat_start, repeat_count FROM moderation_rates WHERE member_id = ?',
  );
  const saveRates = sql.prepare<[number, number, number, string, number, number, number]>(
    `INSERT INTO moderation_rates (member_id, flood_start, flood_count, repeat_hash, repeat_start, repeat_count, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET flood_start = excluded.flood_start, flood_count = excluded.flood_count, repeat_hash = excluded.repeat_hash,
       repeat_start = excluded.repeat_start, repeat_count = excluded.repeat_count, updated_at = excluded.updated_at`,
  );
  const pruneRates = sql.prepare<[number]>('DELETE FROM moderation_rates WHERE updated_at < ?');
  const log = sql.prepare<[number, number], LogView>(
    `SELECT l.*, m.display_name AS member_name, a.display_name AS actor_name FROM moderation_log l
     LEFT JOIN members m ON m.id = l.member_id LEFT JOIN members a ON a.id = l.actor_id
     WHERE l.community_id = ? ORDER BY l.id DESC LIMIT ?`,
  );
  const strikeExists = sql.prepare<[number, string], { id: number }>('SELECT id FROM moderation_strikes WHERE community_id = ? AND source_key = ?');
  const spam = sql.prepare<[number], SpamRow>('SELECT * FROM moderation_spam WHERE community_id = ?');
  const saveSpam = sql.prepare<[number, number | null, number | null, number | null, number | null, number | null, number | null, number, number]>(
    `INSERT INTO moderation_spam (community_id, flood_messages, flood_seconds, repeat_count, repeat_seconds, mentions, new_member_hours, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (community_id) DO UPDATE SET flood_messages = excluded.flood_messages, flood_seconds = excluded.flood_seconds, repeat_count = excluded.repeat_count,
       repeat_seconds = excluded.repeat_seconds, mentions = excluded.mentions, new_member_hours = excluded.new_member_hours, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
  );
  const automod = sql.prepare<[number], AutomodRow>('SELECT * FROM moderation_automod WHERE community_id = ?');
  const saveAutomod = sql.prepare<[number, string, string | null, string, number, number, number]>(
    `INSERT INTO moderation_automod (community_id, status, error, rule_ids, keywords, overflow, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (community_id) DO UPDATE SET status = excluded.status, error = excluded.error, rule_ids = excluded.rule_ids, keywords = excluded.keywords,
       overflow = excluded.overflow, synced_at = excluded.synced_at`,
  );
  const communityIds = sql.prepare<[string], { id: number }>('SELECT id FROM communities WHERE platform = ? ORDER BY id');
  return {
    /** The communities of a platform (the AutoMod sync at start). */
    communityIds: async (platform: string) => (await communityIds.all(platform)).map((r) => r.id),
    strikeExists: async (communityId: number, sourceKey: string) => (await strikeExists.get(communityId, sourceKey)) !== undefined,
    spam: (communityId: number) => spam.get(communityId),
    saveSpam: (communityId: number, o: SpamOverrides, by: number, at: number) =>
      saveSpam.run(communityId, o.flood_messages, o.flood_seconds, o.repeat_count, o.repeat_seconds, o.mentions, o.new_member_hours, by, at),
    automod: (communityId: number) => automod.get(communityId),
    saveAutomod: (r: AutomodRow) => saveAutomod.run(r.community_id, r.status, r.error, r.rule_ids, r.keywords, r.overflow, r.synced_at),
    revision: async (communityId: number) => (await revision.get(communityId))?.revision ?? '',
    bumpRevision: (communityId: number, token: string, at: number) => bump.run(communityId, token, at),
    words: (communityId: number) => words.all(communityId),
    /** The new entry's id, or undefined when the community has it already. */
    addWord: async (communityId: number, word: string, key: string, allow: boolean, by: number, at: number) => (await addWord.get(communityId, word, key, allow ? 1 : 0, by, at))?.id,
    findWord: (communityId: number, key: string, allow: boolean) => findWord.get(communityId, key, allow ? 1 : 0),
    removeWord: (id: number) => removeWord.run(id),
    /** The strike's id, or undefined when its source was struck before. */
    addStrike: async (s: NewStrike) => (await addStrike.get(s.communityId, s.memberId, s.sourceKey, s.kind, s.rule, s.matched, s.reason, s.createdBy, s.at, s.expiresAt))?.id,
    activeStrikes: (memberId: number, at: number) => active.all(memberId, at),
    /** Pardons every active strike; returns how many. */
    pardon: (memberId: number, by: number, at: number) => pardon.run(by, at, memberId, at),
    log: (l: NewLog) =>
      addLog.run(l.communityId, l.memberId, l.actorId, l.action, l.wanted ?? null, l.outcome ?? null, l.error ?? null, l.strikeId ?? null, l.rule ?? null, l.matched ?? null, l.reason ?? null, l.strikes ?? null, l.at),
    recentLog: (communityId: number, limit: number) => log.all(communityId, limit),
    /** The member's flood and repeat windows (spam.ts), undefined before the first message. */
    rates: async (memberId: number): Promise<RateState | undefined> => {
      const row = await rates.get(memberId);
      return row && { floodStart: row.flood_start, floodCount: row.flood_count, repeatHash: row.repeat_hash, repeatStart: row.repeat_start, repeatCount: row.repeat_count };
    },
    saveRates: (memberId: number, r: RateState, at: number) => saveRates.run(memberId, r.floodStart, r.floodCount, r.repeatHash, r.repeatStart, r.repeatCount, at),
    pruneRatesBefore: (cutoff: number) => pruneRates.run(cutoff),
  };
}

export type ModerationRepo = ReturnType<typeof createModerationRepo>;
