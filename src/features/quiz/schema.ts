import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * Quiz sessions (答题). SQLite holds each question's deadline and status
 * (pending → open → closed, by compare-and-set); BullMQ only times the close
 * (`quiz-<session>-<n>`). A round keeps a snapshot of its question, so a
 * restart or an edited bank does not change a running quiz.
 */
export const quizSessions = sqliteTable(
  'quiz_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    bank: text('bank').notNull(),
    bankName: text('bank_name').notNull(),
    mode: text('mode', { enum: ['first', 'all'] }).notNull(),
    locale: text('locale').notNull(),
    questionCount: integer('question_count').notNull(),
    status: text('status', { enum: ['running', 'finished', 'stopped'] }).notNull(),
    startedBy: integer('started_by').references(() => members.id),
    createdAt: integer('created_at').notNull(),
    endedAt: integer('ended_at'),
  },
  (t) => [
    // At most one running quiz per community.
    uniqueIndex('quiz_sessions_running').on(t.communityId).where(sql`status = 'running'`),
    index('quiz_sessions_status').on(t.status),
  ],
);

export const quizRounds = sqliteTable(
  'quiz_rounds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: integer('session_id').notNull().references(() => quizSessions.id),
    n: integer('n').notNull(),
    questionId: text('question_id').notNull(),
    /** JSON snapshot of the bank question (text, choices, answers, numeric, points). */
    questionJson: text('question_json').notNull(),
    seconds: integer('seconds').notNull(),
    status: text('status', { enum: ['pending', 'open', 'closed'] }).notNull(),
    openedAt: integer('opened_at'),
    dueAt: integer('due_at'),
    closedAt: integer('closed_at'),
  },
  (t) => [uniqueIndex('quiz_rounds_session_n').on(t.sessionId, t.n), index('quiz_rounds_status').on(t.status)],
);

/** One answer per member per question: the UNIQUE index refuses a second one. */
export const quizAnswers = sqliteTable(
  'quiz_answers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    roundId: integer('round_id').notNull().references(() => quizRounds.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    text: text('text').notNull(),
    correct: integer('correct', { mode: 'boolean' }).notNull(),
    points: integer('points').notNull().default(0),
    answeredAt: integer('answered_at').notNull(),
  },
  (t) => [uniqueIndex('quiz_answers_round_member').on(t.roundId, t.memberId)],
);

/** Recurring quizzes ("每周三晚上 8 点答题"): a BullMQ job scheduler `quiz-schedule-<id>` per row. */
export const quizSchedules = sqliteTable(
  'quiz_schedules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull(),
    cron: text('cron').notNull(),
    timezone: text('timezone').notNull(),
    optionsJson: text('options_json').notNull(),
    /** Warm-up reminders before each opening (`remind=1d,1h`, core/reminders.ts), as typed and checked; NULL: none. */
    remind: text('remind'),
    status: text('status', { enum: ['active', 'removed'] }).notNull(),
    createdBy: integer('created_by'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('quiz_schedules_community').on(t.communityId, t.status)],
);

/** One row per scheduler tick: a tick that runs twice starts one quiz. */
export const quizScheduleRuns = sqliteTable(
  'quiz_schedule_runs',
  {
    scheduleId: integer('schedule_id').notNull(),
    runKey: text('run_key').notNull(),
    sessionId: integer('session_id'),
    firedAt: integer('fired_at').notNull(),
  },
  (t) => [uniqueIndex('quiz_schedule_runs_key').on(t.scheduleId, t.runKey)],
);
