/** Reads for community metrics (the other features' tables) and the membership event log; statements prepared once. */
import type { Sql } from '../../store/sql.js';
import type { DailyRollup } from './rules.js';

const ROLLUP_COLUMNS = [
  'members', 'joins', 'leaves', 'messages', 'commands',
  'active', 'active7', 'active30', 'speakers', 'speakers7', 'speakers30',
  'checkins', 'checkins7', 'checkins30', 'participants', 'participants7', 'participants30',
] as const satisfies ReadonlyArray<Exclude<keyof DailyRollup, 'day'>>;
type RollupParams = [number, string, ...number[]];

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
  const upsertRollup = sql.prepare<RollupParams>(
    `INSERT INTO analytics_daily (community_id, day, ${ROLLUP_COLUMNS.join(', ')}, rolled_at) VALUES (?, ?, ${ROLLUP_COLUMNS.map(() => '?').join(', ')}, ?)
     ON CONFLICT (community_id, day) DO UPDATE SET ${[...ROLLUP_COLUMNS, 'rolled_at'].map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  const rollups = sql.prepare<[number, string, string], DailyRollup>(`SELECT day, ${ROLLUP_COLUMNS.join(', ')} FROM analytics_daily WHERE community_id = ? AND day >= ? AND day <= ? ORDER BY day`);
  const rolledDays = sql.prepare<[number, string, string], { day: string }>('SELECT day FROM analytics_daily WHERE community_id = ? AND day >= ? AND day <= ? ORDER BY day');
  const pruneRollups = sql.prepare<[number, string]>('DELETE FROM analytics_daily WHERE community_id = ? AND day < ?');
  const alertsOf = sql.prepare<[number], { open_alerts: string | null }>('SELECT open_alerts FROM analytics_state WHERE community_id = ?');
  const setAlerts = sql.prepare<[number, string]>(
    'INSERT INTO analytics_state (community_id, open_alerts) VALUES (?, ?) ON CONFLICT (community_id) DO UPDATE SET open_alerts = excluded.open_alerts',
  );
  const state = sql.prepare<[number], { raw_pruned_before: string | null }>('SELECT raw_pruned_before FROM analytics_state WHERE community_id = ?');
  const setPruned = sql.prepare<[number, string]>(
    'INSERT INTO analytics_state (community_id, raw_pruned_before) VALUES (?, ?) ON CONFLICT (community_id) DO UPDATE SET raw_pruned_before = excluded.raw_pruned_before',
  );
  // Each member's latest activity row stays (lifecycle reads a member's last active day from it).
  const pruneActivity = sql.prepare<[number, string]>(
    `DELETE FROM member_activity WHERE community_id = ? AND day < ?
       AND EXISTS (SELECT 1 FROM member_activity later WHERE later.member_id = member_activity.member_id AND later.community_id = member_activity.community_id AND later.day > member_activity.day)`,
  );
  // Each member's latest event before the horizon stays: it says whether they were present then, so the spells after it are unchanged.
  // (A later event after the horizon is not enough: a leave before it and a rejoin after it must both stay.)
  const pruneEvents = sql.prepare<[number, number, number]>(
    `DELETE FROM membership_events WHERE community_id = ? AND at < ?
       AND EXISTS (SELECT 1 FROM membership_events later WHERE later.member_id = membership_events.member_id AND later.at < ?
         AND (later.at > membership_events.at OR (later.at = membership_events.at AND later.id > membership_events.id)))`,
  );
  const communities = sql.prepare<[], { id: number; created_at: number }>('SELECT id, created_at FROM communities ORDER BY id');
  const recent = sql.prepare<[number, string, number, number], { n: number }>(
    'SELECT COUNT(DISTINCT member_id) AS n FROM membership_events WHERE community_id = ? AND kind = ? AND at > ? AND at <= ?',
  );
  return {
    saveRollup: (communityId: number, row: DailyRollup, at: number) => upsertRollup.run(communityId, row.day, ...ROLLUP_COLUMNS.map((c) => row[c]), at),
    rollups: async (communityId: number, from: string, to: string): Promise<DailyRollup[]> => (await rollups.all(communityId, from, to)).map((r) => ({ ...r, ...Object.fromEntries(ROLLUP_COLUMNS.map((c) => [c, Number(r[c])])) })),
    rolledDays: async (communityId: number, from: string, to: string) => new Set((await rolledDays.all(communityId, from, to)).map((r) => r.day)),
    pruneRollups: (communityId: number, before: string) => pruneRollups.run(communityId, before),
    openAlerts: async (communityId: number): Promise<string[]> => JSON.parse((await alertsOf.get(communityId))?.open_alerts ?? '[]') as string[],
    setOpenAlerts: (communityId: number, open: readonly string[]) => setAlerts.run(communityId, JSON.stringify([...open].sort())),
    rawPrunedBefore: async (communityId: number) => (await state.get(communityId))?.raw_pruned_before ?? null,
    setRawPrunedBefore: (communityId: number, day: string) => setPruned.run(communityId, day),
    pruneActivity: (communityId: number, before: string) => pruneActivity.run(communityId, before),
    pruneEvents: (communityId: number, before: number) => pruneEvents.run(communityId, before, before),
    communities: () => communities.all(),
    /** Distinct members with a `kind` event in (from, to]. */
    recentMembers: async (communityId: number, kind: 'join' | 'leave', from: number, to: number) => Number((await recent.get(communityId, kind, from, to))?.n ?? 0),
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
