/**
 * The PostgreSQL check-in baseline: the statements a `/checkin` runs through
 * the core on PostgreSQL, written by hand on the same `pg` driver: a pool of
 * the same size, named (server-side prepared) statements, one transaction per
 * check-in at the core's isolation for a check-in (READ COMMITTED under the
 * member's advisory lock, as the router runs it), or, to show what the
 * stricter choice costs, SERIALIZABLE (retried on 40001/40P01 with the same
 * back-off as src/store/postgres.ts). No parsing, no routing, no rendering,
 * no AsyncLocalStorage, no services.
 *
 * The SQL is copied from the repos, in the order the core runs it (listed by
 * logging every statement of one core check-in on PostgreSQL):
 * src/core/inbound/repo.ts (claim, saveReplies), src/core/ratelimit/repo.ts
 * (hit), src/core/identity/repo.ts, src/features/checkin/repo.ts,
 * src/features/points/repo.ts, src/features/lifecycle/repo.ts (bump, markReturned).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { checkinPoints, decideStreak, type CheckinRules } from '../src/features/checkin/rules.js';

/** int8 and numeric as JS numbers, as the core's engine parses them (src/store/postgres.ts). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export type Isolation = 'serializable' | 'read committed';

export interface PgBaselineDay {
  day: string;
  week: string;
  month: string;
  /** The check-in instant, epoch ms. */
  at: number;
}

export interface PgBaseline {
  /** One check-in, one transaction; resolves with the new balance. */
  checkin(community: string, deliveryId: string, platformUserId: string, displayName: string): Promise<number>;
  /** Transactions begun (attempts), and those rolled back to be retried. */
  transactions(): number;
  retries(): number;
  close(): Promise<void>;
}

export interface PgBaselineOptions {
  url: string;
  poolSize: number;
  isolation: Isolation;
  when: PgBaselineDay;
  /** config.checkin: the pure streak and points rules (src/features/checkin/rules.ts), as the service applies them. */
  rules: CheckinRules;
  /** Rate limit window (config rateLimit.commands.windowMs): the core counts every command. */
  windowMs: number;
  /** config lifecycle.nudges.effectDays in ms: how far back a nudge counts as answered. */
  returnWindowMs: number;
  replyJson: string;
}

const RETRYABLE = new Set(['40001', '40P01']);
const PLATFORM = 'playground';

interface Q {
  name: string;
  text: string;
}

/** `?` → `$n`; the texts below have no quoted `?`. */
function q(text: string): Q {
  let n = 0;
  const numbered = text.replace(/\?/g, () => `$${++n}`);
  return { name: `b${createHash('sha1').update(numbered).digest('hex').slice(0, 20)}`, text: numbered };
}

const SQL = {
  lock: q('SELECT pg_advisory_xact_lock(hashtextextended(?, 7123002))'),
  claim: q('INSERT INTO inbound_events (platform, community, delivery_id, actor, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
  hit: q(`INSERT INTO command_windows (platform, community, actor, window_start, count, noticed) VALUES (?, ?, ?, ?, 1, 0)
     ON CONFLICT (platform, community, actor) DO UPDATE SET
       count = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN 1 ELSE command_windows.count + 1 END,
       noticed = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN 0 ELSE command_windows.noticed END,
       window_start = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN excluded.window_start ELSE command_windows.window_start END
     RETURNING window_start, count, noticed`),
  findCommunity: q('SELECT id, platform, external_id, name FROM communities WHERE platform = ? AND external_id = ?'),
  insertCommunity: q('INSERT INTO communities (platform, external_id, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (platform, external_id) DO NOTHING RETURNING id, platform, external_id, name'),
  findByAccount: q(
    'SELECT m.id, m.community_id, m.display_name, m.joined_at, m.left_at, a.platform_user_id FROM members m JOIN member_accounts a ON a.member_id = m.id WHERE a.community_id = ? AND a.platform = ? AND a.platform_user_id = ?',
  ),
  insertMember: q('INSERT INTO members (community_id, display_name, joined_at, created_at) VALUES (?, ?, ?, ?) RETURNING id'),
  insertAccount: q('INSERT INTO member_accounts (member_id, community_id, platform, platform_user_id) VALUES (?, ?, ?, ?)'),
  getStreak: q('SELECT last_day, streak, best_streak, total, freezes FROM checkin_streaks WHERE member_id = ?'),
  bumpDay: q(`INSERT INTO checkin_day_counts (community_id, day, count) VALUES (?, ?, 1)
     ON CONFLICT (community_id, day) DO UPDATE SET count = checkin_day_counts.count + 1 RETURNING count`),
  insertCheckin: q(`INSERT INTO checkins (community_id, member_id, day, streak, points, rank_of_day, freezes_used, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, day) DO NOTHING`),
  getPoints: q('SELECT balance, earned FROM member_points WHERE member_id = ? FOR UPDATE'),
  insertLedger: q(`INSERT INTO points_ledger (community_id, member_id, delta, kind, reason, ref, idem_key, actor_member_id, day, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`),
  upsertPoints: q(`INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET balance = member_points.balance + excluded.balance, earned = member_points.earned + excluded.earned, updated_at = excluded.updated_at`),
  upsertPeriod: q(`INSERT INTO points_periods (community_id, period, member_id, earned) VALUES (?, ?, ?, ?)
     ON CONFLICT (community_id, period, member_id) DO UPDATE SET earned = points_periods.earned + excluded.earned`),
  putStreak: q(`INSERT INTO checkin_streaks (member_id, last_day, streak, best_streak, total, freezes) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET last_day = excluded.last_day, streak = excluded.streak, best_streak = excluded.best_streak,
       total = excluded.total, freezes = excluded.freezes`),
  bumpActivity: q(`INSERT INTO member_activity (community_id, member_id, day, messages, commands) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (community_id, member_id, day) DO UPDATE SET messages = member_activity.messages + excluded.messages, commands = member_activity.commands + excluded.commands
     RETURNING messages + commands AS total`),
  markReturned: q('UPDATE nudges SET returned_at = ? WHERE member_id = ? AND returned_at IS NULL AND nudged_at <= ? AND nudged_at >= ?'),
  saveReply: q('UPDATE inbound_events SET reply_json = ? WHERE platform = ? AND community = ? AND delivery_id = ?'),
};

export function createPgBaseline(options: PgBaselineOptions): PgBaseline {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, types });
  pool.on('error', () => undefined);
  const communities = new Map<string, number>();
  const { day, week, month, at } = options.when;
  const begin = options.isolation === 'serializable' ? 'BEGIN ISOLATION LEVEL SERIALIZABLE' : 'BEGIN ISOLATION LEVEL READ COMMITTED';
  let transactions = 0;
  let retries = 0;

  async function body(c: pg.PoolClient, community: string, deliveryId: string, userId: string, name: string): Promise<number> {
    const run = async <R extends pg.QueryResultRow>(s: Q, values: unknown[]) => c.query<R>({ name: s.name, text: s.text, values });
    await run(SQL.lock, [`${PLATFORM}:${community}:${userId}`]);
    if ((await run(SQL.claim, [PLATFORM, community, deliveryId, userId, at])).rowCount !== 1) throw new Error(`baseline: delivery ${deliveryId} seen twice`);
    const window = (await run<{ count: number }>(SQL.hit, [PLATFORM, community, userId, at, options.windowMs, options.windowMs, options.windowMs])).rows[0];
    if (window?.count !== 1) throw new Error(`baseline: ${userId} counted ${window?.count} commands`);
    // As src/core/identity/service.ts: a community id is cached once a SELECT found it (a row inserted now may roll back).
    let communityId = communities.get(community);
    if (communityId === undefined) {
      const found = (await run<{ id: number }>(SQL.findCommunity, [PLATFORM, community])).rows[0];
      communityId = found?.id ?? ((await run<{ id: number }>(SQL.insertCommunity, [PLATFORM, community, '', at])).rows[0] as { id: number }).id;
      if (found) communities.set(community, communityId);
    }
    let memberId = (await run<{ id: number }>(SQL.findByAccount, [communityId, PLATFORM, userId])).rows[0]?.id;
    if (memberId === undefined) {
      memberId = ((await run<{ id: number }>(SQL.insertMember, [communityId, name, at, at])).rows[0] as { id: number }).id;
      await run(SQL.insertAccount, [memberId, communityId, PLATFORM, userId]);
    }
    const row = (await run<{ last_day: string; streak: number; best_streak: number; total: number; freezes: number }>(SQL.getStreak, [memberId])).rows[0];
    const state = row ? { lastDay: row.last_day, streak: row.streak, bestStreak: row.best_streak, total: row.total, freezes: row.freezes } : undefined;
    const decision = decideStreak(state, day, options.rules);
    if (decision.kind === 'already') throw new Error(`baseline: member ${userId} checked in today already`);
    const points = checkinPoints(decision.streak, options.rules).total;
    const before = (await run<{ balance: number }>(SQL.getPoints, [memberId])).rows[0] ?? { balance: 0 };
    const key = `checkin:${memberId}:${day}`;
    if ((await run(SQL.insertLedger, [communityId, memberId, points, 'earn', 'checkin', day, key, null, day, at])).rowCount !== 1) throw new Error('baseline: ledger key used');
    await run(SQL.upsertPoints, [memberId, communityId, points, points, at]);
    await run(SQL.upsertPeriod, [communityId, week, memberId, points]);
    await run(SQL.upsertPeriod, [communityId, month, memberId, points]);
    await run(SQL.putStreak, [memberId, day, decision.streak, Math.max(state?.bestStreak ?? 0, decision.streak), (state?.total ?? 0) + 1, (state?.freezes ?? 0) - decision.freezesUsed]);
    // The community's day count last, as the core takes it (it is the row every check-in of the day waits for).
    const rank = ((await run<{ count: number }>(SQL.bumpDay, [communityId, day])).rows[0] as { count: number }).count;
    if ((await run(SQL.insertCheckin, [communityId, memberId, day, decision.streak, points, rank, decision.freezesUsed, at])).rowCount !== 1) throw new Error('baseline: check-in row exists');
    const total = ((await run<{ total: number }>(SQL.bumpActivity, [communityId, memberId, day, 0, 1])).rows[0] as { total: number }).total;
    if (total === 1) await run(SQL.markReturned, [at, memberId, at, at - options.returnWindowMs]);
    await run(SQL.saveReply, [options.replyJson, PLATFORM, community, deliveryId]);
    return before.balance + points;
  }

  return {
    async checkin(community, deliveryId, userId, name) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        let began = false;
        try {
          await client.query(begin);
          began = true;
          transactions++;
          const balance = await body(client, community, deliveryId, userId, name);
          await client.query('COMMIT');
          return balance;
        } catch (err) {
          if (began) await client.query('ROLLBACK').catch(() => undefined);
          const code = (err as { code?: unknown }).code;
          if (typeof code === 'string' && RETRYABLE.has(code) && attempt < 20) {
            retries++;
            await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * Math.min(100, 2 ** attempt))));
            continue;
          }
          throw err;
        } finally {
          client.release();
        }
      }
    },
    transactions: () => transactions,
    retries: () => retries,
    close: () => pool.end(),
  };
}
