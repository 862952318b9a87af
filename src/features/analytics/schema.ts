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
    /**
     * Retention by join day, counted on the day it is measured: the joins of
     * 1 / 7 / 30 days before this day whose member was active this day (a
     * cohort's D1, D7, D30 numerators). Null on rows rolled up before they existed.
     */
    retained1: integer('retained1'),
    retained7: integer('retained7'),
    retained30: integer('retained30'),
    /**
     * Distinct active members, speakers and check-ins of the 6 and 29 days
     * ending this day: tomorrow's 7- and 30-day counts, less tomorrow's own
     * newcomers (what /stats reads for today). Null on rows rolled up before
     * they were kept.
     */
    active6: integer('active6'),
    active29: integer('active29'),
    speakers6: integer('speakers6'),
    speakers29: integer('speakers29'),
    checkins6: integer('checkins6'),
    checkins29: integer('checkins29'),
    /** JSON [[member id, active days, interactions], …]: the most active members of the 30 days ending this day, the top 10. */
    topMembers: text('top_members'),
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
  /**
   * Raw records before this day are pruned (the batches after a maintenance
   * run reach `raw_pruned_before`; until they are done this is behind it).
   */
  rawPruneDone: text('raw_prune_done'),
  /** `analytics_members` holds each member's last days up to and including this day. */
  membersThrough: text('members_through'),
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

/**
 * Per community member, the last community day they were active, spoke and
 * checked in, up to `analytics_state.members_through`: maintained by the
 * daily rollup, one day at a time. The distinct members of the 7 or 30 days
 * ending day D are then those whose last day (through D - 1) falls in the
 * window, plus D's members whose last day does not: a count over this table
 * (kept with D - 1's rollup) and a join with one day's rows, instead of a
 * distinct count over 30 days of raw records (for the rollup of D, and for
 * today's numbers in /stats).
 */
export const analyticsMembers = sqliteTable(
  'analytics_members',
  {
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    activeDay: text('active_day'),
    spokeDay: text('spoke_day'),
    checkinDay: text('checkin_day'),
  },
  // The days by member, covering: a day's rows are looked up in it without touching the table (SQLite is told to use it, see repo.ts).
  (t) => [primaryKey({ columns: [t.communityId, t.memberId] }), index('analytics_members_days').on(t.communityId, t.memberId, t.activeDay, t.spokeDay, t.checkinDay)],
);
