/**
 * Queues by purpose (DESIGN.md §5). Job ids are deterministic, prefixed,
 * never a bare integer and never contain ':' (BullMQ rejects both).
 */
export const QUEUES = {
  /** One-off due work: a one-off post, a lottery draw, a quiz deadline, a follow-up. */
  timers: 'timers',
  /** BullMQ job schedulers for recurring posts. */
  schedules: 'schedules',
  /** Platform sends with retries, backoff and per-target rate limits. */
  outbox: 'outbox',
} as const;

export interface TimerData {
  id: number;
  /** Set on a late run of a recurring tick missed while no worker ran: the scheduler and the tick's cron time. */
  schedulerId?: string;
  tick?: number;
}

export interface DeliveryData {
  deliveryId: number;
}

export const deliveryJobId = (id: number): string => `delivery-${id}`;
export const catchUpJobId = (schedulerId: string, tick: number): string => `catchup-${schedulerId}-${tick}`;

export function assertJobId(id: string): string {
  if (id.includes(':') || /^\d+$/.test(id)) throw new Error(`invalid job id ${id}: no ':' and not a bare integer`);
  return id;
}
