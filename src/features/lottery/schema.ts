import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';
import { shopItems, shopOrders } from '../shop/schema.js';

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
    /** What a winner gets: `text` (the prize text only, nothing to claim), `points`, or a shop `item`. */
    prizeKind: text('prize_kind', { enum: ['text', 'points', 'item'] }).notNull().default('text'),
    prizePoints: integer('prize_points'),
    prizeItemId: integer('prize_item_id').references(() => shopItems.id),
    /** How long a winner has to claim an item prize (ms); NULL: no deadline. */
    claimMs: integer('claim_ms'),
    /** 1: an unclaimed prize is rerolled when its deadline passes; 0: an admin runs /lottery reroll. */
    rerollAuto: integer('reroll_auto').notNull().default(0),
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
    /** Warm-up reminders before the draw (`remind=3d,1d,1h`), as typed and checked; NULL: none. */
    remind: text('remind'),
    /** The offset (ms before the draw) of the last reminder handled (posted or skipped at the cap): a later run never goes back. */
    remindedMs: integer('reminded_ms'),
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

/**
 * One winner's prize (points and item prizes; a text prize has no claims).
 * Points are paid at the draw (`claimed` at once, ledger key
 * `lottery-prize:<lottery>:<member>`). An item prize holds a shop order
 * (`order_id`): `pending` until the winner runs /claim (→ `claimed`) or, if
 * `deadline_at` passes first, `expired`, then `rerolled` once a replacement is
 * drawn. One row per lottery and member, so a winner never gets two prizes
 * and a re-run of the draw or a reroll adds nothing twice.
 */
export const lotteryClaims = sqliteTable(
  'lottery_claims',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    lotteryId: integer('lottery_id').notNull().references(() => lotteries.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    /** The draw round that made this member a winner (0: the draw, 1, 2, …: rerolls). */
    round: integer('round').notNull(),
    orderId: integer('order_id').references(() => shopOrders.id),
    status: text('status', { enum: ['pending', 'claimed', 'expired', 'rerolled'] }).notNull(),
    deadlineAt: integer('deadline_at'),
    remindAt: integer('remind_at'),
    remindedAt: integer('reminded_at'),
    claimedAt: integer('claimed_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('lottery_claims_winner').on(t.lotteryId, t.memberId), index('lottery_claims_due').on(t.status, t.deadlineAt)],
);
