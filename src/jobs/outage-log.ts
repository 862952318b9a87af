/**
 * One voice for a Redis outage: every connection (the producer and each
 * worker's) reports each failed reconnect, several times a second. The log
 * gets one warning when the outage starts, a reminder at most once a minute
 * while it lasts, and one line when Redis is back.
 */
import type { Logger } from 'pino';

const OUTAGE_REMINDER_MS = 60_000;

export class OutageLog {
  private since: number | undefined;
  private lastLine = 0;
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly reminderMs = OUTAGE_REMINDER_MS,
  ) {}

  down(err: Error): void {
    if (this.stopped) return;
    const now = this.now();
    if (this.since === undefined) {
      this.since = now;
      this.lastLine = now;
      this.log.warn({ err: err.message }, 'redis unreachable: commands keep working; timers and deliveries wait until it returns');
    } else if (now - this.lastLine >= this.reminderMs) {
      this.lastLine = now;
      this.log.warn({ err: err.message, downForS: Math.round((now - this.since) / 1000) }, 'redis still unreachable');
    }
  }

  up(): void {
    if (this.since === undefined || this.stopped) return;
    this.log.info({ downForS: Math.round((this.now() - this.since) / 1000) }, 'redis is back; reconciling timers');
    this.since = undefined;
  }

  /** Shutting down: disconnects are expected, not an outage. */
  stop(): void {
    this.stopped = true;
  }
}
