/** Reads for the dashboard (the other features' tables); statements prepared once. Every read is scoped to one community. */
import type { Sql } from '../../store/sql.js';

/** Rows listed per table: the page shows the latest; a year of a busy community stays a small answer. */
export const LIST_LIMIT = 30;

export function createDashboardRepo(sql: Sql) {
  const communities = sql.prepare<[], { id: number; name: string; platform: string }>('SELECT id, name, platform FROM communities ORDER BY id');
  const memberCount = sql.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM members WHERE community_id = ? AND left_at IS NULL');
  const segments = sql.prepare<[number, string, string], { day: string; segment: string; count: number }>(
    'SELECT day, segment, count FROM segment_snapshots WHERE community_id = ? AND day >= ? AND day <= ? ORDER BY day, segment',
  );
  // The names and points of the top members analytics found (features/analytics: stored with each day's rollup).
  const memberCard = sql.prepare<[number, number], { display_name: string; earned: number | null }>(
    'SELECT m.display_name, (SELECT MAX(p.earned) FROM member_points p WHERE p.member_id = m.id) AS earned FROM members m WHERE m.id = ? AND m.community_id = ?',
  );
  const lotteries = sql.prepare<[number, number], { id: number; prize: string; status: string; created_at: number; ends_at: number; entrant_count: number }>(
    'SELECT id, prize, status, created_at, ends_at, entrant_count FROM lotteries WHERE community_id = ? ORDER BY created_at DESC, id DESC LIMIT ?',
  );
  const quizzes = sql.prepare<[number, number], { id: number; bank_name: string; status: string; created_at: number; ended_at: number | null; participants: number }>(
    `SELECT s.id, s.bank_name, s.status, s.created_at, s.ended_at,
            (SELECT COUNT(DISTINCT a.member_id) FROM quiz_answers a JOIN quiz_rounds r ON r.id = a.round_id WHERE r.session_id = s.id) AS participants
       FROM quiz_sessions s WHERE s.community_id = ? ORDER BY s.created_at DESC, s.id DESC LIMIT ?`,
  );
  // Anonymous polls keep one voter hash per member while open; at the close their votes are erased and `results_json` keeps the voter count.
  const polls = sql.prepare<[number, number], { id: number; question: string; status: string; created_at: number; ends_at: number | null; closed_at: number | null; results_json: string | null; voters: number }>(
    `SELECT p.id, p.question, p.status, p.created_at, p.ends_at, p.closed_at, p.results_json,
            (SELECT COUNT(DISTINCT v.voter) FROM poll_votes v WHERE v.poll_id = p.id) AS voters
       FROM polls p WHERE p.community_id = ? ORDER BY p.created_at DESC, p.id DESC LIMIT ?`,
  );
  const posts = sql.prepare<[number, number], { id: number; kind: 'once' | 'cron'; cron: string | null; due_at: number | null; text: string; status: 'active' | 'paused'; runs: number; last_run_at: number | null }>(
    `SELECT id, kind, cron, due_at, text, status, runs, last_run_at FROM scheduled_posts
      WHERE community_id = ? AND status IN ('active', 'paused') ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, id LIMIT ?`,
  );
  const outboxCounts = sql.prepare<[number, number], { pending: number; failed: number; oldest_pending: number | null }>(
    `SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending,
            COALESCE(SUM(CASE WHEN status = 'failed' AND created_at >= ? THEN 1 ELSE 0 END), 0) AS failed,
            MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest_pending
       FROM deliveries WHERE community_id = ? AND status IN ('pending', 'failed')`,
  );
  const failures = sql.prepare<[number, number], { id: number; source: string; last_error: string | null; created_at: number; attempts: number }>(
    "SELECT id, source, last_error, created_at, attempts FROM deliveries WHERE community_id = ? AND status = 'failed' ORDER BY id DESC LIMIT ?",
  );
  const num = (n: number | null): number => Number(n ?? 0);
  return {
    communities: () => communities.all(),
    memberCount: async (communityId: number) => num((await memberCount.get(communityId))?.n ?? 0),
    segments: (communityId: number, from: string, to: string) => segments.all(communityId, from, to),
    /** A member's name and points earned; undefined for a member of another community. */
    memberCard: async (communityId: number, memberId: number) => {
      const r = await memberCard.get(memberId, communityId);
      return r ? { name: r.display_name, earned: num(r.earned) } : undefined;
    },
    lotteries: (communityId: number) => lotteries.all(communityId, LIST_LIMIT),
    quizzes: (communityId: number) => quizzes.all(communityId, LIST_LIMIT),
    polls: (communityId: number) => polls.all(communityId, LIST_LIMIT),
    posts: (communityId: number) => posts.all(communityId, LIST_LIMIT),
    outbox: async (communityId: number, failedSince: number) => {
      const row = await outboxCounts.get(failedSince, communityId);
      return { pending: num(row?.pending ?? 0), failed: num(row?.failed ?? 0), oldestPending: row?.oldest_pending == null ? null : Number(row.oldest_pending) };
    },
    failures: (communityId: number) => failures.all(communityId, LIST_LIMIT),
  };
}

export type DashboardRepo = ReturnType<typeof createDashboardRepo>;
