/**
 * test/helpers/pg.ts: the engine switch and the search_path URL that puts a
 * test in its own schema (test/integration/migrations.test.ts proves on a
 * server that node-postgres sends it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine, withSearchPath } from '../helpers/pg.js';
import { databaseUrl, redactUrl } from '../setup/global-postgres.js';

describe('test/helpers/pg.ts', () => {
  const saved = process.env.QUNBOT_TEST_ENGINE;
  afterEach(() => {
    if (saved === undefined) delete process.env.QUNBOT_TEST_ENGINE;
    else process.env.QUNBOT_TEST_ENGINE = saved;
  });

  it('testEngine: SQLite unless QUNBOT_TEST_ENGINE says postgres; anything else is an error', () => {
    delete process.env.QUNBOT_TEST_ENGINE;
    expect(testEngine()).toBe('sqlite');
    process.env.QUNBOT_TEST_ENGINE = 'postgres';
    expect(testEngine()).toBe('postgres');
    process.env.QUNBOT_TEST_ENGINE = 'SQLite';
    expect(testEngine()).toBe('sqlite');
    process.env.QUNBOT_TEST_ENGINE = 'mysql';
    expect(() => testEngine()).toThrow(/QUNBOT_TEST_ENGINE=mysql/);
  });

  it('withSearchPath: one options parameter, spaces as %20 (libpq reads + literally)', () => {
    const url = withSearchPath('postgres://postgres@127.0.0.1:5432/qunbot_test_1_ab?application_name=t&options=-c%20x%3Dy', 't_1_1_abc');
    expect(url).toContain('options=-c%20search_path%3Dt_1_1_abc');
    expect(url).not.toContain('+');
    const parsed = new URL(url);
    expect(parsed.searchParams.getAll('options')).toEqual(['-c search_path=t_1_1_abc']);
    expect(parsed.searchParams.get('application_name')).toBe('t');
    expect(parsed.pathname).toBe('/qunbot_test_1_ab');
    expect(new URL(withSearchPath('postgres://u@h/db', 's')).searchParams.get('options')).toBe('-c search_path=s');
  });

  it('global setup: the run database replaces the admin database; passwords stay out of messages', () => {
    expect(databaseUrl('postgres://postgres:pw@127.0.0.1:5432/postgres?sslmode=disable', 'qunbot_test_9_ff')).toBe('postgres://postgres:pw@127.0.0.1:5432/qunbot_test_9_ff?sslmode=disable');
    expect(redactUrl('postgres://postgres:pw@127.0.0.1:5432/postgres')).toBe('postgres://postgres:***@127.0.0.1:5432/postgres');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).not.toContain('***');
  });
});
