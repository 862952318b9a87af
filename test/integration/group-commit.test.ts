import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store, sqliteOf } from '../../src/store/db.js';
import { GroupCommit, type UnitFn } from '../../src/store/group-commit.js';

describe('group commit', () => {
  let dir: string;
  let store: Store;
  let gc: GroupCommit;
  const writes = (): number => gc.transactions;

  /** A group commit on a fresh file; `run` resolves with the unit's value. */
  async function open(): Promise<{ run: <T>(fn: UnitFn<T>) => Promise<T> }> {
    dir = mkdtempSync(join(tmpdir(), 'qunbot-gc-'));
    store = (await openStore({ path: join(dir, 'db.sqlite'), synchronous: 'full', busyTimeoutMs: 1000, migrate: false }));
    sqliteOf(store).exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    gc = new GroupCommit(sqliteOf(store));
    return { run: async (fn) => (await gc.run(fn)).value };
  }
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (k: string, v: number) => () => sqliteOf(store).prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(k, v).changes;
  const rows = () => sqliteOf(store).prepare('SELECT k, v FROM t ORDER BY k').all();

  it('units that arrive together share one transaction; each sees the ones before it', async () => {
    const gc = (await open());
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gc.run(insert(`k${String(i).padStart(2, '0')}`, i))));
    expect(results).toEqual(Array(20).fill(1));
    expect(writes()).toBe(1);
    expect(rows()).toHaveLength(20);
    // A later unit in the same batch sees an earlier one's write.
    const [, seen] = await Promise.all([gc.run(insert('x', 1)), gc.run(() => sqliteOf(store).prepare("SELECT v FROM t WHERE k = 'x'").get())]);
    expect(seen).toEqual({ v: 1 });
  });

  it('a failing unit rolls back alone; the others commit', async () => {
    const gc = (await open());
    const outcomes = await Promise.allSettled([
      gc.run(insert('a', 1)),
      gc.run(() => {
        insert('b', 2)();
        throw new Error('refused');
      }),
      gc.run(insert('a', 3)), // UNIQUE violation
      gc.run(insert('c', 4)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(rows()).toEqual([
      { k: 'a', v: 1 },
      { k: 'c', v: 4 },
    ]);
  });

  it('a batch is bounded; the rest commit in the next one', async () => {
    const gc = (await open());
    await Promise.all(Array.from({ length: 150 }, (_, i) => gc.run(insert(`k${i}`, i))));
    expect(writes()).toBe(3); // 64 + 64 + 22
    expect(rows()).toHaveLength(150);
  });

  it('when the commit fails, every unit of the batch is rejected and nothing is kept', async () => {
    const gc = (await open());
    sqliteOf(store).exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const outcomes = await Promise.allSettled([gc.run(insert('a', 1)), gc.run(() => sqliteOf(store).prepare('INSERT INTO child (p) VALUES (42)').run().changes)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(rows()).toEqual([]);
  });

  it('an async unit that awaits the store keeps the transaction to itself; units behind it wait, then commit together', async () => {
    const gc = (await open());
    const order: string[] = [];
    const slow = gc.run(async () => {
      insert('a', 1)();
      await Promise.resolve();
      order.push('a awaited');
      return insert('b', 2)();
    });
    const fast = gc.run(() => {
      order.push('c');
      return insert('c', 3)();
    });
    expect(await Promise.all([slow, fast])).toEqual([1, 1]);
    expect(order).toEqual(['a awaited', 'c']);
    expect(writes()).toBe(1);
    expect(rows()).toHaveLength(3);
  });

  it('after-commit hooks are handed back unrun, run in order, and never for a unit that rolled back', async () => {
    await open();
    const ran: string[] = [];
    const ok = await gc.run((u) => {
      u.afterCommit(async () => void ran.push('one'));
      u.afterCommit(async () => {
        throw new Error('boom');
      });
      u.afterCommit(async () => void ran.push('three'));
      return insert('a', 1)();
    });
    const failed = gc.run((u) => {
      u.afterCommit(async () => void ran.push('never'));
      throw new Error('refused');
    });
    await expect(failed).rejects.toThrow('refused');
    expect(ran).toEqual([]);
    const errors: unknown[] = [];
    await ok.runAfterCommit((err) => errors.push(err));
    expect(ran).toEqual(['one', 'three']);
    expect(errors).toHaveLength(1);
  });
});
