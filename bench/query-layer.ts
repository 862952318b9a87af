/**
 * `query-layer`: why the repositories use plain prepared SQL. The same two
 * statements a check-in runs on its hottest table (read a member's balance,
 * then upsert it) through three layers on one SQLite file, in one run:
 *
 * - the store contract (`store.sql.prepare`, async statements, what repos use);
 * - drizzle's query builder (`db.select().from(...).where(...)`, built per call);
 * - drizzle's prepared queries (`.prepare()` once, `.execute()` / `.run()` per call).
 *
 * The baseline is better-sqlite3's own prepared statements, called directly.
 * Each operation is one read and one write, outside a transaction batch
 * (synchronous=normal, so the disk sync does not drown the difference).
 */
import { join } from 'node:path';
import { eq, sql as dsql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { memberPoints } from '../src/features/points/schema.js';
import { openSqliteStore, sqliteOf } from '../src/store/db.js';
import { timeCalls, type BenchContext, type BenchModule, type BenchRow } from './harness.js';

const MEMBERS = 1000;

export const queryLayerBench: BenchModule = {
  name: 'query-layer',
  description: 'a balance read + upsert through the store contract, drizzle query builder and drizzle prepared queries, against raw better-sqlite3',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const store = openSqliteStore({ path: join(ctx.tempDir('query-layer'), 'q.sqlite'), synchronous: 'normal', busyTimeoutMs: 1000 });
    const sqlite = sqliteOf(store);
    // member_points references members(id): make the members first.
    sqlite.exec("INSERT INTO communities (id, platform, external_id, name, created_at) VALUES (1, 'playground', 'bench', '', 0)");
    const addMember = sqlite.prepare("INSERT INTO members (id, community_id, display_name, joined_at, created_at) VALUES (?, 1, 'm', 0, 0)");
    for (let i = 1; i <= MEMBERS; i++) addMember.run(i);
    const db = drizzle(sqlite);
    const calls = ctx.quick ? 5_000 : 60_000;
    const opts = { warmup: ctx.quick ? 500 : 3_000, maxCalls: calls, budgetMs: ctx.quick ? 1_000 : 5_000, minCalls: 1_000 };
    const member = (i: number) => (i % MEMBERS) + 1;

    // Raw better-sqlite3: the baseline.
    const rawGet = sqlite.prepare<[number], { balance: number; earned: number }>('SELECT balance, earned FROM member_points WHERE member_id = ?');
    const upsertText = `INSERT INTO member_points (member_id, community_id, balance, earned, updated_at) VALUES (?, 1, 1, 1, ?)
      ON CONFLICT (member_id) DO UPDATE SET balance = member_points.balance + excluded.balance, earned = member_points.earned + excluded.earned, updated_at = excluded.updated_at`;
    const rawUpsert = sqlite.prepare<[number, number]>(upsertText);
    const raw = await timeCalls((i) => {
      rawGet.get(member(i));
      rawUpsert.run(member(i), i);
    }, opts);

    // The store contract, as repositories use it.
    const getStmt = store.sql.prepare<[number], { balance: number; earned: number }>('SELECT balance, earned FROM member_points WHERE member_id = ?');
    const upsertStmt = store.sql.prepare<[number, number], never>(upsertText);
    const contract = await timeCalls(async (i) => {
      await getStmt.get(member(i));
      await upsertStmt.run(member(i), i);
    }, opts);

    // drizzle's query builder, built on every call.
    const builder = await timeCalls((i) => {
      db.select({ balance: memberPoints.balance, earned: memberPoints.earned }).from(memberPoints).where(eq(memberPoints.memberId, member(i))).get();
      db.insert(memberPoints)
        .values({ memberId: member(i), communityId: 1, balance: 1, earned: 1, updatedAt: i })
        .onConflictDoUpdate({ target: memberPoints.memberId, set: { balance: dsql`${memberPoints.balance} + 1`, earned: dsql`${memberPoints.earned} + 1`, updatedAt: i } })
        .run();
    }, opts);

    // drizzle's prepared queries.
    const pGet = db.select({ balance: memberPoints.balance, earned: memberPoints.earned }).from(memberPoints).where(eq(memberPoints.memberId, dsql.placeholder('id'))).prepare();
    const pUpsert = db
      .insert(memberPoints)
      .values({ memberId: dsql.placeholder('id'), communityId: 1, balance: 1, earned: 1, updatedAt: dsql.placeholder('at') })
      .onConflictDoUpdate({ target: memberPoints.memberId, set: { balance: dsql`${memberPoints.balance} + 1`, earned: dsql`${memberPoints.earned} + 1`, updatedAt: dsql`excluded.updated_at` } })
      .prepare();
    const prepared = await timeCalls((i) => {
      pGet.get({ id: member(i) });
      pUpsert.run({ id: member(i), at: i });
    }, opts);
    await store.close();

    const opsPerS = (s: { n: number; totalMs: number }) => (s.n / s.totalMs) * 1000;
    const baseline = { name: 'raw better-sqlite3 prepared', value: opsPerS(raw) };
    const row = (name: string, s: typeof raw, note: string): BenchRow => ({
      name,
      value: opsPerS(s),
      unit: 'ops/s',
      p50Us: s.p50Us,
      p99Us: s.p99Us,
      n: s.n,
      baseline,
      note,
    });
    return [
      row('store contract (sql.prepare, async)', contract, 'what the repositories use: one read + one upsert per op'),
      row('drizzle query builder', builder, 'the query built and its SQL generated on every call'),
      row('drizzle prepared query', prepared, 'built once, executed with placeholders'),
    ];
  },
};
