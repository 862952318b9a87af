import type { Sql } from '../../store/sql.js';
import type { scheduledPosts } from './schema.js';
import type { RowOf } from '../../store/rows.js';

/** A `SELECT *` row of scheduledPosts (its type follows the table's definition). */
export type PostRow = RowOf<typeof scheduledPosts>;

/** A calendar post the bot made (an announcement or a scheduled post's firing), from the outbox. */
export interface PostedRow {
  created_at: number;
  source: string;
  reply_json: string;
  promo: number;
  post_id: number | null;
}

/** Outbox sources that are calendar posts: announcements and scheduled posts. */
const CALENDAR_SOURCES = "(d.source IN ('announce', 'announce-promo') OR d.source LIKE 'post:%')";

export function createScheduleRepo(sql: Sql) {
  const insert = sql.prepare<[number, string, string | null, string, number | null, string, number, number, number], { id: number }>(
    `INSERT INTO scheduled_posts (community_id, kind, cron, timezone, due_at, text, promo, status, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id`,
  );
  const get = sql.prepare<[number], PostRow>('SELECT * FROM scheduled_posts WHERE id = ?');
  const list = sql.prepare<[number], PostRow>("SELECT * FROM scheduled_posts WHERE community_id = ? AND status IN ('active', 'paused', 'skipped') ORDER BY id");
  const active = sql.prepare<[], PostRow>("SELECT * FROM scheduled_posts WHERE status = 'active'");
  const setStatus = sql.prepare<[string, number, string]>('UPDATE scheduled_posts SET status = ? WHERE id = ? AND status = ?');
  const ran = sql.prepare<[number, number]>('UPDATE scheduled_posts SET last_run_at = ?, runs = runs + 1 WHERE id = ?');
  const insertRun = sql.prepare<[number, string, number]>('INSERT INTO post_runs (post_id, run_key, fired_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const activePosts = sql.prepare<[number], PostRow>("SELECT * FROM scheduled_posts WHERE community_id = ? AND status = 'active'");
  // A scheduled post's firings have source 'post:<id>'. PostgreSQL may evaluate a join
  // condition in any order, so its cast is guarded by a CASE (which evaluates in order).
  const postedSelect = (join: string) => `SELECT d.created_at, d.source, d.reply_json, p.id AS post_id,
            CASE WHEN p.id IS NOT NULL THEN p.promo WHEN d.source = 'announce-promo' THEN 1 ELSE 0 END AS promo
     FROM deliveries d LEFT JOIN scheduled_posts p ON ${join}
     WHERE d.community_id = ? AND d.created_at >= ? AND d.created_at < ? AND ${CALENDAR_SOURCES} ORDER BY d.created_at, d.id`;
  const posted = sql.prepare<[number, number, number], PostedRow>({
    sqlite: postedSelect("d.source LIKE 'post:%' AND p.id = CAST(substr(d.source, 6) AS INTEGER)"),
    postgres: postedSelect("p.id = CASE WHEN d.source LIKE 'post:%' THEN CAST(substr(d.source, 6) AS BIGINT) END"),
  });
  const skipped = sql.prepare<[number, number]>('UPDATE scheduled_posts SET last_skipped_at = ?, skips = skips + 1 WHERE id = ?');
  return {
    insert: async (p: { communityId: number; kind: 'once' | 'cron'; cron: string | null; timezone: string; dueAt: number | null; text: string; promo: boolean; createdBy: number; at: number }) =>
      ((await insert.get(p.communityId, p.kind, p.cron, p.timezone, p.dueAt, p.text, p.promo ? 1 : 0, p.createdBy, p.at)) as { id: number }).id,
    get: (id: number) => get.get(id),
    listOpen: (communityId: number) => list.all(communityId),
    allActive: () => active.all(),
    /** Compare-and-set: true when the status was `from` and is now `to`. */
    moveStatus: async (id: number, from: PostRow['status'], to: PostRow['status']) => (await setStatus.run(to, id, from)) === 1,
    markRan: (id: number, at: number) => ran.run(at, id),
    /** False when this firing was recorded before. */
    recordRun: async (postId: number, runKey: string, at: number) => (await insertRun.run(postId, runKey, at)) === 1,
    /** Planned posts: the community's active one-off and recurring posts. */
    active: (communityId: number) => activePosts.all(communityId),
    /** Calendar posts made in [from, to): announcements and scheduled posts' firings. */
    postedBetween: (communityId: number, from: number, to: number) => posted.all(communityId, from, to),
    markSkipped: (id: number, at: number) => skipped.run(at, id),
  };
}

export type ScheduleRepo = ReturnType<typeof createScheduleRepo>;
