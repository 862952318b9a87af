/**
 * Per-member command windows (schema.ts). A fixed window starts with the
 * member's first command after the previous window ended.
 */
import type { Sql } from '../../store/sql.js';

export interface WindowKey {
  platform: string;
  community: string;
  actor: string;
}

export function createRateLimitRepo(sql: Sql) {
  // In an UPDATE, both engines evaluate every expression against the row as it was: the three CASEs agree.
  const hit = sql.prepare<[string, string, string, number, number, number, number], { window_start: number; count: number; noticed: number }>(
    `INSERT INTO command_windows (platform, community, actor, window_start, count, noticed) VALUES (?, ?, ?, ?, 1, 0)
     ON CONFLICT (platform, community, actor) DO UPDATE SET
       count = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN 1 ELSE command_windows.count + 1 END,
       noticed = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN 0 ELSE command_windows.noticed END,
       window_start = CASE WHEN excluded.window_start - command_windows.window_start >= ? THEN excluded.window_start ELSE command_windows.window_start END
     RETURNING window_start, count, noticed`,
  );
  const notice = sql.prepare<[string, string, string]>('UPDATE command_windows SET noticed = 1 WHERE platform = ? AND community = ? AND actor = ?');
  const prune = sql.prepare<[number]>('DELETE FROM command_windows WHERE window_start < ?');
  return {
    /** Counts one command in the member's window (a new window once `windowMs` has passed). */
    async hit(key: WindowKey, now: number, windowMs: number): Promise<{ windowStart: number; count: number; noticed: boolean }> {
      const row = (await hit.get(key.platform, key.community, key.actor, now, windowMs, windowMs, windowMs)) as { window_start: number; count: number; noticed: number };
      return { windowStart: row.window_start, count: row.count, noticed: row.noticed === 1 };
    },
    markNoticed: (key: WindowKey): Promise<number> => notice.run(key.platform, key.community, key.actor),
    pruneBefore: (cutoff: number): Promise<number> => prune.run(cutoff),
  };
}

export type RateLimitRepo = ReturnType<typeof createRateLimitRepo>;
