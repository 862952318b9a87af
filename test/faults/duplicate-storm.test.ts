/**
 * Fault: every inbound delivery replayed three times at once, the copies
 * spread over TWO real bot processes on one SQLite file and one Redis
 * prefix: through the playground API (same messageId) and through the WeCom
 * bot callback with real signing and encryption (same msgid). Each
 * delivery's effect happens once: one member per person, one ledger row
 * per award, one lottery entry, and every copy gets the same answer.
 */
import type { SqlValue } from '../../src/store/sql.js';
import { describe, expect, it } from 'vitest';
import { testPrefix } from '../helpers/app.js';
import { sleep } from '../helpers/wait.js';
import { botEnv, botReplyText, GROUP, groupText, postBot } from '../helpers/wecom.js';
import { deliver, fastConfig, invariantViolations, memberOf, pick, summary, tracker, withDb, type PlaygroundAnswer } from './support.js';

const t = tracker();
const COPIES = 3;

describe('duplicate storms across two processes on one database', () => {
  it(
    'applies each delivery once however many copies arrive, wherever they land',
    async () => {
      const dir = t.dir();
      const env = { REDIS_PREFIX: testPrefix(), CONFIG_FILE: fastConfig(dir, 'playground:\n  enabled: true\n'), ...botEnv() };
      // One after the other: the first applies the migrations.
      const a = await t.bot(env, dir);
      const b = await t.bot(env, dir);
      const bots = [a, b];
      const members = Array.from({ length: pick(16, 80) }, (_, i) => `d${i}`);

      const created = await deliver(a.url, 'admin', '/lottery create 奖品 winners=1 ends=+1h cost=2', 'setup-lottery');
      expect(created.text, JSON.stringify(created)).toContain('#1');

      /** Sends `copies` of one delivery at once, alternating processes; returns every answer. */
      const storm = (userId: string, text: string, messageId: string): Promise<PlaygroundAnswer[]> =>
        Promise.all(Array.from({ length: COPIES }, (_, i) => deliver((bots[i % 2] as (typeof bots)[number]).url, userId, text, messageId)));

      const deliveries: Array<{ id: string; user: string; text: string; answers: PlaygroundAnswer[] }> = [];
      const wave = async (items: Array<{ id: string; user: string; text: string }>): Promise<void> => {
        const answers = await Promise.all(items.map((d) => storm(d.user, d.text, d.id)));
        items.forEach((d, i) => deliveries.push({ ...d, answers: answers[i] as PlaygroundAnswer[] }));
      };
      // First sight of each member (a check-in), then grants, lottery joins and a second check-in each.
      await wave(members.map((m) => ({ id: `ci-${m}`, user: m, text: '/checkin' })));
      await wave(members.map((m, i) => ({ id: `gr-${m}`, user: 'admin', text: `/grant ${m} ${i + 1} storm` })));
      await wave(members.map((m) => ({ id: `lj-${m}`, user: m, text: '/lottery join 1' })));
      await wave(members.map((m) => ({ id: `ci2-${m}`, user: m, text: '/checkin' })));

      for (const d of deliveries) {
        for (const answer of d.answers) expect(answer.status, d.id).toBe(200);
        // Every copy gets the one stored answer; exactly one copy did the work.
        expect(new Set(d.answers.map((x) => x.text)).size, `${d.id}: ${d.answers.map((x) => x.text).join(' | ')}`).toBe(1);
        expect(d.answers.filter((x) => !x.duplicate), d.id).toHaveLength(1);
      }

      // The WeCom bot callback: the same msgid three times at once across both processes.
      const wecomUsers = members.slice(0, pick(8, 40)).map((m) => `w${m}`);
      const wecomAnswers = await Promise.all(
        wecomUsers.map((user) => {
          const payload = groupText(user, '签到', `storm-${user}`);
          return Promise.all(Array.from({ length: COPIES }, async (_, i) => {
            const res = await postBot((bots[i % 2] as (typeof bots)[number]).url, payload);
            return { status: res.status, text: botReplyText(await res.text()) };
          }));
        }),
      );
      for (const copies of wecomAnswers) {
        for (const c of copies) expect(c.status).toBe(200);
        // Every copy is answered with the one stored reply.
        expect(copies.map((c) => c.text.includes('签到成功')), JSON.stringify(copies)).toEqual([true, true, true]);
      }
      await sleep(300);

      await withDb(dir, async (db) => {
        expect(await invariantViolations(db)).toEqual([]);
        const n = async (sql: string, ...params: SqlValue[]): Promise<number> => ((await db.prepare(sql).get(...params)) as { n: number }).n;
        expect(await n("SELECT COUNT(*) AS n FROM member_accounts WHERE platform = 'playground'")).toBe(members.length + 1);
        expect(await n("SELECT COUNT(*) AS n FROM member_accounts WHERE platform = 'wecom'")).toBe(wecomUsers.length);
        expect(await n('SELECT COUNT(*) AS n FROM members')).toBe(members.length + 1 + wecomUsers.length);
        for (const [i, m] of members.entries()) {
          const id = (await memberOf(db, m)) ?? null;
          expect(await n("SELECT COUNT(*) AS n FROM points_ledger WHERE member_id = ? AND reason = 'checkin'", id), m).toBe(1);
          expect(await n("SELECT COUNT(*) AS n FROM points_ledger WHERE member_id = ? AND kind = 'adjust' AND delta = ?", id, i + 1), m).toBe(1);
          expect(await n('SELECT COUNT(*) AS n FROM lottery_entries WHERE member_id = ?', id), m).toBe(1);
        }
        for (const user of wecomUsers) {
          expect(await n("SELECT COUNT(*) AS n FROM checkins c JOIN member_accounts a ON a.member_id = c.member_id WHERE a.platform = 'wecom' AND a.platform_user_id = ?", user), user).toBe(1);
        }
        expect(await n("SELECT COUNT(*) AS n FROM inbound_events WHERE platform = 'playground'")).toBe(deliveries.length + 1);
        expect(await n("SELECT COUNT(*) AS n FROM communities WHERE platform = 'wecom' AND external_id = ?", GROUP)).toBe(1);
      });
      summary('duplicate-storm', { processes: 2, deliveries: deliveries.length + wecomUsers.length, copies: COPIES, requests: (deliveries.length + wecomUsers.length) * COPIES });
    },
    pick(90_000, 600_000),
  );
});
