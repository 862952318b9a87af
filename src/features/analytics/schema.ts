import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * Every join and leave the platform delivered, in order. `members` keeps only
 * the latest join and leave, so a member who left and came back would lose
 * the first spell; growth and retention by join cohort read this log.
 */
export const membershipEvents = sqliteTable(
  'membership_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    kind: text('kind', { enum: ['join', 'leave'] }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('membership_events_community').on(t.communityId, t.at), index('membership_events_member').on(t.memberId, t.at)],
);

/**
 * One row per community day (its timezone and day-start hour), rolled up by
 * the analytics daily job once the day is over; re-rolling a day replaces its
 * row with the same numbers. Windowed distinct counts (…7, …30: distinct
 * members over the 7 / 30 days ending that day) are stored because distinct
 * members do not add up across days. Kept `analytics.retainDays` days (400 by
 * default), long after the raw activity is pruned.
 */
export const analyticsDaily = sqliteTable(
  'analytics_daily',
  {
    communityId: integer('community_id').notNull().references(() => communities.id),
    day: text('day').notNull(),
    /** Present at the day's end. */
    members: integer('members').notNull(),
    joins: integer('joins').notNull(),
    leaves: integer('leaves').notNull(),
    /** Distinct members active that day (a message or a command), and over the 7 / 30 days ending that day. */
    active: integer('active').notNull(),
    active7: integer('active7').notNull(),
    active30: integer('active30').notNull(),
    /** Distinct members who sent a chat message the bot saw. */
    speakers: integer('speakers').notNull(),
    speakers7: integer('speakers7').notNull(),
    speakers30: integer('speakers30').notNull(),
    checkins: integer('checkins').notNull(),
    checkins7: integer('checkins7').notNull(),
    checkins30: integer('checkins30').notNull(),
    /** Distinct members who entered a lottery, answered a quiz or voted in a poll. */
    participants: integer('participants').notNull(),
    participants7: integer('participants7').notNull(),
    participants30: integer('participants30').notNull(),
    messages: integer('messages').notNull(),
    commands: integer('commands').notNull(),
    rolledAt: integer('rolled_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.day] })],
);

/**
 * Per community: raw activity and membership events before `raw_pruned_before`
 * (a day) are gone, so days whose 30-day window reaches before it can no
 * longer be rolled up again (their rows are kept as they are).
 */
export const analyticsState = sqliteTable('analytics_state', {
  communityId: integer('community_id').primaryKey().references(() => communities.id),
  rawPrunedBefore: text('raw_pruned_before'),
  /** JSON array of the alerts now open (low active rate, week-on-week drop): each gets one line when it recovers. */
  openAlerts: text('open_alerts'),
});

/**
 * One row per community and reported week (周报): the run key of the weekly
 * report. The job writes it in the unit that posts the report, so a restart,
 * a duplicate tick or a second process never posts a week twice.
 */
export const analyticsWeeklyReports = sqliteTable(
  'analytics_weekly_reports',
  {
    communityId: integer('community_id').notNull().references(() => communities.id),
    /** The first day of the reported week (community days). */
    week: text('week').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.week] })],
);
