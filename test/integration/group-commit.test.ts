import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { GroupCommit } from '../../src/store/group-commit.js';

describe('group commit', () => {
  let dir: string;
  let store: Store;
  let writes: number;

  function open(): GroupCommit {
    dir = mkdtempSync(join(tmpdir(), 'qunbot-gc-'));
    store = openStore({ path: join(dir, 'db.sqlite'), synchronous: 'full', busyTimeoutMs: 1000, migrate: false });
    store.sqlite.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    const write = store.write;
    writes = 0;
    store.write = (fn) => {
      writes++;
      return write(fn);
    };
    return new GroupCommit(store);
  }
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (k: string, v: number) => () => store.sqlite.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(k, v).changes;
  const rows = () => store.sqlite.prepare('SELECT k, v FROM t ORDER BY k').all();

  it('units that arrive together share one transaction; each sees the ones before it', async () => {
    const gc = open();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gc.run(insert(`k${String(i).padStart(2, '0')}`, i))));
    expect(results).toEqual(Array(20).fill(1));
    expect(writes).toBe(1);
    expect(rows()).toHaveLength(20);
    // A later unit in the same batch sees an earlier one's write.
    const [, seen] = await Promise.all([gc.run(insert('x', 1)), gc.run(() => store.sqlite.prepare("SELECT v FROM t WHERE k = 'x'").get())]);
    expect(seen).toEqual({ v: 1 });
  });

  it('a failing unit rolls back alone; the others commit', async () => {
    const gc = open();
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
    const gc = open();
    await Promise.all(Array.from({ length: 150 }, (_, i) => gc.run(insert(`k${i}`, i))));
    expect(writes).toBe(3); // 64 + 64 + 22
    expect(rows()).toHaveLength(150);
  });

  it('when the commit fails, every unit of the batch is rejected and nothing is kept', async () => {
    const gc = open();
    store.sqlite.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const outcomes = await Promise.allSettled([gc.run(insert('a', 1)), gc.run(() => store.sqlite.prepare('INSERT INTO child (p) VALUES (42)').run().changes)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(rows()).toEqual([]);
  });
});
