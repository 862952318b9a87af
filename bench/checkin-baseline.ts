/**
 * The check-in baseline: the same rows a `/checkin` writes through the core,
 * done with hand-written better-sqlite3 prepared statements, one BEGIN
 * IMMEDIATE transaction per check-in. No parsing, no reply rendering, no
 * ORM, no services. The SQL is copied from the repos it mirrors:
 * src/core/inbound/repo.ts, src/core/ratelimit/repo.ts, src/core/identity/repo.ts,
 * src/features/checkin/repo.ts and src/features/points/repo.ts, in the
 * order CheckinService.checkin / PointsService.award run them.
 */
import type { Sqlite } from '../src/store/db.js';

export interface BaselineDay {
  day: string;
  /** ISO week key of `day` ('2026-W48'), computed once. */
  week: string;
  /** Month key of `day` ('2026-11'), computed once. */
  month: string;
  /** The check-in instant, epoch ms. */
  at: number;
}

export interface BaselineCheckin {
  /** One check-in, one transaction; returns the new balance. */
  checkin(platform: string, externalId: string, deliveryId: string, platformUserId: string, displayName: string): number;
}

export interface BaselineOptions {
  /**
   * Wrap the feature's statements in SAVEPOINT/RELEASE, as Router.runCommand
   * does (a nested better-sqlite3 transaction); off for the baseline proper.
   */
  savepoint?: boolean;
  /** The core's per-member command window, when the rate limit is on (its window in ms). */
  rateLimitWindowMs?: number;
}

export function createBaselineCheckin(sqlite: Sqlite, when: BaselineDay, basePoints: number, replyJson: string, options: BaselineOptions = {}): BaselineCheckin {
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  const savepoint = options.savepoint ? sqlite.prepare('SAVEPOINT bench') : undefined;
  const release = options.savepoint ? sqlite.prepare('RELEASE bench') : undefined;

  // src/core/inbound/repo.ts
  const claim = sqlite.prepare<[string, string, string, string, number]>(
    'INSERT INTO inbound_events (platform, community, delivery_id, actor, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const saveReply = sqlite.prepare<[string, string, string, string]>('UPDATE inbound_events SET reply_json = ? WHERE platform = ? AND community = ? AND delivery_id = ?');
  // src/core/ratelimit/repo.ts: the member's command window (config rateLimit.commands, on by default).
  const hitWindow = sqlite.prepare<[string, string, string, number, number, number, number], { count: number }>(
    `INSERT INTO command_windows (platform, community, actor, window_start, count, noticed) VALUES (?, ?, ?, ?, 1, 0)
     ON CONFLICT (platform, community, actor) DO UPDATE SET
       count = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN 1 ELSE command_windows.count + 1 END,
       noticed = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN 0 ELSE command_windows.noticed END,
       window_start = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN excluded.window_start ELSE command_windows.window_start END
     RETURNING window_start, count, noticed`,
  );
  // src/core/identity/repo.ts
  const findCommunity = sqlite.prepare<[string, string], { id: number }>('SELECT id, platform, external_id, name FROM communities WHERE platform = ? AND external_id = ?');
  const insertCommunity = sqlite.prepare<[string, string, string, number], { id: number }>(
    'INSERT INTO communities (platform, external_id, name, created_at) VALUES (?, ?, ?, ?) RETURNING id, platform, external_id, name',
  );
  const findByAccount = sqlite.prepare<[number, string, string], { id: number }>(
    'SELECT m.id, m.community_id, m.display_name, m.joined_at, m.left_at, a.platform_user_id FROM members m JOIN member_accounts a ON a.member_id = m.id WHERE a.community_id = ? AND a.platform = ? AND a.platform_user_id = ?',
  );
  const insertMember = sqlite.prepare<[number, string, number, number], { id: number }>('INSERT INTO members (community_id, display_name, joined_at, created_at) VALUES (?, ?, ?, ?) RETURNING id');
  const insertAccount = sqlite.prepare<[number, number, string, string]>('INSERT INTO member_accounts (member_id, community_id, platform, platform_user_id) VALUES (?, ?, ?, ?)');
  // src/features/checkin/repo.ts
  const getStreak = sqlite.prepare<[number], { last_day: string; streak: number; best_streak: number; total: number; freezes: number }>(
    'SELECT last_day, streak, best_streak, total, freezes FROM checkin_streaks WHERE member_id = ?',
  );
  const bumpDay = sqlite.prepare<[number, string], { count: number }>(
    `INSERT INTO checkin_day_counts (community_id, day, count) VALUES (?, ?, 1)
     ON CONFLICT (community_id, day) DO UPDATE SET count = count + 1 RETURNING count`,
  );
  const insertCheckin = sqlite.prepare<[number, number, string, number, number, number, number, number]>(
    `INSERT INTO checkins (community_id, member_id, day, streak, points, rank_of_day, freezes_used, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, day) DO NOTHING`,
  );
  const putStreak = sqlite.prepare<[number, string, number, number, number, number]>(
    `INSERT INTO checkin_streaks (member_id, last_day, streak, best_streak, total, freezes) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET last_day = excluded.last_day, streak = excluded.streak, best_streak = excluded.best_streak,
       total = excluded.total, freezes = excluded.freezes`,
  );
  // src/features/points/repo.ts
  const getPoints = sqlite.prepare<[number], { balance: number; earned: number }>('SELECT balance, earned FROM member_points WHERE member_id = ?');
  const insertLedger = sqlite.prepare<[number, number, number, string, string, string | null, string, number | null, string, number]>(
    `INSERT INTO points_ledger (community_id, member_id, delta, kind, reason, ref, idem_key, actor_member_id, day, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
  );
  const upsertPoints = sqlite.prepare<[number, number, number, number, number]>(
    `INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET balance = balance + excluded.balance, earned = earned + excluded.earned, updated_at = excluded.updated_at`,
  );
  const upsertPeriod = sqlite.prepare<[number, string, number, number]>(
    `INSERT INTO points_periods (community_id, period, member_id, earned) VALUES (?, ?, ?, ?)
     ON CONFLICT (community_id, period, member_id) DO UPDATE SET earned = earned + excluded.earned`,
  );

  // src/features/lifecycle/repo.ts: every command counts as the member's activity for the day.
  const bumpActivity = sqlite.prepare<[number, number, string], { total: number }>(
    `INSERT INTO member_activity (community_id, member_id, day, messages, commands) VALUES (?, ?, ?, 0, 1)
     ON CONFLICT (community_id, member_id, day) DO UPDATE SET messages = messages + excluded.messages, commands = commands + excluded.commands
     RETURNING messages + commands AS total`,
  );
  const markReturned = sqlite.prepare<[number, number, number, number]>('UPDATE nudges SET returned_at = ? WHERE member_id = ? AND returned_at IS NULL AND nudged_at <= ? AND nudged_at >= ?');

  const { day, week, month, at } = when;

  function body(platform: string, externalId: string, deliveryId: string, platformUserId: string, displayName: string): number {
    if (claim.run(platform, externalId, deliveryId, platformUserId, at).changes !== 1) throw new Error(`baseline: delivery ${deliveryId} seen twice`);
    if (options.rateLimitWindowMs !== undefined) hitWindow.get(platform, externalId, platformUserId, at, options.rateLimitWindowMs, options.rateLimitWindowMs, options.rateLimitWindowMs);
    const communityId = (findCommunity.get(platform, externalId) ?? (insertCommunity.get(platform, externalId, '', at) as { id: number })).id;
    let memberId = findByAccount.get(communityId, platform, platformUserId)?.id;
    if (memberId === undefined) {
      memberId = (insertMember.get(communityId, displayName, at, at) as { id: number }).id;
      insertAccount.run(memberId, communityId, platform, platformUserId);
    }
    savepoint?.run();
    // The bench checks each member in once, so this mirrors the first-check-in branch of decideStreak.
    const streak = getStreak.get(memberId);
    if (streak) throw new Error(`baseline: member ${platformUserId} checked in before`);
    const rank = (bumpDay.get(communityId, day) as { count: number }).count;
    if (insertCheckin.run(communityId, memberId, day, 1, basePoints, rank, 0, at).changes !== 1) throw new Error('baseline: check-in row exists');
    const before = getPoints.get(memberId) ?? { balance: 0, earned: 0 };
    if (insertLedger.run(communityId, memberId, basePoints, 'earn', 'checkin', day, `checkin:${memberId}:${day}`, null, day, at).changes !== 1) {
      throw new Error('baseline: ledger key used');
    }
    upsertPoints.run(memberId, communityId, basePoints, basePoints, at);
    upsertPeriod.run(communityId, week, memberId, basePoints);
    upsertPeriod.run(communityId, month, memberId, basePoints);
    putStreak.run(memberId, day, 1, 1, 1, 0);
    if ((bumpActivity.get(communityId, memberId, day) as { total: number }).total === 1) markReturned.run(at, memberId, at, at - 3 * 86_400_000);
    release?.run();
    saveReply.run(replyJson, platform, externalId, deliveryId);
    return before.balance + basePoints;
  }

  return {
    checkin(platform, externalId, deliveryId, platformUserId, displayName) {
      begin.run();
      try {
        const balance = body(platform, externalId, deliveryId, platformUserId, displayName);
        commit.run();
        return balance;
      } catch (err) {
        if (sqlite.inTransaction) rollback.run();
        throw err;
      }
    },
  };
}
