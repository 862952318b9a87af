/**
 * The playground's clock offset (+1 day) lives in the database: a restart
 * on the same SQLite file keeps it, so the bot's time never moves back
 * behind ledger rows it already wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';

const DAY = 86_400_000;
const dirs: string[] = [];
const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open(databasePath: string): Promise<TestApp> {
  const t = (await makeTestApp({ databasePath }));
  apps.push(t);
  return t;
}

async function clock(t: TestApp, advanceHours?: number): Promise<{ now: string; offsetMs: number }> {
  const res = advanceHours
    ? await t.app.http.inject({ method: 'POST', url: '/playground/api/clock', payload: { advanceHours } })
    : await t.app.http.inject({ method: 'GET', url: '/playground/api/clock' });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('the playground clock across a restart', () => {
  it('an offset of +1 day survives closing and reopening the app on the same SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qunbot-clock-'));
    dirs.push(dir);
    const path = join(dir, 'qunbot.sqlite');

    const first = (await open(path));
    expect((await clock(first)).offsetMs).toBe(0);
    expect(await first.chat.say('ann', '/checkin')).toContain('签到成功');
    expect((await clock(first, 24)).offsetMs).toBe(DAY);
    expect(await first.chat.say('ann', '/checkin')).toContain('签到成功');
    const before = await clock(first);
    await apps.splice(0, 1)[0]?.close();

    const second = (await open(path));
    const after = await clock(second);
    expect(after.offsetMs).toBe(DAY);
    expect(new Date(after.now).getTime()).toBeGreaterThanOrEqual(new Date(before.now).getTime());
    // Day 2's check-in is still "today", not a future day: the member is told so, and no row is written.
    expect(await second.chat.say('ann', '/checkin')).toContain('已经签到过了');
    // Further advances add to the restored offset.
    expect((await clock(second, 1)).offsetMs).toBe(DAY + 3_600_000);
    await apps.splice(0, 1)[0]?.close();
    expect((await clock((await open(path)))).offsetMs).toBe(DAY + 3_600_000);
  });
});
