import type { Sql } from '../../store/sql.js';
import type { quizSessions, quizRounds, quizAnswers, quizSchedules } from './schema.js';
import type { RowOf } from '../../store/rows.js';

export type QuizMode = 'first' | 'all';

/** A `SELECT *` row of quizSessions (its type follows the table's definition). */
export type SessionRow = RowOf<typeof quizSessions>;

/** A `SELECT *` row of quizRounds (its type follows the table's definition). */
export type RoundRow = RowOf<typeof quizRounds>;

/** A `SELECT *` row of quizAnswers (its type follows the table's definition). */
export type AnswerRow = RowOf<typeof quizAnswers>;

export interface ScoreRow {
  member_id: number;
  display_name: string;
  points: number;
  correct: number;
}

/** A `SELECT *` row of quizSchedules (its type follows the table's definition). */
export type ScheduleRow = RowOf<typeof quizSchedules>;

export function createQuizRepo(sql: Sql) {
  const insertSession = sql.prepare<[number, string, string, string, string, number, number | null, number], { id: number }>(
    `INSERT INTO quiz_sessions (community_id, bank, bank_name, mode, locale, question_count, status, started_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?) RETURNING id`,
  );
  const insertRound = sql.prepare<[number, number, string, string, number]>(
    "INSERT INTO quiz_rounds (session_id, n, question_id, question_json, seconds, status) VALUES (?, ?, ?, ?, ?, 'pending')",
  );
  const session = sql.prepare<[number], SessionRow>('SELECT * FROM quiz_sessions WHERE id = ?');
  const running = sql.prepare<[number], SessionRow>("SELECT * FROM quiz_sessions WHERE community_id = ? AND status = 'running'");
  const endSession = sql.prepare<[string, number, number]>("UPDATE quiz_sessions SET status = ?, ended_at = ? WHERE id = ? AND status = 'running'");
  const round = sql.prepare<[number], RoundRow>('SELECT * FROM quiz_rounds WHERE id = ?');
  const roundByN = sql.prepare<[number, number], RoundRow>('SELECT * FROM quiz_rounds WHERE session_id = ? AND n = ?');
  const openRound = sql.prepare<[number], RoundRow>("SELECT * FROM quiz_rounds WHERE session_id = ? AND status = 'open'");
  const openRoundInCommunity = sql.prepare<[number], RoundRow & { mode: QuizMode }>(
    `SELECT r.*, s.mode FROM quiz_rounds r JOIN quiz_sessions s ON s.id = r.session_id
     WHERE s.community_id = ? AND s.status = 'running' AND r.status = 'open'`,
  );
  const allOpen = sql.prepare<[], RoundRow>(
    "SELECT r.* FROM quiz_rounds r JOIN quiz_sessions s ON s.id = r.session_id WHERE s.status = 'running' AND r.status = 'open'",
  );
  const open = sql.prepare<[number, number, number]>("UPDATE quiz_rounds SET status = 'open', opened_at = ?, due_at = ? WHERE id = ? AND status = 'pending'");
  const close = sql.prepare<[number, number]>("UPDATE quiz_rounds SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'");
  const closePending = sql.prepare<[number, number]>("UPDATE quiz_rounds SET status = 'closed', closed_at = ? WHERE session_id = ? AND status <> 'closed'");
  const insertAnswer = sql.prepare<[number, number, string, number, number, number]>(
    'INSERT INTO quiz_answers (round_id, member_id, text, correct, points, answered_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const answersOf = sql.prepare<[number], AnswerRow & { display_name: string }>(
    'SELECT a.*, m.display_name FROM quiz_answers a JOIN members m ON m.id = a.member_id WHERE a.round_id = ? ORDER BY a.answered_at, a.id',
  );
  const scores = sql.prepare<[number], ScoreRow>(
    `SELECT a.member_id, m.display_name, SUM(a.points) AS points, SUM(a.correct) AS correct
     FROM quiz_answers a JOIN quiz_rounds r ON r.id = a.round_id JOIN members m ON m.id = a.member_id
     WHERE r.session_id = ? GROUP BY a.member_id, m.display_name HAVING SUM(a.correct) > 0 ORDER BY points DESC, MIN(a.answered_at) LIMIT 10`,
  );
  const insertSchedule = sql.prepare<[number, string, string, string, string | null, number, number], { id: number }>(
    "INSERT INTO quiz_schedules (community_id, cron, timezone, options_json, remind, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id",
  );
  const remindersPosted = sql.prepare<[number, number, number], { created_at: number; source: string }>(
    "SELECT created_at, source FROM deliveries WHERE community_id = ? AND created_at >= ? AND created_at < ? AND source LIKE 'quiz-remind:%' ORDER BY created_at, id",
  );
  const scheduleById = sql.prepare<[number], ScheduleRow>('SELECT * FROM quiz_schedules WHERE id = ?');
  const schedulesOf = sql.prepare<[number], ScheduleRow>("SELECT * FROM quiz_schedules WHERE community_id = ? AND status = 'active' ORDER BY id");
  const activeSchedules = sql.prepare<[], ScheduleRow>("SELECT * FROM quiz_schedules WHERE status = 'active'");
  const removeSchedule = sql.prepare<[number]>("UPDATE quiz_schedules SET status = 'removed' WHERE id = ? AND status = 'active'");
  const insertRun = sql.prepare<[number, string, number]>('INSERT INTO quiz_schedule_runs (schedule_id, run_key, fired_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const runSession = sql.prepare<[number, number, string]>('UPDATE quiz_schedule_runs SET session_id = ? WHERE schedule_id = ? AND run_key = ?');
  const openingsBetween = sql.prepare<[number, number, number], { schedule_id: number; fired_at: number }>(
    `SELECT r.schedule_id, r.fired_at FROM quiz_schedule_runs r JOIN quiz_schedules s ON s.id = r.schedule_id
     WHERE s.community_id = ? AND r.session_id IS NOT NULL AND r.fired_at >= ? AND r.fired_at < ? ORDER BY r.fired_at`,
  );
  return {
    insertSchedule: async (p: { communityId: number; cron: string; timezone: string; options: unknown; remind: string | null; createdBy: number; at: number }) =>
      ((await insertSchedule.get(p.communityId, p.cron, p.timezone, JSON.stringify(p.options), p.remind, p.createdBy, p.at)) as { id: number }).id,
    /** Warm-up reminders posted in [from, to) (outbox source `quiz-remind:<schedule>`). */
    remindersPosted: (communityId: number, from: number, to: number) => remindersPosted.all(communityId, from, to),
    schedule: (id: number) => scheduleById.get(id),
    schedulesOf: (communityId: number) => schedulesOf.all(communityId),
    activeSchedules: () => activeSchedules.all(),
    removeSchedule: async (id: number) => (await removeSchedule.run(id)) === 1,
    /** False when this scheduler tick was handled before. */
    recordRun: async (scheduleId: number, runKey: string, at: number) => (await insertRun.run(scheduleId, runKey, at)) === 1,
    setRunSession: (scheduleId: number, runKey: string, sessionId: number) => runSession.run(sessionId, scheduleId, runKey),
    /** Scheduled runs that opened a quiz in [from, to). */
    openingsBetween: (communityId: number, from: number, to: number) => openingsBetween.all(communityId, from, to),
    insertSession: async (p: { communityId: number; bank: string; bankName: string; mode: QuizMode; locale: string; count: number; startedBy: number | null; at: number }) =>
      ((await insertSession.get(p.communityId, p.bank, p.bankName, p.mode, p.locale, p.count, p.startedBy, p.at)) as { id: number }).id,
    insertRound: (sessionId: number, n: number, questionId: string, questionJson: string, seconds: number) => insertRound.run(sessionId, n, questionId, questionJson, seconds),
    session: (id: number) => session.get(id),
    running: (communityId: number) => running.get(communityId),
    /** Compare-and-set: running → finished | stopped. */
    endSession: async (id: number, to: 'finished' | 'stopped', at: number) => (await endSession.run(to, at, id)) === 1,
    round: (id: number) => round.get(id),
    roundByN: (sessionId: number, n: number) => roundByN.get(sessionId, n),
    openRound: (sessionId: number) => openRound.get(sessionId),
    openRoundInCommunity: (communityId: number) => openRoundInCommunity.get(communityId),
    allOpen: () => allOpen.all(),
    /** Compare-and-set: pending → open. */
    openRoundAt: async (id: number, at: number, dueAt: number) => (await open.run(at, dueAt, id)) === 1,
    /** Compare-and-set: open → closed. */
    closeRound: async (id: number, at: number) => (await close.run(at, id)) === 1,
    closeRemaining: (sessionId: number, at: number) => closePending.run(at, sessionId),
    /** False when the member answered this round before. */
    insertAnswer: async (roundId: number, memberId: number, text: string, correct: boolean, points: number, at: number) =>
      (await insertAnswer.run(roundId, memberId, text, correct ? 1 : 0, points, at)) === 1,
    answers: (roundId: number) => answersOf.all(roundId),
    scores: (sessionId: number) => scores.all(sessionId),
  };
}

export type QuizRepo = ReturnType<typeof createQuizRepo>;
