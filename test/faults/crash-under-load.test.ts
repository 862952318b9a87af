/**
 * Fault: the real bot process SIGKILLed at random points under a mixed load
 * (check-ins, /grant, /deduct, lottery joins, quiz answers) and restarted on
 * the same SQLite file and Redis prefix. Every delivery whose response was
 * lost is retried with its own messageId until it is answered. Afterwards,
 * read from the file itself: the ledger adds up, nothing happened twice,
 * every answer the client got has its effect in the database, every one-off
 * post due while the bot was down went out once, and a recurring tick missed
 * while it was down fired once, late.
 */
import type { SqlValue } from '../../src/store/sql.js';
import { describe, expect, it } from 'vitest';
import { testPrefix } from '../helpers/app.js';
import type { BotProcess } from '../helpers/process.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { deliverUntilAnswered, fastConfig, feedCount, invariantViolations, memberOf, pick, seededRng, summary, tracker, untilBefore, waitForPosts, withDb } from './support.js';

const t = tracker();

type Kind = 'checkin' | 'grant' | 'deduct' | 'join' | 'answer' | 'points';

interface Op {
  kind: Kind;
  user: string;
  text: string;
  messageId: string;
  target?: string;
  amount?: number;
  reply?: string;
}

describe('crash under load (real process, SIGKILL)', () => {
  it(
    'keeps every acknowledged effect exactly once across kills and restarts',
    async () => {
      const rng = seededRng();
      const kills = pick(3, 20);
      const members = Array.from({ length: pick(12, 40) }, (_, i) => `u${String(i).padStart(2, '0')}`);
      const dir = t.dir();
      const env = { REDIS_PREFIX: testPrefix(), CONFIG_FILE: fastConfig(dir) };
      let bot: BotProcess = await t.bot(env, dir);
      const url = (): string => bot.url;
      const admin = async (text: string, id: string): Promise<string> => (await deliverUntilAnswered(url, 'admin', text, id)).text;

      expect(await admin('/schedule add "*/10 * * * * *" [tick]', 'setup-tick')).toContain('#1');
      expect(await admin('/lottery create 奖品 winners=1 ends=+1h cost=1', 'setup-lottery')).toContain('#1');
      expect(await admin('/quiz start questions=2 seconds=600 mode=all', 'setup-quiz')).toContain('#1');

      // The load: workers draw random operations until the kills are over (bounded in count and time).
      const ops: Op[] = [];
      let stop = false;
      let seq = 0;
      let retries = 0;
      let lost = 0;
      // A safety cap; the load runs until the kills are done (stop), so every kill lands on requests in flight.
      const maxOps = pick(30_000, 200_000);
      let inFlight = 0;
      const nextOp = (): Op => {
        const n = ++seq;
        const user = members[rng.int(0, members.length - 1)] as string;
        const roll = rng.next();
        const messageId = `op-${n}`;
        if (roll < 0.3) return { kind: 'checkin', user, text: '/checkin', messageId };
        if (roll < 0.5) {
          const amount = rng.int(1, 20);
          return { kind: 'grant', user: 'admin', target: user, amount, text: `/grant ${user} ${amount} load`, messageId };
        }
        if (roll < 0.65) {
          const amount = rng.int(1, 30);
          return { kind: 'deduct', user: 'admin', target: user, amount, text: `/deduct ${user} ${amount} load`, messageId };
        }
        if (roll < 0.8) return { kind: 'join', user, text: '/lottery join 1', messageId };
        if (roll < 0.92) return { kind: 'answer', user, text: `/quiz answer 1 1 ${'ABC'[rng.int(0, 2)]}`, messageId };
        return { kind: 'points', user, text: '/points', messageId };
      };
      const worker = async (): Promise<void> => {
        const deadline = Date.now() + pick(150_000, 900_000);
        while (!stop && ops.length < maxOps && Date.now() < deadline) {
          const op = nextOp();
          ops.push(op);
          inFlight++;
          const answer = await deliverUntilAnswered(url, op.user, op.text, op.messageId, { deadlineMs: 60_000 }).finally(() => inFlight--);
          if (answer.tries > 1) lost++;
          retries += answer.tries - 1;
          op.reply = answer.text;
          await sleep(rng.int(0, 20));
        }
      };
      const load = Promise.all(Array.from({ length: pick(6, 12) }, worker));

      // The kills. Before each, a one-off post due while the bot is down; one kill lands just before a recurring tick.
      const tickKill = rng.int(1, kills);
      const onceMarkers: string[] = [];
      let missedTick = 0;
      for (let k = 1; k <= kills; k++) {
        await sleep(rng.int(300, 1500));
        const aligned = k === tickKill ? await untilBefore(10_000, 2000) : 0;
        const marker = `[once ${k}]`;
        const created = Date.now();
        expect(await admin(`/schedule once +2s ${marker}`, `once-${k}`)).toContain('已安排');
        onceMarkers.push(marker);
        await waitFor(() => inFlight > 0, 5000, 'a request in flight to kill');
        await bot.stop('SIGKILL');
        if (aligned) missedTick = aligned;
        await sleep(Math.max(created + 2600, aligned ? aligned + 1500 : 0) - Date.now());
        bot = await t.bot(env, dir);
      }
      await sleep(500);
      stop = true;
      await load;

      // Timers: every one-off out once, the missed tick fired late, once.
      await waitForPosts(dir, onceMarkers, 60_000, () => bot.output());
      await waitFor(() => withDb(dir, (db) => db.prepare('SELECT 1 AS found FROM post_runs WHERE post_id = 1 AND run_key = ?').get(`repeat:schedule-1:${missedTick}`)), 20_000, `the missed tick ${missedTick}`);
      await sleep(1000);
      await bot.stop('SIGTERM');

      await withDb(dir, async (db) => {
        expect(await invariantViolations(db), `seed ${rng.seed}`).toEqual([]);
        for (const m of onceMarkers) expect(await feedCount(db, m), `${m} (seed ${rng.seed})`).toBe(1);
        const onceRows = (await db.prepare("SELECT id, status FROM scheduled_posts WHERE kind = 'once'").all()) as Array<{ id: number; status: string }>;
        expect(onceRows).toHaveLength(kills);
        for (const row of onceRows) {
          expect(row.status).toBe('done');
          expect(await db.prepare('SELECT status FROM deliveries WHERE dedupe_key = ?').get(`post-${row.id}`)).toEqual({ status: 'sent' });
        }

        // Every answer that reached the client matches what is committed.
        const ledgerRow = db.prepare('SELECT member_id AS member, delta FROM points_ledger WHERE idem_key = ?');
        const community = ((await db.prepare("SELECT id FROM communities WHERE platform = 'playground' AND external_id = 'demo'").get()) as { id: number }).id;
        const countOf = async (sql: string, ...params: SqlValue[]): Promise<number> => ((await db.prepare(sql).get(...params)) as { n: number }).n;
        const acked = (kind: Kind, pattern: string): Op[] => ops.filter((o) => o.kind === kind && o.reply?.includes(pattern));
        for (const o of ops) expect(o.reply, `${o.messageId} answered`).toBeDefined();
        for (const kind of ['grant', 'deduct'] as const) {
          const done = kind === 'grant' ? '已给' : '已扣除';
          for (const o of ops.filter((x) => x.kind === kind)) {
            const row = (await ledgerRow.get(`${kind}:playground:${community}:${o.messageId}`)) as { member: number; delta: number } | undefined;
            if (o.reply?.includes(done)) expect(row, `${o.messageId}: ${o.reply}`).toEqual({ member: await memberOf(db, o.target as string), delta: (kind === 'grant' ? 1 : -1) * (o.amount as number) });
            else expect(row, `${o.messageId} refused (${o.reply}) yet in the ledger`).toBeUndefined();
          }
          expect(await countOf(`SELECT COUNT(*) AS n FROM points_ledger WHERE idem_key LIKE '${kind}:%'`)).toBe(acked(kind, done).length);
        }
        for (const user of members) {
          const member = await memberOf(db, user);
          const mine = (kind: Kind, pattern: string): number => acked(kind, pattern).filter((o) => o.user === user).length;
          expect(mine('checkin', '签到成功'), `${user} check-ins`).toBe(member ? await countOf('SELECT COUNT(*) AS n FROM checkins WHERE member_id = ?', member) : 0);
          expect(mine('join', '参与成功'), `${user} lottery entries`).toBe(member ? await countOf('SELECT COUNT(*) AS n FROM lottery_entries WHERE lottery_id = 1 AND member_id = ?', member) : 0);
          expect(mine('answer', '已收到'), `${user} quiz answers`).toBe(member ? await countOf('SELECT COUNT(*) AS n FROM quiz_answers WHERE member_id = ?', member) : 0);
        }
      });
      summary('crash-under-load', { seed: rng.seed, kills, requests: ops.length, lost, retryAttempts: retries });
      expect(lost, 'some responses were lost to the kills (otherwise the test proves nothing)').toBeGreaterThan(0);
    },
    pick(240_000, 1_800_000),
  );
});
