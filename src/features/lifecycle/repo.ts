/** Lifecycle tables; statements prepared once, used inside the caller's transaction. */
import type { Sql, SqlValue } from '../../store/sql.js';
import type { welcomeBatches, followups } from './schema.js';
import type { RowOf } from '../../store/rows.js';
import type { MemberRow } from '../../core/identity/repo.js';
import type { Tip } from './rules.js';

export type CommunityTextKind = 'rules' | 'welcome' | 'nudge' | `tip:${Tip}`;

/** A `SELECT *` row of welcomeBatches (its type follows the table's definition). */
export type BatchRow = RowOf<typeof welcomeBatches>;

export interface WelcomeRow {
  id: number;
  member_id: number;
  rejoin: number;
  bonus: number;
  left_at: number | null;
  display_name: string;
  platform_user_id: string;
}

/** A `SELECT *` row of followups (its type follows the table's definition). */
export type FollowupRow = RowOf<typeof followups>;


export interface FactsRow {
  member_id: number;
  display_name: string;
  platform_user_id: string;
  joined_at: number;
  left_at: number | null;
  earned: number;
  active7: number;
  active30: number;
  last_day: string | null;
  quiet: number;
  last_nudged: string | null;
}

/** Rows per statement when the daily run stores changed segments. */
const REMEMBER_CHUNK = 200;

const account = '(SELECT platform_user_id FROM member_accounts a WHERE a.member_id = m.id ORDER BY a.id LIMIT 1)';

export function createLifecycleRepo(sql: Sql) {
  const bump = sql.prepare<[number, number, string, number, number], { total: number }>(
    `INSERT INTO member_activity (community_id, member_id, day, messages, commands) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (community_id, member_id, day) DO UPDATE SET messages = member_activity.messages + excluded.messages, commands = member_activity.commands + excluded.commands
     RETURNING messages + commands AS total`,
  );
  const addPoints = sql.prepare<[number, number, number, string]>({
    sqlite: 'UPDATE member_activity SET points = points + ?, capped = MAX(capped, ?) WHERE member_id = ? AND day = ?',
    postgres: 'UPDATE member_activity SET points = points + ?, capped = GREATEST(capped, ?) WHERE member_id = ? AND day = ?',
  });
  const activityToday = sql.prepare<[number, string], { points: number }>('SELECT points FROM member_activity WHERE member_id = ? AND day = ?');
  const earnedToday = sql.prepare<[number, string], { n: number | null }>("SELECT SUM(delta) AS n FROM points_ledger WHERE member_id = ? AND day = ? AND kind = 'earn'");
  const getState = sql.prepare<[number], { last_text_hash: string | null; last_point_at: number | null; quiet: number }>('SELECT last_text_hash, last_point_at, quiet FROM lifecycle_members WHERE member_id = ?');
  const putState = sql.prepare<[number, number, string, number | null]>(
    `INSERT INTO lifecycle_members (member_id, community_id, last_text_hash, last_point_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET last_text_hash = excluded.last_text_hash, last_point_at = excluded.last_point_at`,
  );
  const putQuiet = sql.prepare<[number, number, number]>(
    'INSERT INTO lifecycle_members (member_id, community_id, quiet) VALUES (?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET quiet = excluded.quiet',
  );
  const farming = sql.prepare<[number, string, string, number], { member_id: number; display_name: string; days: number }>(
    `SELECT m.id AS member_id, m.display_name, COUNT(*) AS days FROM member_activity x JOIN members m ON m.id = x.member_id
     WHERE x.community_id = ? AND x.day > ? AND x.day <= ? AND x.capped = 1 GROUP BY m.id HAVING COUNT(*) >= ? ORDER BY days DESC, m.id LIMIT 50`,
  );

  const findBatch = sql.prepare<[number, number], BatchRow>('SELECT * FROM welcome_batches WHERE community_id = ? AND minute = ?');
  const insertBatch = sql.prepare<[number, number, number], { id: number }>("INSERT INTO welcome_batches (community_id, minute, due_at, status) VALUES (?, ?, ?, 'open') RETURNING id");
  const reopenBatch = sql.prepare<[number, number]>("UPDATE welcome_batches SET status = 'open', due_at = ? WHERE id = ? AND status = 'done'");
  const getBatch = sql.prepare<[number], BatchRow>('SELECT * FROM welcome_batches WHERE id = ?');
  const moveBatch = sql.prepare<[string, number, string]>('UPDATE welcome_batches SET status = ? WHERE id = ? AND status = ?');
  const openBatches = sql.prepare<[], BatchRow>("SELECT * FROM welcome_batches WHERE status = 'open'");
  const insertWelcome = sql.prepare<[number, number, number, number, number, number]>(
    "INSERT INTO welcomes (batch_id, community_id, member_id, rejoin, bonus, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
  );
  const hasWelcome = sql.prepare<[number], { id: number }>('SELECT id FROM welcomes WHERE member_id = ? LIMIT 1');
  // Acceptance gating: what a command wrote for this member at this instant (the command's own unit), read back.
  const earnedAt = sql.prepare<[number, number], { n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT kind, reason, created_at FROM points_ledger WHERE member_id = ? ORDER BY id DESC LIMIT 20) recent
     WHERE recent.created_at = ? AND recent.kind = 'earn' AND recent.reason NOT IN ('newcomer', 'activity')`,
  );
  // Through the community's open lotteries (few, indexed), each entry found by its primary key.
  const joinedLotteryAt = sql.prepare<[number, number, number], { n: number }>(
    `SELECT COUNT(*) AS n FROM lotteries l JOIN lottery_entries e ON e.lottery_id = l.id AND e.member_id = ?
     WHERE l.community_id = ? AND l.status = 'open' AND e.created_at = ? AND e.source = 'join'`,
  );
  const markGateReminded = sql.prepare<[number, number, number, number], { member_id: number }>(
    `INSERT INTO rules_acceptances (member_id, community_id, gate_reminded_at) VALUES (?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET gate_reminded_at = excluded.gate_reminded_at
     WHERE rules_acceptances.gate_reminded_at IS NULL OR rules_acceptances.gate_reminded_at <= ? RETURNING member_id`,
  );
  const pendingWelcomes = sql.prepare<[number], WelcomeRow>(
    `SELECT w.id, w.member_id, w.rejoin, w.bonus, m.left_at, m.display_name, ${account} AS platform_user_id
     FROM welcomes w JOIN members m ON m.id = w.member_id WHERE w.batch_id = ? AND w.status = 'pending' ORDER BY w.id`,
  );
  const countWelcomes = sql.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM welcomes WHERE batch_id = ?');
  const markWelcome = sql.prepare<[string, number]>("UPDATE welcomes SET status = ? WHERE id = ? AND status = 'pending'");

  const insertFollowup = sql.prepare<[number, number, number, number], { id: number }>(
    "INSERT INTO followups (community_id, member_id, step, due_at, status) VALUES (?, ?, ?, ?, 'pending') ON CONFLICT (member_id, step) DO NOTHING RETURNING id",
  );
  const getFollowup = sql.prepare<[number], FollowupRow>('SELECT * FROM followups WHERE id = ?');
  const moveFollowup = sql.prepare<[string, string | null, number, number]>("UPDATE followups SET status = ?, tip = ?, done_at = ? WHERE id = ? AND status = 'pending'");
  const pendingFollowups = sql.prepare<[], FollowupRow>("SELECT * FROM followups WHERE status = 'pending'");
  const sentTips = sql.prepare<[number], { tip: string }>("SELECT tip FROM followups WHERE member_id = ? AND status = 'sent' AND tip IS NOT NULL");
  const messagesEver = sql.prepare<[number], { n: number | null }>('SELECT SUM(messages) AS n FROM member_activity WHERE member_id = ?');
  const member = sql.prepare<[number], MemberRow>(`SELECT m.id, m.community_id, m.display_name, m.joined_at, m.left_at, ${account} AS platform_user_id FROM members m WHERE m.id = ?`);

  const facts = sql.prepare<[string, string, string, string, string, string, number], FactsRow>(
    `SELECT m.id AS member_id, m.display_name, ${account} AS platform_user_id, m.joined_at, m.left_at, COALESCE(p.earned, 0) AS earned,
       (SELECT COUNT(*) FROM member_activity x WHERE x.member_id = m.id AND x.day > ? AND x.day <= ?) AS active7,
       (SELECT COUNT(*) FROM member_activity x WHERE x.member_id = m.id AND x.day > ? AND x.day <= ?) AS active30,
       (SELECT MAX(day) FROM member_activity x WHERE x.member_id = m.id AND x.day <= ?) AS last_day,
       COALESCE(s.quiet, 0) AS quiet,
       (SELECT MAX(day) FROM nudges n WHERE n.member_id = m.id AND n.day <= ?) AS last_nudged
     FROM members m LEFT JOIN member_points p ON p.member_id = m.id LEFT JOIN lifecycle_members s ON s.member_id = m.id
     WHERE m.community_id = ? ORDER BY m.id`,
  );
  const putSnapshot = sql.prepare<[number, string, string, number]>(
    'INSERT INTO segment_snapshots (community_id, day, segment, count) VALUES (?, ?, ?, ?) ON CONFLICT (community_id, day, segment) DO UPDATE SET count = excluded.count',
  );
  const memberSegments = sql.prepare<[number], { member_id: number; segment: string }>('SELECT member_id, segment FROM member_segments WHERE community_id = ?');
  // Rows of changed segments go REMEMBER_CHUNK to a statement (the first run remembers every member: one
  // statement per member costs a round trip each on PostgreSQL), the rest one by one.
  const rememberSql = (rows: number): string =>
    `INSERT INTO member_segments (member_id, community_id, segment, since_day) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')}
     ON CONFLICT (member_id) DO UPDATE SET community_id = excluded.community_id, segment = excluded.segment, since_day = excluded.since_day`;
  const rememberMany = sql.prepare<SqlValue[]>(rememberSql(REMEMBER_CHUNK));
  const rememberOne = sql.prepare<[number, number, string, string]>(rememberSql(1));
  const forgetMemberSegment = sql.prepare<[number]>('DELETE FROM member_segments WHERE member_id = ?');
  const addTransitions = sql.prepare<[number, string, string, string, number]>(
    `INSERT INTO segment_transitions (community_id, day, from_segment, to_segment, count) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (community_id, day, from_segment, to_segment) DO UPDATE SET count = segment_transitions.count + excluded.count`,
  );
  const transitions = sql.prepare<[number, string, string], { from: string; to: string; count: number }>(
    `SELECT from_segment AS "from", to_segment AS "to", SUM(count) AS count FROM segment_transitions
     WHERE community_id = ? AND day > ? AND day <= ? GROUP BY from_segment, to_segment ORDER BY from_segment, to_segment`,
  );
  const claimRun = sql.prepare<[number, string, number]>('INSERT INTO lifecycle_daily_runs (community_id, day, ran_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const insertNudge = sql.prepare<[number, number, string, number]>('INSERT INTO nudges (community_id, member_id, day, nudged_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const markReturned = sql.prepare<[number, number, number, number]>('UPDATE nudges SET returned_at = ? WHERE member_id = ? AND returned_at IS NULL AND nudged_at <= ? AND nudged_at >= ?');
  const nudgeStats = sql.prepare<[number, number], { n: number; returned: number }>('SELECT COUNT(*) AS n, COUNT(returned_at) AS returned FROM nudges WHERE community_id = ? AND nudged_at >= ?');
  const communities = sql.prepare<[], { id: number }>('SELECT id FROM communities ORDER BY id');

  const putRules = sql.prepare<[number, number, number]>(
    'INSERT INTO rules_acceptances (member_id, community_id, reminder_due_at) VALUES (?, ?, ?) ON CONFLICT (member_id) DO NOTHING',
  );
  const acceptRules = sql.prepare<[number, number, number]>(
    `INSERT INTO rules_acceptances (member_id, community_id, accepted_at) VALUES (?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET accepted_at = excluded.accepted_at WHERE rules_acceptances.accepted_at IS NULL`,
  );
  const rulesOf = sql.prepare<[number], { community_id: number; accepted_at: number | null; reminder_due_at: number | null; reminded_at: number | null }>(
    'SELECT community_id, accepted_at, reminder_due_at, reminded_at FROM rules_acceptances WHERE member_id = ?',
  );
  const markReminded = sql.prepare<[number, number]>('UPDATE rules_acceptances SET reminded_at = ? WHERE member_id = ? AND reminded_at IS NULL AND accepted_at IS NULL');
  const pendingReminders = sql.prepare<[], { member_id: number; reminder_due_at: number }>(
    'SELECT member_id, reminder_due_at FROM rules_acceptances WHERE accepted_at IS NULL AND reminded_at IS NULL AND reminder_due_at IS NOT NULL',
  );
  const getText = sql.prepare<[number, string], { text: string }>('SELECT text FROM community_texts WHERE community_id = ? AND kind = ?');
  const putText = sql.prepare<[number, string, string, number, number]>(
    `INSERT INTO community_texts (community_id, kind, text, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (community_id, kind) DO UPDATE SET text = excluded.text, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
  );
  const clearText = sql.prepare<[number, string]>('DELETE FROM community_texts WHERE community_id = ? AND kind = ?');
  return {
    /** A text an admin set for the community (`rules`, `welcome`), if any. */
    communityText: async (communityId: number, kind: CommunityTextKind) => (await getText.get(communityId, kind))?.text,
    setCommunityText: (communityId: number, kind: CommunityTextKind, text: string, memberId: number, at: number) => putText.run(communityId, kind, text, memberId, at),
    /** False when there was nothing to clear. */
    clearCommunityText: async (communityId: number, kind: CommunityTextKind) => (await clearText.run(communityId, kind)) === 1,
    /** Records that the member should accept the rules; false when a row existed (a rejoin). */
    expectRules: async (memberId: number, communityId: number, dueAt: number) => (await putRules.run(memberId, communityId, dueAt)) === 1,
    /** False when the member had accepted before. */
    acceptRules: async (memberId: number, communityId: number, at: number) => (await acceptRules.run(memberId, communityId, at)) === 1,
    rulesOf: (memberId: number) => rulesOf.get(memberId),
    /** Compare-and-set: true for the one run that may send the reminder. */
    markReminded: async (memberId: number, at: number) => (await markReminded.run(at, memberId)) === 1,
    pendingReminders: () => pendingReminders.all(),
    /** Counts one message or command; returns the member's events today (1 = first today). */
    bumpActivity: async (communityId: number, memberId: number, day: string, messages: number, commands: number) => ((await bump.get(communityId, memberId, day, messages, commands)) as { total: number }).total,
    addActivityPoints: (memberId: number, day: string, points: number, capped: boolean) => addPoints.run(points, capped ? 1 : 0, memberId, day),
    activityToday: async (memberId: number, day: string) => (await activityToday.get(memberId, day))?.points ?? 0,
    earnedToday: async (memberId: number, day: string) => (await earnedToday.get(memberId, day))?.n ?? 0,
    state: (memberId: number) => getState.get(memberId),
    saveState: (memberId: number, communityId: number, hash: string, lastPointAt: number | null) => putState.run(memberId, communityId, hash, lastPointAt),
    setQuiet: (memberId: number, communityId: number, quiet: boolean) => putQuiet.run(memberId, communityId, quiet ? 1 : 0),
    farming: (communityId: number, afterDay: string, today: string, minDays: number) => farming.all(communityId, afterDay, today, minDays),

    findBatch: (communityId: number, minute: number) => findBatch.get(communityId, minute),
    insertBatch: async (communityId: number, minute: number, dueAt: number) => ((await insertBatch.get(communityId, minute, dueAt)) as { id: number }).id,
    reopenBatch: async (id: number, dueAt: number) => (await reopenBatch.run(dueAt, id)) === 1,
    getBatch: (id: number) => getBatch.get(id),
    moveBatch: async (id: number, from: BatchRow['status'], to: BatchRow['status']) => (await moveBatch.run(to, id, from)) === 1,
    openBatches: () => openBatches.all(),
    insertWelcome: (batchId: number, communityId: number, memberId: number, rejoin: boolean, bonus: number, at: number) => insertWelcome.run(batchId, communityId, memberId, rejoin ? 1 : 0, bonus, at),
    hasWelcome: async (memberId: number) => (await hasWelcome.get(memberId)) !== undefined,
    /** Points earned by a command (not chat or the newcomer bonus) at `at`. */
    earnedAt: async (memberId: number, at: number) => ((await earnedAt.get(memberId, at))?.n ?? 0) > 0,
    /** A lottery joined by command at `at`. */
    joinedLotteryAt: async (memberId: number, communityId: number, at: number) => ((await joinedLotteryAt.get(memberId, communityId, at))?.n ?? 0) > 0,
    /** Records a gate reminder unless one was sent after `since`; true when this one is to be sent. */
    markGateReminded: async (memberId: number, communityId: number, at: number, since: number) => (await markGateReminded.get(memberId, communityId, at, since)) !== undefined,
    pendingWelcomes: (batchId: number) => pendingWelcomes.all(batchId),
    countWelcomes: async (batchId: number) => (await countWelcomes.get(batchId))?.n ?? 0,
    markWelcome: (id: number, status: 'sent' | 'skipped') => markWelcome.run(status, id),

    /** Undefined when the member already has this step (a rejoin is not onboarded again). */
    insertFollowup: async (communityId: number, memberId: number, step: number, dueAt: number) => (await insertFollowup.get(communityId, memberId, step, dueAt))?.id,
    getFollowup: (id: number) => getFollowup.get(id),
    finishFollowup: async (id: number, status: 'sent' | 'skipped', tip: string | null, at: number) => (await moveFollowup.run(status, tip, at, id)) === 1,
    pendingFollowups: () => pendingFollowups.all(),
    sentTips: async (memberId: number) => (await sentTips.all(memberId)).map((r) => r.tip),
    messagesEver: async (memberId: number) => (await messagesEver.get(memberId))?.n ?? 0,
    member: (memberId: number) => member.get(memberId),

    /** Per member: days active in (day7, today] and (day30, today], last active day, earnings, opt-out, last nudge. */
    facts: (communityId: number, today: string, after7: string, after30: string) => facts.all(after7, today, after30, today, today, today, communityId),
    saveSnapshot: (communityId: number, day: string, segment: string, count: number) => putSnapshot.run(communityId, day, segment, count),
    /** Each remembered member's segment as of the last daily run (member id → segment). */
    memberSegments: async (communityId: number) => new Map((await memberSegments.all(communityId)).map((r) => [r.member_id, r.segment])),
    /** Stores each member's segment with `sinceDay` (each member at most once in `rows`). */
    rememberSegments: async (communityId: number, sinceDay: string, rows: ReadonlyArray<{ memberId: number; segment: string }>) => {
      let i = 0;
      for (; i + REMEMBER_CHUNK <= rows.length; i += REMEMBER_CHUNK) await rememberMany.run(...rows.slice(i, i + REMEMBER_CHUNK).flatMap((r) => [r.memberId, communityId, r.segment, sinceDay]));
      for (const r of rows.slice(i)) await rememberOne.run(r.memberId, communityId, r.segment, sinceDay);
    },
    forgetSegment: (memberId: number) => forgetMemberSegment.run(memberId),
    addTransitions: (communityId: number, day: string, from: string, to: string, count: number) => addTransitions.run(communityId, day, from, to, count),
    /** Transitions per (from, to) over the days in (afterDay, today]. */
    transitions: (communityId: number, afterDay: string, today: string) => transitions.all(communityId, afterDay, today),
    claimDailyRun: async (communityId: number, day: string, at: number) => (await claimRun.run(communityId, day, at)) === 1,
    insertNudge: async (communityId: number, memberId: number, day: string, at: number) => (await insertNudge.run(communityId, memberId, day, at)) === 1,
    markReturned: (memberId: number, now: number, windowMs: number) => markReturned.run(now, memberId, now, now - windowMs),
    nudgeStats: async (communityId: number, since: number) => (await nudgeStats.get(communityId, since)) ?? { n: 0, returned: 0 },
    communityIds: async () => (await communities.all()).map((r) => r.id),
  };
}

export type LifecycleRepo = ReturnType<typeof createLifecycleRepo>;
