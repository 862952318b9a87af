/**
 * A PostgreSQL database of the benchmark's own: created on the server named by
 * BENCH_PG_URL (default: the local server's `postgres` database, which is only
 * used to issue CREATE/DROP DATABASE) as `qunbot_bench_<pid>_<hex>`, and
 * dropped afterwards. No other database is read or written.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const BENCH_PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  /** The connection string of the new database (same server, user and options as the admin URL). */
  url: string;
  /** Connected to the new database: for counts and server statistics. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Drops the database (closing any connection still on it). */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BENCH_PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Whether the server answers at all (the module reports that instead of failing on a machine without PostgreSQL). */
export async function postgresReachable(): Promise<string | undefined> {
  try {
    return await admin(async (c) => ((await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown'));
  } catch {
    return undefined;
  }
}

/**
 * Drops the bench databases that a process of this machine left behind when
 * it was killed before its cleanup (their names carry its pid, and no
 * process has that pid any more). Only for a server on this machine, where
 * the pids are ours to check; returns the names dropped.
 */
export async function dropOrphanedBenchDatabases(): Promise<string[]> {
  const host = new URL(BENCH_PG_ADMIN_URL).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) return [];
  return admin(async (c) => {
    const names = (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'qunbot\\_bench\\_%'")).rows.map((r) => r.datname);
    const dropped: string[] = [];
    for (const name of names) {
      const pid = Number(/^qunbot_bench_(\d+)_[a-z0-9]+_[0-9a-f]{8}$/.exec(name)?.[1]);
      if (!pid || pid === process.pid || alive(pid)) continue;
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      dropped.push(name);
    }
    return dropped;
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function createBenchDatabase(tag: string): Promise<BenchDatabase> {
  const name = `qunbot_bench_${process.pid}_${tag.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(BENCH_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  let dropped = false;
  return {
    name,
    url: url.toString(),
    query: async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => (await client.query<R>(text, values)).rows,
    async drop() {
      if (dropped) return;
      dropped = true;
      await client.end().catch(() => undefined);
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
