/**
 * The store contract every repository is written against: prepared SQL whose
 * statements return promises, the same on both engines.
 *
 * - SQLite (better-sqlite3): one connection; a statement runs synchronously
 *   and its promise is already settled, so a unit of work that awaits only
 *   the store never yields to other work while its transaction is open.
 * - PostgreSQL (pg): a pool; inside a unit of work a statement runs on that
 *   unit's connection (found through AsyncLocalStorage), outside one on any
 *   pooled connection (autocommit).
 *
 * SQL is written once, with `?` placeholders, where the two dialects agree
 * (they do for almost everything qunbot says: ON CONFLICT … DO NOTHING/UPDATE,
 * RETURNING, COALESCE, CASE). Where they differ, both forms stand side by side:
 * `sql.prepare({ sqlite: '…', postgres: '…' })`. Row types are snake_case, as
 * the columns are named (see RowOf in ./rows.ts).
 */

export type Dialect = 'sqlite' | 'postgres';

/** A value a statement accepts: numbers are integers or doubles, booleans are stored as 0/1. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** One text for both engines, or one per engine where the dialects differ. */
export type SqlText = string | { sqlite: string; postgres: string };

export interface Statement<P extends readonly SqlValue[], R> {
  /** Runs the statement; resolves with the number of rows it changed. */
  run(...params: P): Promise<number>;
  /** The first row, or undefined. */
  get(...params: P): Promise<R | undefined>;
  all(...params: P): Promise<R[]>;
}

export interface Sql {
  readonly dialect: Dialect;
  /** Prepared once (at repository creation), run many times. */
  prepare<P extends readonly SqlValue[] = SqlValue[], R = Record<string, unknown>>(text: SqlText): Statement<P, R>;
}

export function textFor(text: SqlText, dialect: Dialect): string {
  return typeof text === 'string' ? text : text[dialect];
}

/**
 * `?` placeholders to PostgreSQL's `$1, $2, …`, leaving quoted strings,
 * quoted identifiers and comments alone.
 */
export function numberPlaceholders(text: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop - 1;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      out += `$${++n}`;
    } else {
      out += c;
    }
  }
  return out;
}
