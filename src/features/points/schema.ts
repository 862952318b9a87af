import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * The append-only points ledger and the cached balances. `kind` separates
 * what a member earned ('earn', admin 'adjust') from what they spent
 * ('spend'): leaderboards and levels count earnings, the balance counts all.
 */
export const pointsLedger = sqliteTable(
  'points_ledger',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    delta: integer('delta').notNull(),
    kind: text('kind', { enum: ['earn', 'spend', 'adjust'] }).notNull(),
    reason: text('reason').notNull(),
    ref: text('ref'),
    idemKey: text('idem_key').notNull().unique(),
    actorMemberId: integer('actor_member_id'),
    day: text('day').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('points_ledger_member').on(t.memberId, t.id), index('points_ledger_community_day').on(t.communityId, t.day)],
);

export const memberPoints = sqliteTable(
  'member_points',
  {
    memberId: integer('member_id').primaryKey().references(() => members.id),
    communityId: integer('community_id').notNull(),
    balance: integer('balance').notNull(),
    earned: integer('earned').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('member_points_board').on(t.communityId, sql`${t.earned} desc`, t.memberId)],
);

/** Earnings per week ('2026-W48') and month ('2026-11'), kept with each award so period boards are an index scan. */
export const pointsPeriods = sqliteTable(
  'points_periods',
  {
    communityId: integer('community_id').notNull(),
    period: text('period').notNull(),
    memberId: integer('member_id').notNull(),
    earned: integer('earned').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.period, t.memberId] }), index('points_periods_board').on(t.communityId, t.period, sql`${t.earned} desc`, t.memberId)],
);
