/** Reads for the weekly report (周报) beyond the headline numbers; statements prepared once. */
import type { Sql } from '../../store/sql.js';

/** A member counts as new at an activity when first seen in the community at most this long before it began (or since). */
export const NEW_MEMBER_MS = 7 * 24 * 3600 * 1000;

export interface ActivityRow {
  kind: 'lottery' | 'quiz' | 'poll';
  id: number;
  name: string;
  started_at: number;
  participants: number;
  /** Participants first seen within NEW_MEMBER_MS before the activity began. */
  newcomers: number;
}

export interface NamedCount {
  member_id: number;
  name: string;
  n: number;
}

type Row = Omit<ActivityRow, 'kind'>;

export function createReportRepo(sql: Sql) {
  const lotteries = sql.prepare<[number, number, number, number, number, number], Row>(
    `SELECT l.id, l.prize AS name, l.created_at AS started_at, COUNT(e.member_id) AS participants,
        COALESCE(SUM(CASE WHEN m.created_at >= l.created_at - ? THEN 1 ELSE 0 END), 0) AS newcomers
       FROM lotteries l LEFT JOIN lottery_entries e ON e.lottery_id = l.id LEFT JOIN members m ON m.id = e.member_id
      WHERE l.community_id = ? AND l.status <> 'cancelled' AND ((l.created_at >= ? AND l.created_at < ?) OR (l.ends_at >= ? AND l.ends_at < ?))
      GROUP BY l.id, l.prize, l.created_at ORDER BY l.created_at, l.id`,
  );
  const quizzes = sql.prepare<[number, number, number, number, number, number, number], Row>(
    `SELECT s.id, s.bank_name AS name, s.created_at AS started_at, COUNT(p.member_id) AS participants,
        COALESCE(SUM(CASE WHEN m.created_at >= s.created_at - ? THEN 1 ELSE 0 END), 0) AS newcomers
       FROM quiz_sessions s
       LEFT JOIN (SELECT DISTINCT r.session_id, a.member_id FROM quiz_answers a JOIN quiz_rounds r ON r.id = a.round_id JOIN quiz_sessions w ON w.id = r.session_id
                   WHERE w.community_id = ? AND w.created_at >= ? AND w.created_at < ?) p ON p.session_id = s.id
       LEFT JOIN members m ON m.id = p.member_id
      WHERE s.community_id = ? AND s.created_at >= ? AND s.created_at < ?
      GROUP BY s.id, s.bank_name, s.created_at ORDER BY s.created_at, s.id`,
  );
  // Votes are counted by voter (a member, or the keyed hash of an anonymous poll's voter), once per poll however many options they chose.
  const polls = sql.prepare<[number, number, number, number, number, number], Row>(
    `SELECT p.id, p.question AS name, p.created_at AS started_at, COUNT(v.voter) AS participants,
        COALESCE(SUM(CASE WHEN m.created_at >= p.created_at - ? THEN 1 ELSE 0 END), 0) AS newcomers
       FROM polls p LEFT JOIN (SELECT DISTINCT poll_id, voter, member_id FROM poll_votes) v ON v.poll_id = p.id LEFT JOIN members m ON m.id = v.member_id
      WHERE p.community_id = ? AND ((p.created_at >= ? AND p.created_at < ?) OR (p.closed_at >= ? AND p.closed_at < ?))
      GROUP BY p.id, p.question, p.created_at ORDER BY p.created_at, p.id`,
  );
  const top = sql.prepare<[number, string, string, number], NamedCount>(
    `SELECT a.member_id, m.display_name AS name, SUM(a.messages + a.commands) AS n
       FROM member_activity a JOIN members m ON m.id = a.member_id
      WHERE a.community_id = ? AND a.day >= ? AND a.day <= ?
      GROUP BY a.member_id, m.display_name HAVING SUM(a.messages + a.commands) > 0 ORDER BY n DESC, a.member_id LIMIT ?`,
  );
  // Present members active in the week before and not in this one.
  const silent = sql.prepare<[number, string, string, string, string], { member_id: number; name: string }>(
    `SELECT m.id AS member_id, m.display_name AS name FROM members m
      WHERE m.community_id = ? AND m.left_at IS NULL
        AND EXISTS (SELECT 1 FROM member_activity a WHERE a.community_id = m.community_id AND a.member_id = m.id AND a.day >= ? AND a.day <= ? AND a.messages + a.commands > 0)
        AND NOT EXISTS (SELECT 1 FROM member_activity a WHERE a.community_id = m.community_id AND a.member_id = m.id AND a.day >= ? AND a.day <= ? AND a.messages + a.commands > 0)
      ORDER BY m.id`,
  );
  const alerts = sql.prepare<[number, number, number], { dedupe_key: string }>(
    "SELECT dedupe_key FROM deliveries WHERE community_id = ? AND source = 'analytics-alert' AND created_at >= ? AND created_at < ? ORDER BY id",
  );
  const claim = sql.prepare<[number, string, number]>('INSERT INTO analytics_weekly_reports (community_id, week, created_at) VALUES (?, ?, ?) ON CONFLICT (community_id, week) DO NOTHING');
  const communities = sql.prepare<[], { id: number; created_at: number }>('SELECT id, created_at FROM communities ORDER BY id');
  const n = (r: Row): Row => ({ ...r, participants: Number(r.participants), newcomers: Number(r.newcomers), started_at: Number(r.started_at) });
  return {
    /** Records the week's report for the community: false when it was recorded before (the run key). */
    claimWeek: async (communityId: number, week: string, at: number): Promise<boolean> => (await claim.run(communityId, week, at)) === 1,
    communities: async () => (await communities.all()).map((c) => ({ id: Number(c.id), created_at: Number(c.created_at) })),
    /** Lotteries created or ending, quizzes started and polls created or closed in [from, to), with their participation. */
    async activities(communityId: number, from: number, to: number): Promise<ActivityRow[]> {
      const rows: ActivityRow[] = [
        ...(await lotteries.all(NEW_MEMBER_MS, communityId, from, to, from, to)).map((r) => ({ kind: 'lottery' as const, ...n(r) })),
        ...(await quizzes.all(NEW_MEMBER_MS, communityId, from, to, communityId, from, to)).map((r) => ({ kind: 'quiz' as const, ...n(r) })),
        ...(await polls.all(NEW_MEMBER_MS, communityId, from, to, from, to)).map((r) => ({ kind: 'poll' as const, ...n(r) })),
      ];
      return rows.sort((a, b) => a.started_at - b.started_at || a.kind.localeCompare(b.kind) || a.id - b.id);
    },
    /** Members by messages and commands over the days [from, to], the most first. */
    topMembers: async (communityId: number, from: string, to: string, limit: number): Promise<NamedCount[]> =>
      (await top.all(communityId, from, to, limit)).map((r) => ({ ...r, n: Number(r.n) })),
    /** Present members active in [beforeFrom, beforeTo] and not in [from, to]. */
    silent: (communityId: number, beforeFrom: string, beforeTo: string, from: string, to: string) => silent.all(communityId, beforeFrom, beforeTo, from, to),
    /** The outbox keys of the analytics alerts made in [from, to). */
    alertKeys: async (communityId: number, from: number, to: number): Promise<string[]> => (await alerts.all(communityId, from, to)).map((r) => r.dedupe_key),
  };
}

export type ReportRepo = ReturnType<typeof createReportRepo>;
