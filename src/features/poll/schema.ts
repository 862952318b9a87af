import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * Polls (投票). The status moves open → closed by compare-and-set; at the
 * close the counts are frozen in `results_json`.
 *
 * Anonymous polls: a vote row's `voter` is HMAC-SHA256(salt, "<poll>:<member>")
 * with a random salt of the poll's own, `member_id` and `created_at` stay
 * NULL. While the poll is open the salt is what stops a second vote (and
 * lets a member change theirs); at the close the salt is erased and the
 * anonymous vote rows are deleted, so nothing is left that joins back to
 * members. See service.ts.
 *
 * Native polls (Discord): the poll is posted in the platform's own form and
 * its votes arrive as events naming the message; `native_message_id` finds
 * the poll. Never anonymous (the platform shows who voted).
 */
export const polls = sqliteTable(
  'polls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    question: text('question').notNull(),
    /** JSON array of the options' texts, in order (option n is index n - 1). */
    optionsJson: text('options_json').notNull(),
    /** How many options one member may choose (1 = a single choice). */
    multi: integer('multi').notNull().default(1),
    anonymous: integer('anonymous', { mode: 'boolean' }).notNull().default(false),
    hideResults: integer('hide_results', { mode: 'boolean' }).notNull().default(false),
    /** 0-based level index a member needs to vote (0: everyone). */
    minLevel: integer('min_level').notNull().default(0),
    /** NULL: open until an admin closes it. */
    endsAt: integer('ends_at'),
    /** Anonymous polls only, while open: the key of the voter hashes. */
    salt: text('salt'),
    status: text('status', { enum: ['open', 'closed'] }).notNull(),
    /** Frozen at the close: `{ counts: number[], voters: number }`. */
    resultsJson: text('results_json'),
    createdBy: integer('created_by').references(() => members.id),
    createdAt: integer('created_at').notNull(),
    closedAt: integer('closed_at'),
    /**
     * A platform's own poll (Discord native poll) stands for this one: set at
     * the creation when the poll fits; cleared when posting it failed (the
     * poll is then posted with buttons).
     */
    native: integer('native', { mode: 'boolean' }).notNull().default(false),
    /** Where the native poll was posted; NULL until it is. */
    nativeChannelId: text('native_channel_id'),
    nativeMessageId: text('native_message_id'),
    /** JSON array: the platform's answer id of option n at index n - 1 (votes name the answer by it). */
    nativeAnswersJson: text('native_answers_json'),
  },
  (t) => [
    index('polls_community').on(t.communityId, t.status),
    index('polls_status').on(t.status, t.endsAt),
    uniqueIndex('polls_native_message').on(t.nativeMessageId),
  ],
);

export const pollVotes = sqliteTable(
  'poll_votes',
  {
    pollId: integer('poll_id').notNull().references(() => polls.id),
    /** `member:<id>`, or the keyed hash in an anonymous poll. */
    voter: text('voter').notNull(),
    /** 1-based option number. */
    option: integer('option').notNull(),
    /** NULL in anonymous polls. */
    memberId: integer('member_id').references(() => members.id),
    /** NULL in anonymous polls (a time could be matched with the inbound log). */
    createdAt: integer('created_at'),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.voter, t.option] })],
);
