/**
 * Shared pieces of the fault suite (test/faults): the mode (short in CI,
 * FAULTS=long on request), a playground client that retries one delivery
 * with its own messageId, a tracker that kills every process and removes
 * every folder a test made, and invariant checks read straight from the
 * SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, sqliteSql } from '../../src/store/db.js';
import type { Sql } from '../../src/store/sql.js';
import { pgDatabaseFor } from '../helpers/app.js';
import { testEngine } from '../helpers/pg.js';
import { afterEach } from 'vitest';
import { startBot, type BotProcess } from '../helpers/process.js';
export { fastTimersConfig as fastConfig } from '../helpers/process.js';
export { untilBefore } from '../helpers/wait.js';
import type { RedisProcess } from '../setup/redis-server.js';
import { sleep } from '../helpers/wait.js';

export const LONG = process.env.FAULTS === 'long';

/** A count or duration for short mode (CI) and long mode (FAULTS=long). */
export const pick = <T>(short: T, long: T): T => (LONG ? long : short);

/** Printed in long mode only: the suite's short summary. */
export function summary(scenario: string, figures: Record<string, number | string>): void {
  if (LONG) console.log(`[faults] ${scenario}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** A seeded generator so a failing run can be replayed (FAULTS_SEED); the seed is in the failure message. */
export function seededRng(seed = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000)): { seed: number; next: () => number; int: (lo: number, hi: number) => number } {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  return { seed, next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

/**
 * Everything a test started, stopped after it even when it failed: bots are
 * SIGKILLed (their state is on disk, which is the point), Redis servers
 * stopped, folders removed.
 */
export function tracker(): {
  bot(env: Record<string, string>, dir: string): Promise<BotProcess>;
  redis(r: RedisProcess): RedisProcess;
  dir(prefix?: string): string;
  /** Any other cleanup (a fake platform server), run after the processes are gone. */
  later(fn: () => Promise<void> | void): void;
} {
  const bots: BotProcess[] = [];
  const others: Array<() => Promise<void> | void> = [];
  const redises: RedisProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop('SIGKILL')));
    await Promise.all(redises.splice(0).map((r) => r.stop().catch(() => undefined)));
    for (const fn of others.splice(0)) await fn();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    async bot(env, dir) {
      const b = await startBot(env, { dir });
      bots.push(b);
      return b;
    },
    redis(r) {
      redises.push(r);
      return r;
    },
    later(fn) {
      others.push(fn);
    },
    dir(prefix = 'qunbot-faults-') {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
  };
}

export interface PlaygroundAnswer {
  status: number;
  text: string;
  duplicate: boolean;
}

/** One delivery to the playground API; throws when the response is lost (connection refused, reset, timeout). */
export async function deliver(url: string, userId: string, text: string, messageId: string, timeoutMs = 15_000): Promise<PlaygroundAnswer> {
  const res = await fetch(`${url}/playground/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ communityId: 'demo', userId, userName: userId, text, messageId }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { replies?: Array<{ title?: string; text: string }>; duplicate?: boolean };
  return { status: res.status, text: (body.replies ?? []).map((r) => [r.title, r.text].filter(Boolean).join('\n')).join('\n---\n'), duplicate: body.duplicate === true };
}

/** Delivers until an answer arrives (same messageId every time), within `attempts` and `deadlineMs`. */
export async function deliverUntilAnswered(url: () => string, userId: string, text: string, messageId: string, opts: { attempts?: number; deadlineMs?: number } = {}): Promise<PlaygroundAnswer & { tries: number }> {
  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  const attempts = opts.attempts ?? 200;
  for (let i = 1; i <= attempts && Date.now() < deadline; i++) {
    try {
      const answer = await deliver(url(), userId, text, messageId);
      if (answer.status < 500) return { ...answer, tries: i };
    } catch {
      // lost: the bot is down or was killed mid-request
    }
    await sleep(100);
  }
  throw new Error(`no answer for ${messageId} (${text}) within ${attempts} attempts`);
}

export async function feedTexts(url: string): Promise<string[]> {
  const res = await fetch(`${url}/playground/api/feed?communityId=demo`);
  const body = (await res.json()) as { posts: Array<{ reply: { text: string } }> };
  return body.posts.map((p) => p.reply.text);
}

export function openDb(dir: string): Database.Database {
  return new Database(join(dir, 'qunbot.sqlite'), { readonly: true, fileMustExist: true });
}

/**
 * Reads the bot's database from outside the bot: the SQLite file in `dir`, read-only,
 * or on PostgreSQL runs the schema of that folder's database path (test/helpers/app.ts).
 */
export async function withDb<T>(dir: string, fn: (db: Sql) => Promise<T> | T): Promise<T> {
  if (testEngine() === 'postgres') {
    const { url } = await pgDatabaseFor(join(dir, 'qunbot.sqlite'));
    const store = await openStore({ engine: 'postgres', url, poolSize: 2, migrate: false });
    try {
      return await fn(store.sql);
    } finally {
      await store.close();
    }
  }
  const db = openDb(dir);
  try {
    return await fn(sqliteSql(db));
  } finally {
    db.close();
  }
}

/**
 * The store's invariants, as a list of violations (empty when they hold):
 * every member's cached balance equals the sum of their ledger, no ledger
 * idempotency key twice, no inbound delivery twice, no outbox dedupe key
 * twice, no recurring run key twice.
 */
export async function invariantViolations(db: Sql): Promise<string[]> {
  const out: string[] = [];
  const balances = (await db
    .prepare(
      `SELECT m.id AS member, COALESCE(p.balance, 0) AS balance, COALESCE((SELECT SUM(delta) FROM points_ledger l WHERE l.member_id = m.id), 0) AS ledger
       FROM members m LEFT JOIN member_points p ON p.member_id = m.id`,
    )
    .all()) as Array<{ member: number; balance: number; ledger: number }>;
  for (const b of balances) if (b.balance !== b.ledger) out.push(`member ${b.member}: balance ${b.balance} but sum(ledger) ${b.ledger}`);
  const twice = async (sql: string, what: string): Promise<void> => {
    for (const row of (await db.prepare(sql).all()) as Array<{ k: string; n: number }>) out.push(`${what} ${row.k} appears ${row.n} times`);
  };
  await twice('SELECT idem_key AS k, COUNT(*) AS n FROM points_ledger GROUP BY idem_key HAVING COUNT(*) > 1', 'ledger idempotency key');
  await twice("SELECT platform || '|' || community || '|' || delivery_id AS k, COUNT(*) AS n FROM inbound_events GROUP BY platform, community, delivery_id HAVING COUNT(*) > 1", 'inbound delivery');
  await twice('SELECT dedupe_key AS k, COUNT(*) AS n FROM deliveries GROUP BY dedupe_key HAVING COUNT(*) > 1', 'outbox dedupe key');
  await twice("SELECT post_id || '|' || run_key AS k, COUNT(*) AS n FROM post_runs GROUP BY post_id, run_key HAVING COUNT(*) > 1", 'recurring run key');
  await twice("SELECT member_id || '|' || day AS k, COUNT(*) AS n FROM checkins GROUP BY member_id, day HAVING COUNT(*) > 1", 'check-in');
  return out;
}

/** The member id behind a platform user id, playground by default (undefined when never seen). */
export async function memberOf(db: Sql, userId: string, platform: 'playground' | 'discord' | 'wecom' = 'playground'): Promise<number | undefined> {
  const row = (await db.prepare('SELECT member_id AS id FROM member_accounts WHERE platform = ? AND platform_user_id = ?').get(platform, userId)) as { id: number } | undefined;
  return row?.id;
}

/** How many playground feed posts contain `marker`. */
export async function feedCount(db: Sql, marker: string): Promise<number> {
  const rows = (await db.prepare('SELECT reply_json FROM playground_posts').all()) as Array<{ reply_json: string }>;
  return rows.filter((r) => (JSON.parse(r.reply_json) as { text?: string }).text?.includes(marker)).length;
}

/** The `markers` that no playground feed post contains yet. */
export async function unposted(db: Sql, markers: readonly string[]): Promise<string[]> {
  const rows = (await db.prepare('SELECT reply_json FROM playground_posts').all()) as Array<{ reply_json: string }>;
  const texts = rows.map((r) => (JSON.parse(r.reply_json) as { text?: string }).text ?? '');
  return markers.filter((m) => !texts.some((t) => t.includes(m)));
}

/**
 * Waits until every marker is in the feed; on time-out the error names the
 * missing ones and ends with the bot's latest output.
 */
export async function waitForPosts(dir: string, markers: readonly string[], timeoutMs: number, output: () => string): Promise<void> {
  let missing: string[] = [...markers];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    missing = await withDb(dir, (db) => unposted(db, markers));
    if (missing.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${missing.length} of ${markers.length} posts in the feed: ${missing.join(', ')}\n--- bot output (end) ---\n${output().slice(-4000)}`);
}
