import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { runQuizImport } from '../../src/quiz-import.js';
import { makeTestApp, testRedisUrl, type TestApp, type TestAppOptions } from '../helpers/app.js';
import { sleep, waitFor } from '../helpers/wait.js';

/** Every question's answer is B, so the order does not matter; one bad bank shows the error report. */
const BANK = `name: Test Bank
questions:
${[1, 2, 3]
  .map((i) => `  - id: t${i}\n    question: Question ${i}?\n    choices: [apple, banana, cherry]\n    answer: B\n    points: 10\n    seconds: 30`)
  .join('\n')}
`;
const BAD_BANK = `name: Broken
questions:
  - question: What?
    answer: A
    seconds: 1
`;

const banksDir = mkdtempSync(join(tmpdir(), 'qunbot-quiz-banks-'));
writeFileSync(join(banksDir, 'test.yaml'), BANK);
writeFileSync(join(banksDir, 'broken.yaml'), BAD_BANK);

const fast = {
  jobs: { lockDurationMs: 2000, stalledIntervalMs: 2000, reconcileIntervalMs: 60_000, outbox: { attempts: 4, backoffMs: 100 } },
  quiz: { banksDir, shuffle: false, minSeconds: 1, defaults: { bank: 'test' } },
  // Balances here are quiz points only: chatting with the bot earns no activity points in these tests.
  lifecycle: { activity: { pointsForAddressed: false } },
};
const apps: TestApp[] = [];
const dirs: string[] = [];

async function started(options: TestAppOptions = {}): Promise<TestApp> {
  const t = (await makeTestApp({ ...options, config: { ...fast, ...options.config } }));
  apps.push(t);
  await t.app.start();
  return t;
}
const feedTexts = async (t: TestApp): Promise<string[]> => ((await t.app.playground?.feed.list('demo')) ?? []).map((p) => p.reply.text);
const waitForPost = (t: TestApp, pattern: RegExp, timeoutMs = 8000) => waitFor(async () => (await feedTexts(t)).find((text) => pattern.test(text)), timeoutMs, `a post matching ${pattern}`);
const balance = async (t: TestApp, user: string): Promise<number> => {
  const row = (await t.app.store.sql
      .prepare('SELECT COALESCE(SUM(l.delta), 0) AS n FROM points_ledger l JOIN member_accounts a ON a.member_id = l.member_id WHERE a.platform_user_id = ?')
      .get(user)) as { n: number };
  return row.n;
};

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('quiz on real SQLite and Redis', () => {
  it('a Red-DiscordBot trivia list imported with quiz:import is played, and any accepted answer wins', async () => {
    const source = mkdtempSync(join(tmpdir(), 'qunbot-red-src-'));
    const imported = mkdtempSync(join(tmpdir(), 'qunbot-red-banks-'));
    dirs.push(source, imported);
    writeFileSync(join(source, 'red.yaml'), 'AUTHOR: someone\n"What is 2+2?":\n- 4\n- four\n');
    writeFileSync(join(source, 'override.yaml'), `quiz:\n  banksDir: ${imported}\n`);
    expect(runQuizImport([join(source, 'red.yaml')], { CONFIG_FILE: join(source, 'override.yaml') })).toBe(0);
    const t = await started({ config: { ...fast, quiz: { ...fast.quiz, banksDir: imported, defaults: { bank: 'red' } } } });
    expect(await t.chat.say('admin', '/quiz start red questions=1 seconds=30 mode=first')).toContain('已开始');
    expect(await waitForPost(t, /第 1\/1 题/)).toContain('What is 2+2?');
    expect(await t.chat.say('alice', 'five')).toContain('答错了');
    expect(await t.chat.say('bob', 'four')).toContain('bob 答对了第 1 题');
    // The first accepted answer is the one shown.
    expect(await waitForPost(t, /答题 #1 结束/)).toContain('答案：**4**');
    expect((await balance(t, 'bob'))).toBe(10);
  });

  it('first mode: the first correct answer wins and closes the question at once; wrong and second answers are refused', async () => {
    const t = await started();
    expect(await t.chat.say('admin', '/quiz start test questions=2 seconds=30 mode=first')).toContain('答题 #1 已开始');
    const q1 = await waitFor(async () => (await t.app.playground?.feed.list('demo'))?.find((p) => p.reply.text.includes('第 1/2 题')), 5000, 'question 1');
    expect(q1.reply.text).toContain('答题开始');
    expect(q1.reply.actions?.map((a) => a.command)).toEqual(['quiz answer 1 1 A', 'quiz answer 1 1 B', 'quiz answer 1 1 C']);

    expect(await t.chat.say('alice', 'A')).toContain('答错了');
    expect(await t.chat.say('alice', '选B')).toContain('已经回答过第 1 题');
    expect(await t.chat.say('bob', 'hello there')).toContain('我没听懂'); // chat that is not an answer is left alone
    expect(await t.chat.say('bob', '/quiz answer 1 1 B')).toContain('bob 答对了第 1 题');
    expect(await t.chat.say('carol', '/quiz answer 1 1 B')).toContain('第 1 题已经结束了');
    const q2 = await waitForPost(t, /第 2\/2 题/);
    expect(q2).toContain('答案：**B. banana**');
    expect(q2).toContain('bob 抢答正确，+10 分');

    expect(await t.chat.say('carol', '我觉得是banana')).toContain('carol 答对了第 2 题');
    const end = await waitForPost(t, /答题 #1 结束/);
    expect(end).toMatch(/1\. bob — 10 分/);
    expect(end).toMatch(/2\. carol — 10 分/);
    expect((await balance(t, 'bob'))).toBe(10);
    expect((await balance(t, 'carol'))).toBe(10);
    expect((await balance(t, 'alice'))).toBe(0);
    expect(await t.chat.say('alice', 'B')).toContain('我没听懂'); // no question open any more
    expect(await t.chat.say('alice', '/quiz')).toContain('没有进行中的答题');
  });

  it('all mode: a question closes by its timer and everyone correct in time scores, with a speed bonus', async () => {
    const t = await started();
    expect(await t.chat.say('admin', '/答题 start questions=1 seconds=2 mode=all')).toContain('已开始');
    await waitForPost(t, /第 1\/1 题/);
    expect(await t.chat.say('alice', 'B')).toContain('已收到你对第 1 题的答案');
    expect(await t.chat.say('bob', '/quiz answer 1 1 banana')).toContain('已收到');
    expect(await t.chat.say('carol', 'C')).toContain('已收到');
    expect(await t.chat.say('carol', 'B')).toContain('已经回答过第 1 题');
    const since = Date.now();
    const end = await waitForPost(t, /答题 #1 结束/);
    expect(Date.now() - since).toBeGreaterThan(500);
    expect(end).toMatch(/答对的有：alice \(\+1\d\)、bob \(\+1\d\)/);
    expect(end).not.toContain('carol (');
    expect((await balance(t, 'alice'))).toBeGreaterThan(10);
    expect((await balance(t, 'alice'))).toBeLessThanOrEqual(15);
    expect((await balance(t, 'carol'))).toBe(0);
    expect(await t.chat.say('dave', '/quiz answer 1 1 B')).toContain('第 1 题已经结束了');
    expect((await balance(t, 'dave'))).toBe(0);
  });

  it('first mode: an unanswered question closes by its timer and the next one follows', async () => {
    const t = await started();
    await t.chat.say('admin', '/quiz start test questions=2 seconds=1 mode=first');
    const q2 = await waitForPost(t, /第 2\/2 题/);
    expect(q2).toContain('这题没有人答对');
    const end = await waitForPost(t, /答题 #1 结束/);
    expect(end).toContain('本场没有人得分');
    expect((await t.app.store.sql.prepare("SELECT status FROM quiz_sessions").get())).toEqual({ status: 'finished' });
  });

  it('duplicate deliveries award once; a second delivery of the same answer is refused', async () => {
    const t = await started();
    await t.chat.say('admin', '/quiz start test questions=1 seconds=30 mode=all');
    await waitForPost(t, /第 1\/1 题/);
    const first = await t.chat.say('alice', 'B', { deliveryId: 'dup-1' });
    expect(await t.chat.say('alice', 'B', { deliveryId: 'dup-1' })).toBe(first);
    expect(await t.chat.say('alice', '/quiz answer 1 1 B', { deliveryId: 'dup-2' })).toContain('已经回答过');
    const rows = (await t.app.store.sql.prepare("SELECT COUNT(*) AS n FROM points_ledger WHERE reason = 'quiz'").get()) as { n: number };
    expect(rows.n).toBe(1);
    expect(await t.chat.say('admin', '/quiz stop')).toContain('已结束答题 #1');
    const end = await waitForPost(t, /已被管理员结束/);
    expect(end).toContain('答案：**B. banana**');
    expect(end).toMatch(/1\. alice — 1\d 分/);
  });

  it('a restart mid-quiz resumes from SQLite and finishes', async () => {
    const a = await started();
    const dbPath = a.app.appConfig.config.database.path;
    const prefix = a.app.appConfig.config.redis.prefix;
    await a.chat.say('admin', '/quiz start test questions=2 seconds=2 mode=all');
    await waitForPost(a, /第 1\/2 题/);
    expect(await a.chat.say('alice', 'B')).toContain('已收到');
    // Stop without deleting the data folder, and stay down past the deadline.
    await a.app.stop();
    apps.splice(apps.indexOf(a), 1);
    dirs.push(a.dir);
    // Redis loses the close timer too: only SQLite (desiredTimers, via the reconciler at start) can bring it back.
    const queue = new Queue('timers', { connection: { url: testRedisUrl() }, prefix: a.app.jobs.prefix });
    try {
      const job = await queue.getJob('quiz-1-1');
      expect(job?.name).toBe('quiz-close');
      await job?.remove();
    } finally {
      await queue.close();
    }
    await sleep(2500);
    const b = await started({ databasePath: dbPath, env: { REDIS_PREFIX: prefix } });
    await waitForPost(b, /第 2\/2 题/, 10_000);
    expect(await b.chat.say('bob', 'B')).toContain('已收到你对第 2 题的答案');
    const end = await waitForPost(b, /答题 #1 结束/, 10_000);
    expect(end).toMatch(/alice — 1\d 分/);
    expect(end).toMatch(/bob — 1\d 分/);
    const rounds = (await b.app.store.sql.prepare("SELECT COUNT(*) AS n FROM quiz_rounds WHERE status = 'closed'").get()) as { n: number };
    expect(rounds.n).toBe(2);
    expect((await feedTexts(b)).filter((text) => /答题 #1 结束/.test(text))).toHaveLength(1);
  });

  it('refusals: non-admins cannot start, unknown banks and bad values are named, one quiz at a time; /quiz banks reports bad files', async () => {
    const t = await started();
    expect(await t.chat.say('alice', '/quiz start test')).toContain('只有管理员可以使用 /quiz start');
    expect(await t.chat.say('alice', '开始答题')).toContain('只有管理员');
    expect(await t.chat.say('admin', '/quiz start nope')).toContain('没有题库「nope」。可用的题库：test');
    expect(await t.chat.say('admin', '/quiz start test seconds=9999')).toContain('每题秒数 9999 不行');
    expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM quiz_sessions').get())).toEqual({ n: 0 });
    const banks = await t.chat.say('admin', '/quiz banks');
    expect(banks).toContain('`test`：Test Bank（3 题）');
    expect(banks).toContain('broken.yaml:5: questions[0].seconds: expected an integer between 5 and 600');
    expect(await t.chat.say('alice', '/quiz banks')).not.toContain('broken.yaml');
    expect(await t.chat.say('admin', '开始答题 test seconds=30')).toContain('已开始');
    expect(await t.chat.say('admin', '/quiz start test')).toContain('答题 #1 还在进行中');
    expect(await t.chat.say('alice', '/quiz stop')).toContain('只有管理员');
    expect(await t.chat.say('alice', '答题')).toContain('第 1/3 题');
    expect(await t.chat.say('admin', '结束答题')).toContain('已结束答题 #1');
    expect(await t.chat.say('admin', '/quiz stop')).toContain('没有进行中的答题');
  });

  it('scheduled quizzes run on a job scheduler in the community timezone; a repeated tick starts one quiz', async () => {
    const t = await started();
    expect(await t.chat.say('alice', '/quiz schedule "0 20 * * 3" test')).toContain('只有管理员');
    expect(await t.chat.say('admin', '/quiz schedule "0 25 * * 3" test')).toContain('小时「25」');
    expect(await t.chat.say('admin', '/quiz schedule "* * * * *" test')).toContain('最多每 10 分钟一次');
    expect(await t.chat.say('admin', '/quiz schedule "0 20 * * 3" nosuchbank')).toContain('nosuchbank');
    expect(await t.chat.say('admin', '/答题 定时 "0 20 * * 3" test questions=2 mode=all')).toContain('已设置定时答题 #1（0 20 * * 3，Asia/Shanghai）');
    const queue = new Queue('schedules', { connection: { url: testRedisUrl() }, prefix: t.app.jobs.prefix });
    try {
      const scheduler = await waitFor(async () => (await queue.getJobSchedulers(0, -1)).find((s) => s.key === 'quiz-schedule-1'));
      expect(scheduler).toMatchObject({ pattern: '0 20 * * 3', tz: 'Asia/Shanghai' });
      // A tick (and its retry) starts exactly one quiz, with the scheduled options.
      await t.app.jobs.run('quiz-scheduled', 1, { runKey: 'repeat-tick-1' });
      await t.app.jobs.run('quiz-scheduled', 1, { runKey: 'repeat-tick-1' });
      await waitForPost(t, /第 1\/2 题/);
      expect((await t.app.store.sql.prepare('SELECT COUNT(*) AS n FROM quiz_sessions').get())).toEqual({ n: 1 });
      expect(await t.chat.say('admin', '/quiz schedules')).toContain('#1 · 0 20 * * 3 · 题库 test');
      expect(await t.chat.say('admin', '/quiz unschedule 1')).toContain('已删除定时答题 #1');
      await waitFor(async () => !(await queue.getJobSchedulers(0, -1)).some((s) => s.key === 'quiz-schedule-1'), 5000, 'the scheduler to go');
      expect(await t.chat.say('admin', '/quiz unschedule 1')).toContain('没有编号为 #1 的定时答题');
    } finally {
      await queue.close();
    }
  });
});
