/** SQLite state of the job runtime: recurring timers' first arming and last ticks. */
import type { Sqlite } from '../store/db.js';

export interface SchedulerState {
  armed_at: number;
  last_tick_at: number | null;
}

export function createJobsRepo(sqlite: Sqlite) {
  const arm = sqlite.prepare<[string, number]>('INSERT INTO timer_schedulers (id, armed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  const state = sqlite.prepare<[string], SchedulerState>('SELECT armed_at, last_tick_at FROM timer_schedulers WHERE id = ?');
  const tick = sqlite.prepare<[number, string, number]>('UPDATE timer_schedulers SET last_tick_at = ? WHERE id = ? AND (last_tick_at IS NULL OR last_tick_at < ?)');
  const forget = sqlite.prepare<[string]>('DELETE FROM timer_schedulers WHERE id = ?');
  return {
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
