/**
 * Units of work, group-committed. Units that arrive while a commit is
 * pending run in ONE write transaction, each inside its own savepoint, so
 * they share one disk sync: with synchronous=FULL a sync costs far more than
 * the work of a check-in, and chat traffic arrives in bursts. Each unit keeps
 * its own atomicity (a failing unit rolls back to its savepoint alone);
 * callers learn their outcome only after the shared COMMIT, so a reply is
 * never sent, and no after-commit hook runs, for work that was not durable.
 *
 * Units run one at a time on the one connection, in arrival order. A unit may
 * be async, but it must await only the store: the transaction stays open
 * while it awaits, and every other unit waits behind it.
 */
import type { Sqlite } from './db.js';

/** Work to do once the unit has committed (arm a timer, hand a post to the outbox). */
export type AfterCommit = () => Promise<void>;

/** What a unit of work gets: a place to put the work that must wait for its commit. */
export interface UnitContext {
  afterCommit(fn: AfterCommit): void;
}

/** A committed unit: its value, and its after-commit hooks, not yet run. */
export interface Committed<T> {
  value: T;
  /** Runs the hooks in order; a failing hook is reported and the rest still run. */
  runAfterCommit(onError: (err: unknown) => void): Promise<void>;
}

export type UnitFn<T> = (unit: UnitContext) => T | Promise<T>;

interface Pending {
  fn: UnitFn<unknown>;
  resolve: (value: Committed<unknown>) => void;
  reject: (reason: unknown) => void;
}

type Outcome = { ok: true; value: unknown; hooks: AfterCommit[] } | { ok: false; error: unknown };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function committed<T>(value: T, hooks: readonly AfterCommit[]): Committed<T> {
  return {
    value,
    async runAfterCommit(onError) {
      for (const fn of hooks) {
        try {
          await fn();
        } catch (err) {
          onError(err);
        }
      }
    },
  };
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  /** Write transactions begun so far (tests and benchmarks read it). */
  transactions = 0;
  private readonly sql: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', { run(): unknown }>;

  constructor(
    sqlite: Sqlite,
    /** Largest number of units in one transaction (bounds its duration). */
    private readonly maxBatch = 64,
    /**
     * The disk sync of a COMMIT when SQLite does not do it (`synchronous=OFF`,
     * see wal-sync.ts): awaited after the COMMIT, before the batch's units
     * resolve, while the next batch already runs.
     */
    private readonly durable?: () => Promise<void>,
  ) {
    // Prepared once; BEGIN IMMEDIATE so that two processes on one file never deadlock upgrading a read lock.
    this.sql = {
      begin: sqlite.prepare('BEGIN IMMEDIATE'),
      commit: sqlite.prepare('COMMIT'),
      rollback: sqlite.prepare('ROLLBACK'),
      savepoint: sqlite.prepare('SAVEPOINT unit'),
      release: sqlite.prepare('RELEASE unit'),
      rollbackTo: sqlite.prepare('ROLLBACK TO unit'),
    };
  }

  /** Run `fn` in the next shared write transaction; resolves after it committed. */
  run<T>(fn: UnitFn<T>): Promise<Committed<T>> {
    return new Promise<Committed<T>>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: Committed<unknown>) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const units = this.queue.splice(0, this.maxBatch);
    const outcomes: Outcome[] = [];
    let commitError: unknown;
    let committedWrites = false;
    try {
      this.sql.begin.run();
      this.transactions++;
    } catch (error) {
      commitError = error;
    }
    if (commitError === undefined) {
      // Alone, the unit is the transaction: no savepoint needed.
      const alone = units.length === 1;
      for (const unit of units) {
        const hooks: AfterCommit[] = [];
        if (!alone) this.sql.savepoint.run();
        try {
          // A unit that returns a plain value finishes without yielding: no await, no microtask.
          let value = unit.fn({ afterCommit: (fn) => void hooks.push(fn) });
          if (isThenable(value)) value = await value;
          if (!alone) this.sql.release.run();
          outcomes.push({ ok: true, value, hooks });
        } catch (error) {
          if (!alone) {
            this.sql.rollbackTo.run();
            this.sql.release.run();
          }
          outcomes.push({ ok: false, error });
        }
      }
      try {
        if (alone && !outcomes[0]?.ok) this.sql.rollback.run();
        else {
          this.sql.commit.run();
          committedWrites = true;
        }
      } catch (error) {
        commitError = error;
        try {
          this.sql.rollback.run();
        } catch {
          // The failed COMMIT already ended the transaction.
        }
      }
    }
    this.flushing = false;
    this.schedule();
    if (committedWrites && this.durable) {
      try {
        await this.durable();
      } catch (error) {
        // Committed but not known to be on disk: nobody is told it is done.
        commitError = error;
      }
    }
    units.forEach((unit, i) => {
      const outcome = outcomes[i];
      // The COMMIT itself failed: nothing of this batch is durable.
      if (commitError !== undefined) unit.reject(commitError);
      else if (outcome?.ok) unit.resolve(committed(outcome.value, outcome.hooks));
      else unit.reject(outcome?.error);
    });
  }
}
