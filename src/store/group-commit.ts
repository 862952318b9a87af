/**
 * Group commit. Events that arrive while a commit is pending are run in ONE
 * write transaction, each inside its own savepoint, so they share one disk
 * sync: with synchronous=FULL a sync costs far more than the work of a
 * check-in, and chat traffic arrives in bursts. Each unit keeps its own
 * atomicity (a failing unit rolls back to its savepoint alone); callers
 * learn their outcome only after the shared COMMIT, so a reply is never
 * sent for work that was not made durable.
 */
import type { Store } from './db.js';

interface Unit {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export class GroupCommit {
  private queue: Unit[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    /** Largest number of units in one transaction (bounds its duration). */
    private readonly maxBatch = 64,
  ) {}

  /** Run `fn` in the next shared write transaction; resolves after it committed. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const units = this.queue.splice(0, this.maxBatch);
    if (this.queue.length > 0) setImmediate(() => this.flush());
    else this.scheduled = false;
    if (units.length === 1) {
      // Alone, the unit is the transaction: no savepoint needed.
      const [unit] = units as [Unit];
      let value: unknown;
      try {
        value = this.store.write(unit.fn);
      } catch (error) {
        unit.reject(error);
        return;
      }
      unit.resolve(value);
      return;
    }
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.store.write(() => {
        for (const unit of units) {
          try {
            outcomes.push({ ok: true, value: this.store.savepoint(unit.fn) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The COMMIT itself failed: nothing of this batch is durable.
      for (const unit of units) unit.reject(error);
      return;
    }
    units.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) unit.resolve(outcome.value);
      else unit.reject(outcome?.error);
    });
  }
}
