import { sqliteTable, integer, text, uniqueIndex, primaryKey, index } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/** One row per member per community day; UNIQUE(member, day) makes a second check-in impossible. */
export const checkins = sqliteTable(
  'checkins',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    day: text('day').notNull(),
    streak: integer('streak').notNull(),
    points: integer('points').notNull(),
    rankOfDay: integer('rank_of_day').notNull(),
    freezesUsed: integer('freezes_used').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  // By community and day: the analytics rollups count a day's check-ins (and a window's) per community.
  (t) => [uniqueIndex('checkins_member_day').on(t.memberId, t.day), index('checkins_community_day').on(t.communityId, t.day, t.memberId)],
);

/** Each member's streak state, so a check-in reads one row instead of scanning history. */
export const checkinStreaks = sqliteTable('checkin_streaks', {
  memberId: integer('member_id').primaryKey().references(() => members.id),
  lastDay: text('last_day').notNull(),
  streak: integer('streak').notNull(),
  bestStreak: integer('best_streak').notNull(),
  total: integer('total').notNull(),
  freezes: integer('freezes').notNull().default(0),
});

export const checkinDayCounts = sqliteTable(
  'checkin_day_counts',
  {
    communityId: integer('community_id').notNull(),
    day: text('day').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.day] })],
);
