/** SQLite state of the job runtime: recurring timers' first arming and last ticks. */
import type { Sql } from '../store/sql.js';

export interface SchedulerState {
  armed_at: number;
  last_tick_at: number | null;
}

export function createJobsRepo(sql: Sql) {
  const arm = sql.prepare<[string, number]>('INSERT INTO timer_schedulers (id, armed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  const state = sql.prepare<[string], SchedulerState>('SELECT armed_at, last_tick_at FROM timer_schedulers WHERE id = ?');
  const tick = sql.prepare<[number, string, number]>('UPDATE timer_schedulers SET last_tick_at = ? WHERE id = ? AND (last_tick_at IS NULL OR last_tick_at < ?)');
  const forget = sql.prepare<[string]>('DELETE FROM timer_schedulers WHERE id = ?');
  return {
    /** Records when a recurring timer was first armed (later calls keep the first time); returns its state. */
    async armed(id: string, now: number): Promise<SchedulerState> {
      await arm.run(id, now);
      return (await state.get(id)) as SchedulerState;
    },
    /** Moves the latest tick forward (never back). True when it moved. */
    ticked: async (id: string, tickAt: number): Promise<boolean> => (await tick.run(tickAt, id, tickAt)) > 0,
    forget: (id: string) => forget.run(id),
  };
}

export type JobsRepo = ReturnType<typeof createJobsRepo>;
