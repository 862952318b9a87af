/**
 * Per-member command windows (schema.ts). A fixed window starts with the
 * member's first command after the previous window ended.
 */
import type { Sqlite } from '../../store/db.js';

export interface WindowKey {
  platform: string;
  community: string;
  actor: string;
}

export function createRateLimitRepo(sqlite: Sqlite) {
  // In an UPDATE, SQLite evaluates every expression against the row as it was: the three CASEs agree.
  const hit = sqlite.prepare<[string, string, string, number, number, number, number], { window_start: number; count: number; noticed: number }>(
    `INSERT INTO command_windows (platform, community, actor, window_start, count, noticed) VALUES (?, ?, ?, ?, 1, 0)
     ON CONFLICT (platform, community, actor) DO UPDATE SET
       count = CASE WHEN excluded.window_start - window_start >= ? THEN 1 ELSE count + 1 END,
       noticed = CASE WHEN excluded.window_start - window_start >= ? THEN 0 ELSE noticed END,
       window_start = CASE WHEN excluded.window_start - window_start >= ? THEN excluded.window_start ELSE window_start END
     RETURNING window_start, count, noticed`,
  );
  const notice = sqlite.prepare<[string, string, string]>('UPDATE command_windows SET noticed = 1 WHERE platform = ? AND community = ? AND actor = ?');
  const prune = sqlite.prepare<[number]>('DELETE FROM command_windows WHERE window_start < ?');
  return {
    /** Counts one command in the member's window (a new window once `windowMs` has passed). */
    hit(key: WindowKey, now: number, windowMs: number): { windowStart: number; count: number; noticed: boolean } {
      const row = hit.get(key.platform, key.community, key.actor, now, windowMs, windowMs, windowMs) as { window_start: number; count: number; noticed: number };
      return { windowStart: row.window_start, count: row.count, noticed: row.noticed === 1 };
    },
    markNoticed: (key: WindowKey): void => void notice.run(key.platform, key.community, key.actor),
    pruneBefore: (cutoff: number): number => prune.run(cutoff).changes,
  };
}

export type RateLimitRepo = ReturnType<typeof createRateLimitRepo>;
