import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * Member lifecycle (入群欢迎, 新用户引导, 活跃, 用户分层, 沉默用户激活).
 * Everything that fires later (a batched welcome, a follow-up) is a row
 * with its due time and status first; the timers only say when.
 */

/** Messages and commands per member per community day: the basis of segments and nudges. */
export const memberActivity = sqliteTable(
  'member_activity',
  {
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    day: text('day').notNull(),
    messages: integer('messages').notNull().default(0),
    commands: integer('commands').notNull().default(0),
    /** Activity points earned that day. */
    points: integer('points').notNull().default(0),
    /** 1 when the member hit an activity cap that day (anti-farming report). */
    capped: integer('capped').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.memberId, t.day] }), index('member_activity_day').on(t.communityId, t.day), index('member_activity_member').on(t.memberId, t.day)],
);

/** Per-member state for activity points and nudges. */
export const lifecycleMembers = sqliteTable('lifecycle_members', {
  memberId: integer('member_id').primaryKey().references(() => members.id),
  communityId: integer('community_id').notNull().references(() => communities.id),
  lastTextHash: text('last_text_hash'),
  lastPointAt: integer('last_point_at'),
  /** 1: opted out of nudges with /quiet. */
  quiet: integer('quiet').notNull().default(0),
});

/** Joins gathered per community minute; the `welcome-batch-<community>-<minute>` timer posts them. */
export const welcomeBatches = sqliteTable(
  'welcome_batches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    minute: integer('minute').notNull(),
    dueAt: integer('due_at').notNull(),
    status: text('status', { enum: ['open', 'done'] }).notNull(),
  },
  (t) => [uniqueIndex('welcome_batches_minute').on(t.communityId, t.minute), index('welcome_batches_status').on(t.status)],
);

export const welcomes = sqliteTable(
  'welcomes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    batchId: integer('batch_id').notNull().references(() => welcomeBatches.id),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    rejoin: integer('rejoin').notNull().default(0),
    bonus: integer('bonus').notNull().default(0),
    status: text('status', { enum: ['pending', 'sent', 'skipped'] }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('welcomes_batch').on(t.batchId, t.status), index('welcomes_member').on(t.memberId)],
);

/** Onboarding follow-ups (day 1, 3, 7 by default); one row per member and step, ever. */
export const followups = sqliteTable(
  'followups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    step: integer('step').notNull(),
    dueAt: integer('due_at').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'skipped'] }).notNull(),
    tip: text('tip'),
    doneAt: integer('done_at'),
  },
  (t) => [uniqueIndex('followups_member_step').on(t.memberId, t.step), index('followups_status').on(t.status, t.dueAt)],
);

/** Silent-member nudges; `returned_at` is set when the member is active within the effect window. */
export const nudges = sqliteTable(
  'nudges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    day: text('day').notNull(),
    nudgedAt: integer('nudged_at').notNull(),
    returnedAt: integer('returned_at'),
  },
  (t) => [uniqueIndex('nudges_member_day').on(t.memberId, t.day), index('nudges_community').on(t.communityId, t.nudgedAt)],
);

/** One daily run (snapshot + nudges) per community day, so a re-run changes nothing. */
export const lifecycleDailyRuns = sqliteTable(
  'lifecycle_daily_runs',
  {
    communityId: integer('community_id').notNull().references(() => communities.id),
    day: text('day').notNull(),
    ranAt: integer('ran_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.day] })],
);

export const segmentSnapshots = sqliteTable(
  'segment_snapshots',
  {
    communityId: integer('community_id').notNull().references(() => communities.id),
    day: text('day').notNull(),
    segment: text('segment').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.day, t.segment] })],
);

/**
 * Each present member's segment as of the last daily run, and the day it
 * became so: the daily run compares today's segment with this one and writes
 * only the members whose segment changed. A member who left is dropped.
 */
export const memberSegments = sqliteTable(
  'member_segments',
  {
    memberId: integer('member_id').primaryKey().references(() => members.id),
    communityId: integer('community_id').notNull().references(() => communities.id),
    segment: text('segment').notNull(),
    sinceDay: text('since_day').notNull(),
  },
  (t) => [index('member_segments_community').on(t.communityId)],
);

/** Members who moved from one segment to another, per community day (written by that day's daily run, once). */
export const segmentTransitions = sqliteTable(
  'segment_transitions',
  {
    communityId: integer('community_id').notNull().references(() => communities.id),
    day: text('day').notNull(),
    fromSegment: text('from_segment').notNull(),
    toSegment: text('to_segment').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.day, t.fromSegment, t.toSegment] })],
);

/**
 * Rules acceptance (optional): the welcome carries an "I accept the rules"
 * action; a member who has not accepted by `reminder_due_at` is reminded once
 * (timer `rules-reminder-<member>`).
 */
export const rulesAcceptances = sqliteTable('rules_acceptances', {
  memberId: integer('member_id').primaryKey().references(() => members.id),
  communityId: integer('community_id').notNull().references(() => communities.id),
  acceptedAt: integer('accepted_at'),
  reminderDueAt: integer('reminder_due_at'),
  remindedAt: integer('reminded_at'),
  /** Acceptance gating (lifecycle.rules.gate): when the member was last told, privately, that points and lotteries wait for /accept (once per window). */
  gateRemindedAt: integer('gate_reminded_at'),
});

/**
 * Texts an admin set for one community (`/rules set`, `/rules welcome`):
 * `kind` is 'rules' or 'welcome'. They win over the config's texts.
 */
export const communityTexts = sqliteTable(
  'community_texts',
  {
    communityId: integer('community_id').notNull().references(() => communities.id),
    kind: text('kind').notNull(),
    text: text('text').notNull(),
    updatedBy: integer('updated_by').references(() => members.id),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.kind] })],
);
