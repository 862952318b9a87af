import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * Lotteries (抽奖). SQLite holds `ends_at` and the status, which moves
 * open → drawing → announced (or cancelled) by compare-and-set; the draw is
 * verifiable: `commitment` = sha256(seed) is published at creation, the
 * frozen entry list's hash and the seed are published with the result.
 */
export const lotteries = sqliteTable(
  'lotteries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    prize: text('prize').notNull(),
    winners: integer('winners').notNull(),
    endsAt: integer('ends_at').notNull(),
    cost: integer('cost').notNull().default(0),
    minLevel: integer('min_level').notNull().default(0),
    minStreak: integer('min_streak').notNull().default(0),
    minPoints: integer('min_points').notNull().default(0),
    bonus: text('bonus'),
    seedHex: text('seed_hex').notNull(),
    commitment: text('commitment').notNull(),
    algorithm: text('algorithm').notNull(),
    status: text('status', { enum: ['open', 'drawing', 'announced', 'cancelled'] }).notNull(),
    entriesHash: text('entries_hash'),
    entriesJson: text('entries_json'),
    winnersJson: text('winners_json'),
    rerolls: integer('rerolls').notNull().default(0),
    /** Kept with each entry (same transaction) so a join never counts the whole entry list. */
    entrantCount: integer('entrant_count').notNull().default(0),
    ticketCount: integer('ticket_count').notNull().default(0),
    createdBy: integer('created_by').references(() => members.id),
    createdAt: integer('created_at').notNull(),
    drawnAt: integer('drawn_at'),
  },
  (t) => [index('lotteries_community').on(t.communityId, t.status), index('lotteries_status').on(t.status, t.endsAt)],
);

export const lotteryEntries = sqliteTable(
  'lottery_entries',
  {
    lotteryId: integer('lottery_id').notNull().references(() => lotteries.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    tickets: integer('tickets').notNull(),
    costPaid: integer('cost_paid').notNull(),
    source: text('source').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.lotteryId, t.memberId] })],
);
