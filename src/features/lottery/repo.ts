import type { Sql } from '../../store/sql.js';
import type { lotteries, lotteryClaims } from './schema.js';
import type { RowOf } from '../../store/rows.js';

/** A `SELECT *` row of lotteries (its type follows the table's definition). */
export type LotteryRow = RowOf<typeof lotteries>;

export type ClaimRow = RowOf<typeof lotteryClaims>;

/** A claim with its winner's names and its order's status (item prizes), for posts and /lottery status. */
export interface ClaimView extends ClaimRow {
  display_name: string;
  platform_user_id: string;
  order_status: 'reserved' | 'pending' | 'fulfilled' | 'delivered' | 'refunded' | 'cancelled' | null;
}

export interface NewLottery {
  communityId: number;
  prize: string;
  prizeKind: LotteryRow['prize_kind'];
  prizePoints: number | null;
  prizeItemId: number | null;
  claimMs: number | null;
  rerollAuto: boolean;
  winners: number;
  endsAt: number;
  cost: number;
  minLevel: number;
  minStreak: number;
  minPoints: number;
  bonus: string | null;
  seedHex: string;
  commitment: string;
  algorithm: string;
  createdBy: number;
  at: number;
  /** Warm-up reminders, stored form (`3d,1d,1h`); null: none. */
  remind: string | null;
}

export interface EntryRow {
  member_id: number;
  tickets: number;
  cost_paid: number;
  left_at: number | null;
  platform_user_id: string;
  display_name: string;
}

/**
 * Entries come back ordered by the text of the member id (BINARY collation on
 * ASCII digits = the draw's code-unit order), so the draw and the entry-list
 * hash get a list that is already canonical and skip sorting it again.
 */
export function createLotteryRepo(sql: Sql) {
  const insert = sql.prepare<[number, string, string, number | null, number | null, number | null, number, number, number, number, number, number, number, string | null, string, string, string, number, number, string | null], { id: number }>(
    `INSERT INTO lotteries (community_id, prize, prize_kind, prize_points, prize_item_id, claim_ms, reroll_auto, winners, ends_at, cost, min_level, min_streak, min_points, bonus, seed_hex, commitment, algorithm, status, created_by, created_at, remind)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id`,
  );
  // Warm-up reminders: a run claims an offset by moving `reminded_ms` down, so each is handled once and never out of order.
  const markRemindHandled = sql.prepare<[number, number, number]>('UPDATE lotteries SET reminded_ms = ? WHERE id = ? AND (reminded_ms IS NULL OR reminded_ms > ?)');
  const openWithReminders = sql.prepare<[number], LotteryRow>("SELECT * FROM lotteries WHERE community_id = ? AND status = 'open' AND remind IS NOT NULL ORDER BY id");
  const remindersPosted = sql.prepare<[number, number, number], { created_at: number; source: string }>(
    "SELECT created_at, source FROM deliveries WHERE community_id = ? AND created_at >= ? AND created_at < ? AND source LIKE 'lottery-remind:%' ORDER BY created_at, id",
  );
  const insertClaim = sql.prepare<[number, number, number, string, number | null, number | null, number | null, number], { id: number }>(
    `INSERT INTO lottery_claims (lottery_id, member_id, round, status, deadline_at, remind_at, claimed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (lottery_id, member_id) DO NOTHING RETURNING id`,
  );
  const setClaimOrder = sql.prepare<[number, number]>('UPDATE lottery_claims SET order_id = ? WHERE id = ?');
  const claimView = `SELECT c.*, m.display_name, o.status AS order_status,
       (SELECT platform_user_id FROM member_accounts a WHERE a.member_id = m.id ORDER BY a.id LIMIT 1) AS platform_user_id
     FROM lottery_claims c JOIN members m ON m.id = c.member_id LEFT JOIN shop_orders o ON o.id = c.order_id`;
  const claims = sql.prepare<[number], ClaimView>(`${claimView} WHERE c.lottery_id = ? ORDER BY c.round, c.id`);
  const claimOf = sql.prepare<[number, number], ClaimView>(`${claimView} WHERE c.lottery_id = ? AND c.member_id = ?`);
  const dueReminders = sql.prepare<[number, number, number], ClaimView>(
    `${claimView} WHERE c.lottery_id = ? AND c.status = 'pending' AND c.reminded_at IS NULL AND c.remind_at <= ? AND c.deadline_at > ? ORDER BY c.id`,
  );
  const dueExpiries = sql.prepare<[number, number], ClaimRow>("SELECT * FROM lottery_claims WHERE lottery_id = ? AND status = 'pending' AND deadline_at <= ? ORDER BY id");
  const withStatus = sql.prepare<[number, string], ClaimRow>('SELECT * FROM lottery_claims WHERE lottery_id = ? AND status = ? ORDER BY id');
  const moveClaim = sql.prepare<[string, number | null, number, string]>('UPDATE lottery_claims SET status = ?, claimed_at = COALESCE(?, claimed_at) WHERE id = ? AND status = ?');
  const markReminded = sql.prepare<[number, number]>('UPDATE lottery_claims SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL');
  // The next time a lottery's claims need the timer: an unsent reminder, else a deadline.
  const nextDueSelect = `SELECT lottery_id, MIN(CASE WHEN reminded_at IS NULL AND remind_at IS NOT NULL AND remind_at < deadline_at THEN remind_at ELSE deadline_at END) AS due
     FROM lottery_claims WHERE status = 'pending' AND deadline_at IS NOT NULL`;
  const nextDue = sql.prepare<[], { lottery_id: number; due: number }>(`${nextDueSelect} GROUP BY lottery_id`);
  const nextDueOf = sql.prepare<[number], { lottery_id: number; due: number | null }>(`${nextDueSelect} AND lottery_id = ? GROUP BY lottery_id`);
  const get = sql.prepare<[number], LotteryRow>('SELECT * FROM lotteries WHERE id = ?');
  const list = sql.prepare<[number, number], LotteryRow>("SELECT * FROM lotteries WHERE community_id = ? AND (status = 'open' OR id IN (SELECT id FROM lotteries WHERE community_id = ? AND status = 'announced' ORDER BY id DESC LIMIT 3)) ORDER BY id");
  const open = sql.prepare<[], LotteryRow>("SELECT * FROM lotteries WHERE status IN ('open', 'drawing')");
  const newestOpen = sql.prepare<[number, number], LotteryRow>("SELECT * FROM lotteries WHERE community_id = ? AND status = 'open' AND ends_at > ? ORDER BY id DESC LIMIT 1");
  const move = sql.prepare<[string, number, string]>('UPDATE lotteries SET status = ? WHERE id = ? AND status = ?');
  const result = sql.prepare<[string, string, string, number, number]>('UPDATE lotteries SET entries_hash = ?, entries_json = ?, winners_json = ?, drawn_at = ? WHERE id = ?');
  const reroll = sql.prepare<[string, number, number]>('UPDATE lotteries SET winners_json = ?, rerolls = ? WHERE id = ? ');
  const insertEntry = sql.prepare<[number, number, number, number, string, number]>(
    'INSERT INTO lottery_entries (lottery_id, member_id, tickets, cost_paid, source, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  // The canonical entry order is the member ids' decimal text in code-unit order: SQLite
  // compares text that way (BINARY); PostgreSQL needs the "C" collation to do the same.
  const entriesSelect = `SELECT e.member_id, e.tickets, e.cost_paid, m.left_at, m.display_name,
       (SELECT platform_user_id FROM member_accounts a WHERE a.member_id = m.id ORDER BY a.id LIMIT 1) AS platform_user_id
     FROM lottery_entries e JOIN members m ON m.id = e.member_id WHERE e.lottery_id = ?`;
  const entries = sql.prepare<[number], EntryRow>({
    sqlite: `${entriesSelect} ORDER BY CAST(e.member_id AS TEXT)`,
    postgres: `${entriesSelect} ORDER BY CAST(e.member_id AS TEXT) COLLATE "C"`,
  });
  const entry = sql.prepare<[number, number], { tickets: number }>('SELECT tickets FROM lottery_entries WHERE lottery_id = ? AND member_id = ?');
  const count = sql.prepare<[number], { n: number; t: number }>('SELECT entrant_count AS n, ticket_count AS t FROM lotteries WHERE id = ?');
  // Guarded by the status: an entry added while the draw commits (a check-in's milestone entry runs at
  // READ COMMITTED on PostgreSQL) finds the lottery no longer open and is taken back.
  const bumpCounts = sql.prepare<[number, number]>("UPDATE lotteries SET entrant_count = entrant_count + 1, ticket_count = ticket_count + ? WHERE id = ? AND status = 'open'");
  const dropEntry = sql.prepare<[number, number]>('DELETE FROM lottery_entries WHERE lottery_id = ? AND member_id = ?');
  const newcomer = sql.prepare<[number], { n: number }>("SELECT COUNT(*) AS n FROM lottery_entries WHERE member_id = ? AND source = 'newcomer'");
  return {
    hadNewcomerEntry: async (memberId: number) => ((await newcomer.get(memberId))?.n ?? 0) > 0,
    insert: async (l: NewLottery) =>
      ((await insert.get(l.communityId, l.prize, l.prizeKind, l.prizePoints, l.prizeItemId, l.claimMs, l.rerollAuto ? 1 : 0, l.winners, l.endsAt, l.cost, l.minLevel, l.minStreak, l.minPoints, l.bonus, l.seedHex, l.commitment, l.algorithm, l.createdBy, l.at, l.remind)) as { id: number }).id,
    /** A winner's claim; undefined when the member already has one for this lottery (a re-run). */
    insertClaim: async (c: { lotteryId: number; memberId: number; round: number; status: ClaimRow['status']; deadlineAt: number | null; remindAt: number | null; claimedAt: number | null; at: number }) =>
      (await insertClaim.get(c.lotteryId, c.memberId, c.round, c.status, c.deadlineAt, c.remindAt, c.claimedAt, c.at))?.id,
    setClaimOrder: (claimId: number, orderId: number) => setClaimOrder.run(orderId, claimId),
    claims: (lotteryId: number) => claims.all(lotteryId),
    claimOf: (lotteryId: number, memberId: number) => claimOf.get(lotteryId, memberId),
    /** Unclaimed winners whose reminder is due and whose deadline has not passed. */
    dueReminders: (lotteryId: number, now: number) => dueReminders.all(lotteryId, now, now),
    dueExpiries: (lotteryId: number, now: number) => dueExpiries.all(lotteryId, now),
    claimsWithStatus: (lotteryId: number, status: ClaimRow['status']) => withStatus.all(lotteryId, status),
    /** Compare-and-set of a claim's status (`claimedAt` recorded when given). */
    moveClaim: async (id: number, from: ClaimRow['status'], to: ClaimRow['status'], claimedAt: number | null = null) => (await moveClaim.run(to, claimedAt, id, from)) === 1,
    markReminded: async (id: number, at: number) => (await markReminded.run(at, id)) === 1,
    nextDue: () => nextDue.all(),
    nextDueOf: async (lotteryId: number) => (await nextDueOf.get(lotteryId))?.due ?? undefined,
    get: (id: number) => get.get(id),
    /** Claims the reminder `offsetMs` before the draw: false when it (or a later one) was handled already. */
    markRemindHandled: async (id: number, offsetMs: number) => (await markRemindHandled.run(offsetMs, id, offsetMs)) === 1,
    openWithReminders: (communityId: number) => openWithReminders.all(communityId),
    /** Warm-up reminders posted in [from, to) (outbox source `lottery-remind:<lottery>`). */
    remindersPosted: (communityId: number, from: number, to: number) => remindersPosted.all(communityId, from, to),
    listRecent: (communityId: number) => list.all(communityId, communityId),
    allOpen: () => open.all(),
    newestOpen: (communityId: number, now: number) => newestOpen.get(communityId, now),
    moveStatus: async (id: number, from: LotteryRow['status'], to: LotteryRow['status']) => (await move.run(to, id, from)) === 1,
    saveResult: (id: number, entriesHash: string, entriesJson: string, winnersJson: string, at: number) => result.run(entriesHash, entriesJson, winnersJson, at, id),
    saveReroll: (id: number, winnersJson: string, rerolls: number) => reroll.run(winnersJson, rerolls, id),
    /** False when the member had already entered, or the lottery is no longer open. */
    async insertEntry(lotteryId: number, memberId: number, tickets: number, costPaid: number, source: string, at: number): Promise<boolean> {
      if ((await insertEntry.run(lotteryId, memberId, tickets, costPaid, source, at)) !== 1) return false;
      if ((await bumpCounts.run(tickets, lotteryId)) === 1) return true;
      await dropEntry.run(lotteryId, memberId);
      return false;
    },
    entries: (lotteryId: number) => entries.all(lotteryId),
    entry: (lotteryId: number, memberId: number) => entry.get(lotteryId, memberId),
    async count(lotteryId: number): Promise<{ entrants: number; tickets: number }> {
      const row = await count.get(lotteryId);
      return { entrants: row?.n ?? 0, tickets: row?.t ?? 0 };
    },
  };
}

export type LotteryRepo = ReturnType<typeof createLotteryRepo>;
