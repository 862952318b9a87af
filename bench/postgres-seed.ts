/**
 * Yesterday's check-ins, written in bulk (set-based SQL, one transaction):
 * members u0..u<n-1> of communities bench0..bench<c-1> (member i in bench<i % c>),
 * each with the rows a first `/checkin` leaves (the rows bench/postgres.ts shows
 * the core and the baseline write alike): member and account, check-in,
 * streak, ledger entry, balance, week and month earnings, activity, the
 * delivery with its reply, the command window and the day count. Today the
 * same members check in again: the steady state of a community, where most
 * check-ins are by returning members. Every side's database is seeded the same.
 */
import { monthKey, weekKey, type Day } from '../src/core/community-day.js';
import type { BenchDatabase } from './pg-database.js';

export interface SeedOptions {
  communities: number;
  members: number;
  /** Yesterday, as a community day, and an instant in it (epoch ms). */
  day: Day;
  at: number;
  points: number;
  replyJson: string;
  /** Name each community after its id, as the playground does (else '', as a bare chat event leaves it). */
  namedCommunities?: boolean;
}

export async function seedYesterday(db: BenchDatabase, o: SeedOptions): Promise<void> {
  const P = 'playground';
  const steps: Array<[string, unknown[]]> = [
    [
      "INSERT INTO communities (platform, external_id, name, created_at) SELECT $1, 'bench' || k, CASE WHEN $4 THEN 'bench' || k ELSE '' END, $2 FROM generate_series(0, $3 - 1) k",
      [P, o.at, o.communities, o.namedCommunities === true],
    ],
    [
      `INSERT INTO members (community_id, display_name, joined_at, created_at)
       SELECT c.id, 'Member ' || i, $1, $1 FROM generate_series(0, $2 - 1) i JOIN communities c ON c.platform = $3 AND c.external_id = 'bench' || (i % $4) ORDER BY i`,
      [o.at, o.members, P, o.communities],
    ],
    // The member's number i is in its name ('Member <i>').
    ["INSERT INTO member_accounts (member_id, community_id, platform, platform_user_id) SELECT id, community_id, $1, 'u' || substr(display_name, 8) FROM members ORDER BY id", [P]],
    [
      `INSERT INTO checkins (community_id, member_id, day, streak, points, rank_of_day, freezes_used, created_at)
       SELECT community_id, id, $1, 1, $2, row_number() OVER (PARTITION BY community_id ORDER BY id), 0, $3 FROM members ORDER BY id`,
      [o.day, o.points, o.at],
    ],
    ['INSERT INTO checkin_streaks (member_id, last_day, streak, best_streak, total, freezes) SELECT id, $1, 1, 1, 1, 0 FROM members ORDER BY id', [o.day]],
    [
      `INSERT INTO points_ledger (community_id, member_id, delta, kind, reason, ref, idem_key, actor_member_id, day, created_at)
       SELECT community_id, id, $1, 'earn', 'checkin', $2, 'checkin:' || id || ':' || $2, NULL, $2, $3 FROM members ORDER BY id`,
      [o.points, o.day, o.at],
    ],
    ['INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) SELECT id, community_id, $1, $1, $2 FROM members ORDER BY id', [o.points, o.at]],
    ['INSERT INTO points_periods (community_id, period, member_id, earned) SELECT community_id, $1, id, $2 FROM members ORDER BY id', [weekKey(o.day), o.points]],
    ['INSERT INTO points_periods (community_id, period, member_id, earned) SELECT community_id, $1, id, $2 FROM members ORDER BY id', [monthKey(o.day), o.points]],
    ['INSERT INTO member_activity (community_id, member_id, day, messages, commands) SELECT community_id, id, $1, 0, 1 FROM members ORDER BY id', [o.day]],
    [
      `INSERT INTO inbound_events (platform, community, delivery_id, actor, received_at, reply_json)
       SELECT $1, c.external_id, 'yesterday-' || substr(m.display_name, 8), 'u' || substr(m.display_name, 8), $2, $3 FROM members m JOIN communities c ON c.id = m.community_id ORDER BY m.id`,
      [P, o.at, o.replyJson],
    ],
    [
      `INSERT INTO command_windows (platform, community, actor, window_start, count, noticed)
       SELECT $1, c.external_id, 'u' || substr(m.display_name, 8), $2, 1, 0 FROM members m JOIN communities c ON c.id = m.community_id ORDER BY m.id`,
      [P, o.at],
    ],
    ['INSERT INTO checkin_day_counts (community_id, day, count) SELECT community_id, $1, COUNT(*) FROM members GROUP BY community_id', [o.day]],
  ];
  await db.query('BEGIN');
  try {
    for (const [text, values] of steps) await db.query(text, values);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK');
    throw err;
  }
  // Statistics for the planner, as autovacuum would have gathered on a database that grew to this size.
  await db.query('ANALYZE');
}
