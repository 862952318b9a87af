/**
 * A private PostgreSQL database for the run: created from the admin URL
 * PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/postgres), named
 * qunbot_test_<pid>_<hex>, handed to tests as inject('pgUrl') (see
 * test/helpers/pg.ts: each test takes a schema of its own in it) and dropped
 * at teardown. With no PostgreSQL, CI fails the run; elsewhere tests get ''
 * and the PostgreSQL tests skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's own PostgreSQL database; '' when there is none (never in CI). */
    pgUrl: string;
  }
}

export const DEFAULT_PG_TEST_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** CI=true (or any value other than '', 0 and false): PostgreSQL tests must run, not skip. */
export function isCi(): boolean {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false';
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** `url` with its database replaced by `database`. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let admin: string | undefined;
let database: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const adminUrl = process.env.PG_TEST_URL || DEFAULT_PG_TEST_URL;
  const name = `qunbot_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await withPgClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  } catch (err) {
    const reason = `no PostgreSQL test database at ${redactUrl(adminUrl)} (${err instanceof Error ? err.message || err.name : String(err)})`;
    if (isCi()) throw new Error(`${reason}; CI runs the PostgreSQL tests: start PostgreSQL or set PG_TEST_URL`);
    console.log(`postgres: ${reason}; PostgreSQL tests are skipped (set PG_TEST_URL to run them)`);
    project.provide('pgUrl', '');
    return;
  }
  admin = adminUrl;
  database = name;
  project.provide('pgUrl', databaseUrl(adminUrl, name));
}

export async function teardown(): Promise<void> {
  if (!admin || !database) return;
  const [url, name] = [admin, database];
  admin = database = undefined;
  await withPgClient(url, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
