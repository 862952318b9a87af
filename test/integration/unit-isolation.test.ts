/**
 * Units of work side by side. On SQLite units run one at a time; on PostgreSQL
 * a check-in runs at READ COMMITTED under its member's lock (UnitOptions), so
 * many members of one community checking in at once neither abort nor lose
 * anything, and one member's commands still run one at a time.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { testApps } from '../helpers/app.js';
import { createLotteryRepo } from '../../src/features/lottery/repo.js';
import { ledgerMismatches } from '../helpers/ledger.js';

const app = testApps({ rateLimit: { commands: null } });

describe('units of work side by side', () => {
  it('48 members of one community checking in at once: every check-in lands once, ranks 1..48, no unit retried', async () => {
    const t = await app({ clock: new FixedClock('2026-11-02T04:00:00Z'), config: { database: { poolSize: 16 } } });
    const users = Array.from({ length: 48 }, (_, i) => `m${i}`);
    // First sight of each member (and of the community) before the race.
    await t.chat.say('m0', '/help');
    const retriesBefore = t.app.store.unitRetries();
    const replies = await Promise.all(users.map((u) => t.chat.say(u, '/checkin')));
    expect(replies.filter((r) => r.includes('签到成功'))).toHaveLength(48);
    const sql = t.app.store.sql;
    const ranks = await sql.prepare<[], { rank_of_day: number }>('SELECT rank_of_day FROM checkins ORDER BY rank_of_day').all();
    expect(ranks.map((r) => r.rank_of_day)).toEqual(users.map((_, i) => i + 1));
    expect(await sql.prepare('SELECT count FROM checkin_day_counts').all()).toEqual([{ count: 48 }]);
    expect(await ledgerMismatches(sql)).toEqual([]);
    // SERIALIZABLE aborted most of these (they all write the day's count row); READ COMMITTED waits instead.
    expect(t.app.store.unitRetries() - retriesBefore).toBe(0);
  }, 60_000);

  it("one member's check-in, freeze purchases and an admin's deduction at once: no lost update, the balance never goes negative", async () => {
    const t = await app({ clock: new FixedClock('2026-11-02T04:00:00Z'), config: { checkin: { freeze: { enabled: true, cost: 10, maxHeld: 5 } } } });
    await t.chat.say('admin', '/grant alice 25 start');
    const sql = t.app.store.sql;
    const results = await Promise.all([
      t.chat.say('alice', '/freeze'),
      t.chat.say('alice', '/checkin'),
      t.chat.say('alice', '/freeze'),
      t.chat.say('admin', '/deduct alice 20 penalty'),
      t.chat.say('alice', '/freeze'),
    ]);
    const balance = (await sql.prepare<[], { balance: number }>("SELECT p.balance FROM member_points p JOIN member_accounts a ON a.member_id = p.member_id WHERE a.platform_user_id = 'alice'").get())?.balance;
    expect(balance).toBeGreaterThanOrEqual(0);
    expect(await ledgerMismatches(sql)).toEqual([]);
    // Every freeze the ledger paid for is held: none lost to the check-in rewriting the streak row.
    const paid = (await sql.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM points_ledger WHERE reason = 'freeze'").get())?.n;
    const held = (await sql.prepare<[], { freezes: number }>('SELECT freezes FROM checkin_streaks').get())?.freezes;
    expect(held).toBe(paid);
    expect(results.filter((r) => r.length > 0)).toHaveLength(5);
  }, 60_000);

  it('an entry added after the draw took the lottery (a milestone entry racing the draw) is taken back, not left in a drawn lottery', async () => {
    const t = await app({ clock: new FixedClock('2026-11-02T04:00:00Z') });
    await t.chat.say('admin', '/lottery create 奖品 winners=1 ends=+1h');
    await t.chat.say('alice', '/points');
    const sql = t.app.store.sql;
    const alice = (await sql.prepare<[], { member_id: number }>("SELECT member_id FROM member_accounts WHERE platform_user_id = 'alice'").get())?.member_id as number;
    const repo = createLotteryRepo(sql);
    // What the draw commits first: the lottery leaves 'open'.
    await t.app.store.unit(() => repo.moveStatus(1, 'open', 'drawing'));
    const { value: entered } = await t.app.store.unit(() => repo.insertEntry(1, alice, 1, 0, 'milestone', Date.parse('2026-11-02T04:00:00Z')));
    expect(entered).toBe(false);
    expect(await sql.prepare('SELECT COUNT(*) AS n FROM lottery_entries').get()).toEqual({ n: 0 });
    expect(await sql.prepare('SELECT entrant_count, ticket_count FROM lotteries WHERE id = 1').get()).toEqual({ entrant_count: 0, ticket_count: 0 });
  });
});
