/** Time is injected: features never read the system clock themselves. */
export interface Clock {
  now(): Date;
}

// The one place the system time is read; everything else receives a Clock.
// eslint-disable-next-line no-restricted-syntax
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that runs with the system clock but can be moved forward: the
 * playground's "next day" button and tests use it. It never moves back:
 * the offset only grows, starts from the one saved before a restart, and
 * each change is handed to `onAdvance` (which keeps it in the database).
 */
export class AdjustableClock implements Clock {
  private offsetMs: number;
  private readonly onAdvance: ((offsetMs: number) => Promise<void> | void) | undefined;
  constructor(
    private readonly base: Clock = systemClock,
    options: { offsetMs?: number; onAdvance?: (offsetMs: number) => Promise<void> | void } = {},
  ) {
    this.offsetMs = Math.max(0, options.offsetMs ?? 0);
    this.onAdvance = options.onAdvance;
  }
  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }
  async advance(ms: number): Promise<void> {
    if (!(ms > 0)) throw new RangeError(`the clock only moves forward (got ${ms} ms)`);
    // Saved first: if saving fails, the clock has not moved either.
    const next = this.offsetMs + ms;
    await this.onAdvance?.(next);
    this.offsetMs = Math.max(this.offsetMs, next);
  }
  get offset(): number {
    return this.offsetMs;
  }
}

/** A clock that stands still until told otherwise (unit tests). */
export class FixedClock implements Clock {
  private current: Date;
  constructor(start: Date | string) {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
