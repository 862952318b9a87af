/** SQLite state of the job runtime: the deployment's instance id and recurring timers' last ticks. */
import { randomBytes } from 'node:crypto';
import type { Sqlite } from '../store/db.js';

export interface SchedulerState {
  armed_at: number;
  last_tick_at: number | null;
}

export function createJobsRepo(sqlite: Sqlite) {
  const insertInstance = sqlite.prepare<[string, number]>('INSERT INTO deployment (id, instance_id, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING');
  const instance = sqlite.prepare<[], { instance_id: string }>('SELECT instance_id FROM deployment WHERE id = 1');
  const arm = sqlite.prepare<[string, number]>('INSERT INTO timer_schedulers (id, armed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  const state = sqlite.prepare<[string], SchedulerState>('SELECT armed_at, last_tick_at FROM timer_schedulers WHERE id = ?');
  const tick = sqlite.prepare<[number, string, number]>('UPDATE timer_schedulers SET last_tick_at = ? WHERE id = ? AND (last_tick_at IS NULL OR last_tick_at < ?)');
  const forget = sqlite.prepare<[string]>('DELETE FROM timer_schedulers WHERE id = ?');
  return {
    /**
     * The deployment's instance id, created on first call. Two processes starting
     * together on one new database agree: the first insert wins, both read it back.
     */
    instanceId(now: number): string {
      insertInstance.run(randomBytes(6).toString('hex'), now);
      return (instance.get() as { instance_id: string }).instance_id;
    },
    /** Records when a recurring timer was first armed (later calls keep the first time); returns its state. */
    armed(id: string, now: number): SchedulerState {
      arm.run(id, now);
      return state.get(id) as SchedulerState;
    },
    /** Moves the latest tick forward (never back). True when it moved. */
    ticked: (id: string, tickAt: number): boolean => tick.run(tickAt, id, tickAt).changes > 0,
    forget: (id: string) => void forget.run(id),
  };
}

export type JobsRepo = ReturnType<typeof createJobsRepo>;
