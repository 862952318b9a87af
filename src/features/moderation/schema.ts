import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * A community's own word list (`/filter add|remove`), on top of the default
 * list file. `word` is as the admin typed it, `word_key` normalised
 * (normalize.ts; computed in the service, so both engines store the same
 * key). `allow` (0/1): an allow entry (`!路口交通`).
 */
export const moderationWords = sqliteTable(
  'moderation_words',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    word: text('word').notNull(),
    wordKey: text('word_key').notNull(),
    allow: integer('allow', { mode: 'boolean' }).notNull().default(false),
    createdBy: integer('created_by').references(() => members.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('moderation_words_key').on(t.communityId, t.wordKey, t.allow)],
);

/**
 * The revision of a community's list, replaced on every change: a process
 * keeps the compiled filter of the revision it read, and rebuilds when
 * another process (or this one) has changed the list. A random token, so a
 * change rolled back never shares its revision with a later one.
 */
export const moderationLists = sqliteTable('moderation_lists', {
  communityId: integer('community_id')
    .primaryKey()
    .references(() => communities.id),
  revision: text('revision').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Strikes (违规记录). A strike counts toward the ladder until `expires_at`
 * unless pardoned. `source_key` makes a strike once per source: the filter's
 * strike is keyed by the message's delivery (`msg:<community>:<delivery>`),
 * a `/mod warn` by its own delivery, so a repeated delivery adds nothing.
 * The offending text is never stored: `rule` names the list entry
 * (`list:12`, `c:5`) and `matched` is the entry masked (`敏＊＊`).
 */
export const moderationStrikes = sqliteTable(
  'moderation_strikes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    sourceKey: text('source_key').notNull(),
    kind: text('kind', { enum: ['filter', 'spam', 'manual'] }).notNull(),
    rule: text('rule'),
    matched: text('matched'),
    reason: text('reason'),
    createdBy: integer('created_by').references(() => members.id),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    pardonedBy: integer('pardoned_by').references(() => members.id),
    pardonedAt: integer('pardoned_at'),
  },
  (t) => [uniqueIndex('moderation_strikes_source').on(t.communityId, t.sourceKey), index('moderation_strikes_member').on(t.memberId, t.expiresAt)],
);

/**
 * The moderation log (`/mod log`): every action with who (the member acted
 * on), by whom (NULL: the bot), why (the rule and masked word, or the
 * admin's reason) and what was done. `action` is what was done; `wanted` is
 * the ladder's steps the platform does not let the bot do (WeCom, the
 * playground), so admins see they were not done. A step the platform can do
 * (delete, timeout, kick on Discord) runs after the strike's commit and gets
 * a row of its own: `outcome` done or failed, `error` the platform's reason
 * (and `wanted` its step again, so a failure reads as not done).
 */
export const moderationLog = sqliteTable(
  'moderation_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').references(() => members.id),
    actorId: integer('actor_id').references(() => members.id),
    action: text('action', { enum: ['warn', 'pardon', 'filter-add', 'filter-remove', 'delete', 'timeout', 'kick'] }).notNull(),
    wanted: text('wanted'),
    outcome: text('outcome', { enum: ['done', 'failed'] }),
    error: text('error'),
    strikeId: integer('strike_id').references(() => moderationStrikes.id),
    rule: text('rule'),
    matched: text('matched'),
    reason: text('reason'),
    strikes: integer('strikes'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('moderation_log_community').on(t.communityId, t.id)],
);

/**
 * Each member's flood and repeat windows (spam rules, spam.ts): a fixed
 * window of messages (started by the first message after the last window
 * ended) and the hash of the last message with how often it came in a row.
 * In the database, in the message's unit of work, so every gateway process
 * on this database counts the same window; never the text, only a hash of
 * its normalised form. Rows of members quiet for a day are pruned.
 */
export const moderationRates = sqliteTable(
  'moderation_rates',
  {
    memberId: integer('member_id')
      .primaryKey()
      .references(() => members.id),
    floodStart: integer('flood_start').notNull(),
    floodCount: integer('flood_count').notNull(),
    repeatHash: text('repeat_hash').notNull(),
    repeatStart: integer('repeat_start').notNull(),
    repeatCount: integer('repeat_count').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('moderation_rates_updated').on(t.updatedAt)],
);

/**
 * A community's own spam settings (`/mod spam flood=8/10 repeat=3 …`): each
 * column overrides the config's `moderation.spam` value of the same name;
 * NULL keeps the config's. Read by the bot's filter and by the AutoMod
 * mention-spam rule.
 */
export const moderationSpam = sqliteTable('moderation_spam', {
  communityId: integer('community_id')
    .primaryKey()
    .references(() => communities.id),
  floodMessages: integer('flood_messages'),
  floodSeconds: integer('flood_seconds'),
  repeatCount: integer('repeat_count'),
  repeatSeconds: integer('repeat_seconds'),
  mentions: integer('mentions'),
  newMemberHours: integer('new_member_hours'),
  updatedBy: integer('updated_by').references(() => members.id),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * The last AutoMod sync of a community (Discord): `rule_ids` are the rules
 * the bot owns there (comma-separated; an execution event of another rule
 * is not the bot's business), `keywords` how many entries AutoMod holds,
 * `overflow` how many stay with the bot's filter only, `status` ok or
 * failed with the platform's `error` (the admins are alerted when a sync
 * starts failing, not again while it keeps failing).
 */
export const moderationAutomod = sqliteTable('moderation_automod', {
  communityId: integer('community_id')
    .primaryKey()
    .references(() => communities.id),
  status: text('status', { enum: ['ok', 'failed'] }).notNull(),
  error: text('error'),
  ruleIds: text('rule_ids').notNull(),
  keywords: integer('keywords').notNull(),
  overflow: integer('overflow').notNull(),
  syncedAt: integer('synced_at').notNull(),
});
