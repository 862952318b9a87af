/**
 * Settings: a few values by key that outlive the process (the playground's
 * clock offset, the deployment's instance id). Values are JSON; a key never
 * written reads as undefined.
 */
import type { Sql } from '../../store/sql.js';

export function createSettingsRepo(sql: Sql) {
  const load = sql.prepare<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?');
  const save = sql.prepare<[string, string, number]>(
    'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
  );
  const insert = sql.prepare<[string, string, number]>('INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING');
  return {
    async get(key: string): Promise<unknown> {
      const row = await load.get(key);
      return row ? (JSON.parse(row.value_json) as unknown) : undefined;
    },
    /** `at` is the wall-clock time of the write (bookkeeping only). */
    set: (key: string, value: unknown, at: Date): Promise<number> => save.run(key, JSON.stringify(value), at.getTime()),
    /**
     * Writes `value` unless the key has one already; returns the stored value. Two
     * processes racing on a new database agree: the first write wins, both read it.
     */
    async claim(key: string, value: unknown, at: Date): Promise<unknown> {
      await insert.run(key, JSON.stringify(value), at.getTime());
      return JSON.parse(((await load.get(key)) as { value_json: string }).value_json) as unknown;
    },
  };
}
