/** Reads for community metrics (the other features' tables) and the membership event log; statements prepared once. */
import type { Sql } from '../../store/sql.js';

export function createAnalyticsRepo(sql: Sql) {
  const record = sql.prepare<[number, number, string, number]>('INSERT INTO membership_events (community_id, member_id, kind, at) VALUES (?, ?, ?, ?)');
  const members = sql.prepare<[number], { id: number; created_at: number; left_at: number | null }>('SELECT id, created_at, left_at FROM members WHERE community_id = ? ORDER BY id');
  const events = sql.prepare<[number], { member_id: number; kind: 'join' | 'leave'; at: number }>('SELECT member_id, kind, at FROM membership_events WHERE community_id = ? ORDER BY at, id');
  const activity = sql.prepare<[number, string, string], { member_id: number; day: string; messages: number; commands: number }>(
    'SELECT member_id, day, messages, commands FROM member_activity WHERE community_id = ? AND day >= ? AND day <= ?',
  );
  const checkins = sql.prepare<[number, string, string], { member_id: number; day: string }>('SELECT member_id, day FROM checkins WHERE community_id = ? AND day >= ? AND day <= ?');
  // Votes in anonymous polls carry no member and no time (features/poll/schema.ts): they cannot count here.
  const participations = sql.prepare<[number, number, number, number, number, number, number, number, number], { member_id: number; at: number }>(
    `SELECT e.member_id, e.created_at AS at FROM lottery_entries e JOIN lotteries l ON l.id = e.lottery_id
       WHERE l.community_id = ? AND e.created_at >= ? AND e.created_at < ?
     UNION ALL
     SELECT a.member_id, a.answered_at AS at FROM quiz_answers a JOIN quiz_rounds r ON r.id = a.round_id JOIN quiz_sessions s ON s.id = r.session_id
       WHERE s.community_id = ? AND a.answered_at >= ? AND a.answered_at < ?
     UNION ALL
     SELECT v.member_id, v.created_at AS at FROM poll_votes v JOIN polls p ON p.id = v.poll_id
       WHERE p.community_id = ? AND v.member_id IS NOT NULL AND v.created_at >= ? AND v.created_at < ?`,
  );
  return {
    recordMembership: (communityId: number, memberId: number, kind: 'join' | 'leave', at: number) => record.run(communityId, memberId, kind, at),
    members: (communityId: number) => members.all(communityId),
    membershipEvents: (communityId: number) => events.all(communityId),
    activity: (communityId: number, from: string, to: string) => activity.all(communityId, from, to),
    checkins: (communityId: number, from: string, to: string) => checkins.all(communityId, from, to),
    /** Lottery entries and quiz answers in [from, to). */
    participations: (communityId: number, from: number, to: number) => participations.all(communityId, from, to, communityId, from, to, communityId, from, to),
  };
}

export type AnalyticsRepo = ReturnType<typeof createAnalyticsRepo>;
