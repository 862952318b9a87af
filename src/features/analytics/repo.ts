/** Reads for community metrics (the other features' tables) and the membership event log; statements prepared once. */
import type { Sql } from '../../store/sql.js';
import type { DailyRollup } from './rules.js';

const ROLLUP_COLUMNS = [
  'members', 'joins', 'leaves', 'messages', 'commands',
  'active', 'active7', 'active30', 'speakers', 'speakers7', 'speakers30',
  'checkins', 'checkins7', 'checkins30', 'participants', 'participants7', 'participants30',
] as const satisfies ReadonlyArray<Exclude<keyof DailyRollup, 'day'>>;
const EXTRA_COLUMNS = ['retained1', 'retained7', 'retained30', 'active6', 'active29', 'speakers6', 'speakers29', 'checkins6', 'checkins29', 'top_members'] as const;
type RollupParams = [number, string, ...Array<number | string | null>];

/** What a stored rollup keeps beside `DailyRollup`: the retention numerators counted that day, and the top members of its 30 days. */
export interface RollupExtras {
  retained: readonly [number, number, number] | null;
  /** Distinct members of the 6 and 29 days ending the day (see `LastCounts`). */
  next: LastCounts | null;
  /** [member id, active days, interactions], the most active first. */
  top: ReadonlyArray<readonly [number, number, number]> | null;
}

/**
 * Per kind, the members whose last day (in analytics_members through day D)
 * falls in the 6 and the 29 days ending D: the distinct members of those
 * windows, which are D + 1's 7- and 30-day counts less D + 1's newcomers.
 */
export interface LastCounts {
  active: { in7: number; in30: number };
  spoke: { in7: number; in30: number };
  checkin: { in7: number; in30: number };
}

/** A day's joins and the retention numerators counted on it (null: rolled up before they were kept). */
export interface RetentionDay {
  day: string;
  joins: number;
  retained1: number | null;
  retained7: number | null;
  retained30: number | null;
}

/** Members present just before an instant, by the rules of `spellsOf`: the latest event before it says; without one, first sight (and a leave kept only on the member row). */
const PRESENT_BEFORE = `SELECT COUNT(*) AS n FROM members m WHERE m.community_id = ? AND
  CASE (SELECT e.kind FROM membership_events e WHERE e.member_id = m.id AND e.at < ? ORDER BY e.at DESC, e.id DESC LIMIT 1)
    WHEN 'join' THEN 1 WHEN 'leave' THEN 0
    ELSE CASE WHEN m.created_at < ? AND (m.left_at IS NULL OR m.left_at >= ? OR EXISTS (SELECT 1 FROM membership_events x WHERE x.member_id = m.id)) THEN 1 ELSE 0 END
  END = 1`;

const num = (v: unknown): number => Number(v ?? 0);

/** Every participation in an activity (a lottery entry, a quiz answer, a named poll vote) of a community in [from, to): member and time; parameters (community, from, to) three times. */
const PARTICIPATIONS_SQL = `SELECT e.member_id, e.created_at AS at FROM lottery_entries e JOIN lotteries l ON l.id = e.lottery_id
       WHERE l.community_id = ? AND e.created_at >= ? AND e.created_at < ?
     UNION ALL
     SELECT a.member_id, a.answered_at AS at FROM quiz_answers a JOIN quiz_rounds r ON r.id = a.round_id JOIN quiz_sessions s ON s.id = r.session_id
       WHERE s.community_id = ? AND a.answered_at >= ? AND a.answered_at < ?
     UNION ALL
     SELECT v.member_id, v.created_at AS at FROM poll_votes v JOIN polls p ON p.id = v.poll_id
       WHERE p.community_id = ? AND v.member_id IS NOT NULL AND v.created_at >= ? AND v.created_at < ?`;

export function createAnalyticsRepo(sql: Sql) {
  const record = sql.prepare<[number, number, string, number]>('INSERT INTO membership_events (community_id, member_id, kind, at) VALUES (?, ?, ?, ?)');
  const members = sql.prepare<[number], { id: number; created_at: number; left_at: number | null }>('SELECT id, created_at, left_at FROM members WHERE community_id = ? ORDER BY id');
  const events = sql.prepare<[number], { member_id: number; kind: 'join' | 'leave'; at: number }>('SELECT member_id, kind, at FROM membership_events WHERE community_id = ? ORDER BY at, id');
  const activity = sql.prepare<[number, string, string], { member_id: number; day: string; messages: number; commands: number }>(
    'SELECT member_id, day, messages, commands FROM member_activity WHERE community_id = ? AND day >= ? AND day <= ?',
  );
  const checkins = sql.prepare<[number, string, string], { member_id: number; day: string }>('SELECT member_id, day FROM checkins WHERE community_id = ? AND day >= ? AND day <= ?');
  // Votes in anonymous polls carry no member and no time (features/poll/schema.ts): they cannot count here.
  const participations = sql.prepare<[number, number, number, number, number, number, number, number, number], { member_id: number; at: number }>(PARTICIPATIONS_SQL,
  );
  const upsertRollup = sql.prepare<RollupParams>(
    `INSERT INTO analytics_daily (community_id, day, ${[...ROLLUP_COLUMNS, ...EXTRA_COLUMNS].join(', ')}, rolled_at) VALUES (?, ?, ${[...ROLLUP_COLUMNS, ...EXTRA_COLUMNS].map(() => '?').join(', ')}, ?)
     ON CONFLICT (community_id, day) DO UPDATE SET ${[...ROLLUP_COLUMNS, ...EXTRA_COLUMNS, 'rolled_at'].map((c) => `${c} = excluded.${c}`).join(', ')}`,
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
  const communities = sql.prepare<[], { id: number; created_at: number }>('SELECT id, created_at FROM communities ORDER BY id');
  const community = sql.prepare<[number], { id: number; created_at: number }>('SELECT id, created_at FROM communities WHERE id = ?');

  // ── the rollup by SQL aggregates ──
  const presentBefore = sql.prepare<[number, number, number, number], { n: number }>(PRESENT_BEFORE);
  // The members whose presence may change within [from, to) (first seen, an event, a leave kept on the member row), with their whole history.
  const touched = sql.prepare<[number, number, number, number, number, number, number, number, number], { id: number; created_at: number; left_at: number | null; kind: 'join' | 'leave' | null; at: number | null }>(
    `WITH touched AS (
       SELECT id AS member_id FROM members WHERE community_id = ? AND created_at >= ? AND created_at < ?
       UNION SELECT id FROM members WHERE community_id = ? AND left_at >= ? AND left_at < ?
       UNION SELECT member_id FROM membership_events WHERE community_id = ? AND at >= ? AND at < ?)
     SELECT m.id, m.created_at, m.left_at, e.kind, e.at FROM touched t JOIN members m ON m.id = t.member_id
       LEFT JOIN membership_events e ON e.member_id = m.id ORDER BY m.id, e.at, e.id`,
  );
  const dayTotals = sql.prepare<[number, string, string], { day: string; active: number; speakers: number; messages: number; commands: number }>(
    `SELECT day, COUNT(*) AS active, SUM(CASE WHEN messages > 0 THEN 1 ELSE 0 END) AS speakers, SUM(messages) AS messages, SUM(commands) AS commands
       FROM member_activity WHERE community_id = ? AND day >= ? AND day <= ? AND messages + commands > 0 GROUP BY day`,
  );
  // Distinct members over the 7 and 30 days ending a day, straight from the raw records (a day rolled up again, or not in step with analytics_members).
  const activityWindows = sql.prepare<[string, string, number, string, string], { active7: number; active30: number; speakers7: number; speakers30: number }>(
    `SELECT COUNT(DISTINCT CASE WHEN day >= ? THEN member_id END) AS active7, COUNT(DISTINCT member_id) AS active30,
            COUNT(DISTINCT CASE WHEN messages > 0 AND day >= ? THEN member_id END) AS speakers7, COUNT(DISTINCT CASE WHEN messages > 0 THEN member_id END) AS speakers30
       FROM member_activity WHERE community_id = ? AND day >= ? AND day <= ? AND messages + commands > 0`,
  );
  const checkinWindows = sql.prepare<[string, string, number, string, string], { checkins: number; checkins7: number; checkins30: number }>(
    `SELECT COUNT(DISTINCT CASE WHEN day = ? THEN member_id END) AS checkins, COUNT(DISTINCT CASE WHEN day >= ? THEN member_id END) AS checkins7, COUNT(DISTINCT member_id) AS checkins30
       FROM checkins WHERE community_id = ? AND day >= ? AND day <= ?`,
  );
  // A day's activity against each member's last days before it (analytics_members through the day before): who is new to the 7 and 30 days.
  // SQLite is told to look the members up in the covering index (its planner prefers the primary key, then reads the table: twice the time).
  const membersJoin = (on: string) => ({
    sqlite: `LEFT JOIN analytics_members l INDEXED BY analytics_members_days ON ${on}`,
    postgres: `LEFT JOIN analytics_members l ON ${on}`,
  });
  const activityNewJoin = membersJoin('l.community_id = a.community_id AND l.member_id = a.member_id');
  const activityNewSql = (join: string) =>
    `SELECT COUNT(*) AS active, SUM(CASE WHEN a.messages > 0 THEN 1 ELSE 0 END) AS speakers, SUM(a.messages) AS messages, SUM(a.commands) AS commands,
            SUM(CASE WHEN l.active_day IS NULL OR l.active_day < ? THEN 1 ELSE 0 END) AS active7,
            SUM(CASE WHEN l.active_day IS NULL OR l.active_day < ? THEN 1 ELSE 0 END) AS active30,
            SUM(CASE WHEN a.messages > 0 AND (l.spoke_day IS NULL OR l.spoke_day < ?) THEN 1 ELSE 0 END) AS speakers7,
            SUM(CASE WHEN a.messages > 0 AND (l.spoke_day IS NULL OR l.spoke_day < ?) THEN 1 ELSE 0 END) AS speakers30
       FROM member_activity a ${join}
      WHERE a.community_id = ? AND a.day = ? AND a.messages + a.commands > 0`;
  const activityNew = sql.prepare<[string, string, string, string, number, string], { active: number; speakers: number; messages: number | null; commands: number | null; active7: number | null; active30: number | null; speakers7: number | null; speakers30: number | null }>({
    sqlite: activityNewSql(activityNewJoin.sqlite),
    postgres: activityNewSql(activityNewJoin.postgres),
  });
  const checkinsNewJoin = membersJoin('l.community_id = c.community_id AND l.member_id = c.member_id');
  const checkinsNewSql = (join: string) =>
    `SELECT COUNT(*) AS checkins, SUM(CASE WHEN l.checkin_day IS NULL OR l.checkin_day < ? THEN 1 ELSE 0 END) AS checkins7,
            SUM(CASE WHEN l.checkin_day IS NULL OR l.checkin_day < ? THEN 1 ELSE 0 END) AS checkins30
       FROM checkins c ${join}
      WHERE c.community_id = ? AND c.day = ?`;
  const checkinsNew = sql.prepare<[string, string, number, string], { checkins: number; checkins7: number | null; checkins30: number | null }>({
    sqlite: checkinsNewSql(checkinsNewJoin.sqlite),
    postgres: checkinsNewSql(checkinsNewJoin.postgres),
  });
  // Members whose last day falls in the 7 / 30 days ending the day this table is through: one pass over the community's rows (the nightly run).
  const lastCountsSql = (from: string) =>
    `SELECT SUM(CASE WHEN active_day >= ? THEN 1 ELSE 0 END) AS active7, SUM(CASE WHEN active_day >= ? THEN 1 ELSE 0 END) AS active30,
            SUM(CASE WHEN spoke_day >= ? THEN 1 ELSE 0 END) AS spoke7, SUM(CASE WHEN spoke_day >= ? THEN 1 ELSE 0 END) AS spoke30,
            SUM(CASE WHEN checkin_day >= ? THEN 1 ELSE 0 END) AS checkin7, SUM(CASE WHEN checkin_day >= ? THEN 1 ELSE 0 END) AS checkin30
       FROM ${from} WHERE community_id = ?`;
  const lastCounts = sql.prepare<[string, string, string, string, string, string, number], Record<'active7' | 'active30' | 'spoke7' | 'spoke30' | 'checkin7' | 'checkin30', number | null>>({
    sqlite: lastCountsSql('analytics_members INDEXED BY analytics_members_days'),
    postgres: lastCountsSql('analytics_members'),
  });
  const lastCountsOf = async (communityId: number, from7: string, from30: string): Promise<LastCounts> => {
    const r = await lastCounts.get(from7, from30, from7, from30, from7, from30, communityId);
    return { active: { in7: num(r?.active7), in30: num(r?.active30) }, spoke: { in7: num(r?.spoke7), in30: num(r?.spoke30) }, checkin: { in7: num(r?.checkin7), in30: num(r?.checkin30) } };
  };
  const storedNext = sql.prepare<[number, string], { active6: number | null; active29: number | null; speakers6: number | null; speakers29: number | null; checkins6: number | null; checkins29: number | null }>(
    'SELECT active6, active29, speakers6, speakers29, checkins6, checkins29 FROM analytics_daily WHERE community_id = ? AND day = ?',
  );
  const mergeActivity = sql.prepare<[number, string]>(
    `INSERT INTO analytics_members (community_id, member_id, active_day, spoke_day)
       SELECT community_id, member_id, day, CASE WHEN messages > 0 THEN day END FROM member_activity WHERE community_id = ? AND day = ? AND messages + commands > 0
     ON CONFLICT (community_id, member_id) DO UPDATE SET active_day = excluded.active_day, spoke_day = COALESCE(excluded.spoke_day, analytics_members.spoke_day)`,
  );
  const mergeCheckins = sql.prepare<[number, string]>(
    `INSERT INTO analytics_members (community_id, member_id, checkin_day)
       SELECT community_id, member_id, day FROM checkins WHERE community_id = ? AND day = ?
     ON CONFLICT (community_id, member_id) DO UPDATE SET checkin_day = excluded.checkin_day`,
  );
  const clearMembers = sql.prepare<[number]>('DELETE FROM analytics_members WHERE community_id = ?');
  const rebuildActivity = sql.prepare<[number, string, string]>(
    `INSERT INTO analytics_members (community_id, member_id, active_day, spoke_day)
       SELECT community_id, member_id, MAX(day), MAX(CASE WHEN messages > 0 THEN day END) FROM member_activity
        WHERE community_id = ? AND day >= ? AND day <= ? AND messages + commands > 0 GROUP BY community_id, member_id`,
  );
  const rebuildCheckins = sql.prepare<[number, string, string]>(
    `INSERT INTO analytics_members (community_id, member_id, checkin_day)
       SELECT community_id, member_id, MAX(day) FROM checkins WHERE community_id = ? AND day >= ? AND day <= ? GROUP BY community_id, member_id
     ON CONFLICT (community_id, member_id) DO UPDATE SET checkin_day = excluded.checkin_day`,
  );
  const membersThrough = sql.prepare<[number], { members_through: string | null }>('SELECT members_through FROM analytics_state WHERE community_id = ?');
  const setMembersThrough = sql.prepare<[number, string]>(
    'INSERT INTO analytics_state (community_id, members_through) VALUES (?, ?) ON CONFLICT (community_id) DO UPDATE SET members_through = excluded.members_through',
  );
  const participantWindows = sql.prepare<[number, number, number, number, number, number, number, number, number, number, number], { participants: number; participants7: number; participants30: number }>(
    `SELECT COUNT(DISTINCT CASE WHEN at >= ? THEN member_id END) AS participants, COUNT(DISTINCT CASE WHEN at >= ? THEN member_id END) AS participants7, COUNT(DISTINCT member_id) AS participants30 FROM (
       ${PARTICIPATIONS_SQL}) p`,
  );
  const activeIds = sql.prepare<[number, string], { member_id: number }>('SELECT member_id FROM member_activity WHERE community_id = ? AND day = ? AND messages + commands > 0');
  const top = sql.prepare<[number, string, string, number], { member_id: number; days: number; interactions: number }>(
    `SELECT member_id, COUNT(*) AS days, SUM(messages + commands) AS interactions FROM member_activity
      WHERE community_id = ? AND day >= ? AND day <= ? AND messages + commands > 0
      GROUP BY member_id ORDER BY days DESC, interactions DESC, member_id LIMIT ?`,
  );
  const topOf = sql.prepare<[number, string], { top_members: string | null }>('SELECT top_members FROM analytics_daily WHERE community_id = ? AND day = ?');
  const setRetained = sql.prepare<[number, number, number, number, string]>('UPDATE analytics_daily SET retained1 = ?, retained7 = ?, retained30 = ? WHERE community_id = ? AND day = ?');
  const retentionDays = sql.prepare<[number, string, string], RetentionDay>('SELECT day, joins, retained1, retained7, retained30 FROM analytics_daily WHERE community_id = ? AND day >= ? AND day <= ? ORDER BY day');

  // ── pruning in batches ──
  const pruneState = sql.prepare<[number], { raw_pruned_before: string | null; raw_prune_done: string | null }>('SELECT raw_pruned_before, raw_prune_done FROM analytics_state WHERE community_id = ?');
  const setPruneDone = sql.prepare<[number, string]>(
    'INSERT INTO analytics_state (community_id, raw_prune_done) VALUES (?, ?) ON CONFLICT (community_id) DO UPDATE SET raw_prune_done = excluded.raw_prune_done',
  );
  // Oldest first from a cursor (the rows before it were looked at by an earlier batch of the same run).
  // Each member's latest activity row stays (lifecycle reads a member's last active day from it).
  // Each member's latest event before the horizon stays: it says whether they were present then, so the spells after it are unchanged
  // (a later event after the horizon is not enough: a leave before it and a rejoin after it must both stay).
  const pruneActivityBatch = sql.prepare<[number, string, string, number, string, string, number], { day: string }>(
    `DELETE FROM member_activity WHERE community_id = ? AND day < ? AND day >= ? AND (community_id, member_id, day) IN (
       SELECT o.community_id, o.member_id, o.day FROM member_activity o WHERE o.community_id = ? AND o.day < ? AND o.day >= ?
          AND EXISTS (SELECT 1 FROM member_activity later WHERE later.community_id = o.community_id AND later.member_id = o.member_id AND later.day > o.day)
        ORDER BY o.day LIMIT ?) RETURNING day`,
  );
  const pruneEventsBatch = sql.prepare<[number, number, number, number, number], { at: number }>(
    `DELETE FROM membership_events WHERE id IN (
       SELECT o.id FROM membership_events o WHERE o.community_id = ? AND o.at < ? AND o.at >= ?
          AND EXISTS (SELECT 1 FROM membership_events later WHERE later.member_id = o.member_id AND later.at < ?
            AND (later.at > o.at OR (later.at = o.at AND later.id > o.id)))
        ORDER BY o.at, o.id LIMIT ?) RETURNING at`,
  );
  const recent = sql.prepare<[number, string, number, number], { n: number }>(
    'SELECT COUNT(DISTINCT member_id) AS n FROM membership_events WHERE community_id = ? AND kind = ? AND at > ? AND at <= ?',
  );
  return {
    saveRollup: (communityId: number, row: DailyRollup, at: number, extras: RollupExtras = { retained: null, next: null, top: null }) =>
      upsertRollup.run(
        communityId, row.day, ...ROLLUP_COLUMNS.map((c) => row[c]), ...(extras.retained ?? [null, null, null]),
        ...(extras.next ? [extras.next.active.in7, extras.next.active.in30, extras.next.spoke.in7, extras.next.spoke.in30, extras.next.checkin.in7, extras.next.checkin.in30] : [null, null, null, null, null, null]),
        extras.top === null ? null : JSON.stringify(extras.top), at,
      ),
    community: (communityId: number) => community.get(communityId),
    /** Members present just before the instant `at`. */
    presentBefore: async (communityId: number, at: number) => num((await presentBefore.get(communityId, at, at, at))?.n),
    /** The whole history of each member whose presence may change within [from, to): one row per event (none: kind null), by member then time. */
    touched: (communityId: number, from: number, to: number) => touched.all(communityId, from, to, communityId, from, to, communityId, from, to),
    dayTotals: async (communityId: number, from: string, to: string) =>
      (await dayTotals.all(communityId, from, to)).map((r) => ({ day: r.day, active: num(r.active), speakers: num(r.speakers), messages: num(r.messages), commands: num(r.commands) })),
    /** Distinct members of `day`, and of the 7 and 30 days ending it, from the raw records. */
    windows: async (communityId: number, day: string, from7: string, from30: string) => {
      const a = await activityWindows.get(from7, from7, communityId, from30, day);
      const c = await checkinWindows.get(day, from7, communityId, from30, day);
      return { active7: num(a?.active7), active30: num(a?.active30), speakers7: num(a?.speakers7), speakers30: num(a?.speakers30), checkins: num(c?.checkins), checkins7: num(c?.checkins7), checkins30: num(c?.checkins30) };
    },
    /**
     * The same numbers from `day`'s records and analytics_members (which must
     * be through the day before): `prior`, the day before's `LastCounts` when
     * its rollup kept them, saves the index range counts.
     */
    windowsFromMembers: async (communityId: number, day: string, from7: string, from30: string, prior?: LastCounts) => {
      const a = await activityNew.get(from7, from30, from7, from30, communityId, day);
      const c = await checkinsNew.get(from7, from30, communityId, day);
      const { active, spoke, checkin } = prior ?? (await lastCountsOf(communityId, from7, from30));
      return {
        totals: { active: num(a?.active), speakers: num(a?.speakers), messages: num(a?.messages), commands: num(a?.commands) },
        active7: active.in7 + num(a?.active7), active30: active.in30 + num(a?.active30),
        speakers7: spoke.in7 + num(a?.speakers7), speakers30: spoke.in30 + num(a?.speakers30),
        checkins: num(c?.checkins), checkins7: checkin.in7 + num(c?.checkins7), checkins30: checkin.in30 + num(c?.checkins30),
      };
    },
    /** Adds `day`'s records to analytics_members and marks it through `day` (which must follow the day it was through). */
    mergeMembersDay: async (communityId: number, day: string) => {
      await mergeActivity.run(communityId, day);
      await mergeCheckins.run(communityId, day);
      await setMembersThrough.run(communityId, day);
    },
    /** Builds analytics_members again as of the end of `through`, from the records of the 30 days ending it (the windows never reach further). */
    rebuildMembers: async (communityId: number, from: string, through: string) => {
      await clearMembers.run(communityId);
      await rebuildActivity.run(communityId, from, through);
      await rebuildCheckins.run(communityId, from, through);
      await setMembersThrough.run(communityId, through);
    },
    /** The members whose last day falls in [from7, through] and [from30, through] (analytics_members through some day). */
    lastCounts: (communityId: number, from7: string, from30: string) => lastCountsOf(communityId, from7, from30),
    /** The `LastCounts` a day's rollup kept; undefined when it has none. */
    storedNext: async (communityId: number, day: string): Promise<LastCounts | undefined> => {
      const r = await storedNext.get(communityId, day);
      if (!r || r.active6 === null || r.active29 === null || r.speakers6 === null || r.speakers29 === null || r.checkins6 === null || r.checkins29 === null) return undefined;
      return { active: { in7: num(r.active6), in30: num(r.active29) }, spoke: { in7: num(r.speakers6), in30: num(r.speakers29) }, checkin: { in7: num(r.checkins6), in30: num(r.checkins29) } };
    },
    membersThrough: async (communityId: number) => (await membersThrough.get(communityId))?.members_through ?? null,
    /** Distinct participants in [start1, end), [start7, end) and [start30, end). */
    participantWindows: async (communityId: number, start1: number, start7: number, start30: number, end: number) => {
      const r = await participantWindows.get(start1, start7, communityId, start30, end, communityId, start30, end, communityId, start30, end);
      return { participants: num(r?.participants), participants7: num(r?.participants7), participants30: num(r?.participants30) };
    },
    activeIds: async (communityId: number, day: string) => new Set((await activeIds.all(communityId, day)).map((r) => Number(r.member_id))),
    /** The most active members of [from, to]: active days, then interactions. */
    top: async (communityId: number, from: string, to: string, limit: number) =>
      (await top.all(communityId, from, to, limit)).map((r) => [Number(r.member_id), num(r.days), num(r.interactions)] as const),
    /** The stored top members of a day's 30 days; undefined when the day has no row or the row predates them. */
    storedTop: async (communityId: number, day: string): Promise<Array<[number, number, number]> | undefined> => {
      const json = (await topOf.get(communityId, day))?.top_members;
      return json ? (JSON.parse(json) as Array<[number, number, number]>) : undefined;
    },
    retentionDays: async (communityId: number, from: string, to: string): Promise<RetentionDay[]> =>
      (await retentionDays.all(communityId, from, to)).map((r) => ({
        day: r.day, joins: num(r.joins),
        retained1: r.retained1 === null ? null : Number(r.retained1), retained7: r.retained7 === null ? null : Number(r.retained7), retained30: r.retained30 === null ? null : Number(r.retained30),
      })),
    setRetained: (communityId: number, day: string, retained: readonly [number, number, number]) => setRetained.run(retained[0], retained[1], retained[2], communityId, day),
    pruneState: async (communityId: number) => {
      const r = await pruneState.get(communityId);
      return { target: r?.raw_pruned_before ?? null, done: r?.raw_prune_done ?? null };
    },
    setPruneDone: (communityId: number, day: string) => setPruneDone.run(communityId, day),
    /** Deletes up to `limit` activity rows in [cursor, before) that a later row of the member makes unneeded; returns their days. */
    pruneActivityBatch: async (communityId: number, before: string, cursor: string, limit: number) =>
      (await pruneActivityBatch.all(communityId, before, cursor, communityId, before, cursor, limit)).map((r) => r.day),
    /** Deletes up to `limit` membership events in [cursor, before) that a later event of the member before `before` makes unneeded; returns their instants. */
    pruneEventsBatch: async (communityId: number, before: number, cursor: number, limit: number) =>
      (await pruneEventsBatch.all(communityId, before, cursor, before, limit)).map((r) => Number(r.at)),
    rollups: async (communityId: number, from: string, to: string): Promise<DailyRollup[]> => (await rollups.all(communityId, from, to)).map((r) => ({ ...r, ...Object.fromEntries(ROLLUP_COLUMNS.map((c) => [c, Number(r[c])])) })),
    rolledDays: async (communityId: number, from: string, to: string) => new Set((await rolledDays.all(communityId, from, to)).map((r) => r.day)),
    pruneRollups: (communityId: number, before: string) => pruneRollups.run(communityId, before),
    openAlerts: async (communityId: number): Promise<string[]> => JSON.parse((await alertsOf.get(communityId))?.open_alerts ?? '[]') as string[],
    setOpenAlerts: (communityId: number, open: readonly string[]) => setAlerts.run(communityId, JSON.stringify([...open].sort())),
    rawPrunedBefore: async (communityId: number) => (await state.get(communityId))?.raw_pruned_before ?? null,
    setRawPrunedBefore: (communityId: number, day: string) => setPruned.run(communityId, day),
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
