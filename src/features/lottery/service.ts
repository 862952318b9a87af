/**
 * Lotteries (抽奖): create, join (eligibility and cost in the command's one
 * transaction), draw at the end time by a timer, reroll, cancel with
 * refunds, and verify. The draw depends only on the seed committed at
 * creation and the frozen entry list (see draw.ts), so anyone can re-run it.
 */
import type { Logger } from 'pino';
import type { AfterCommit, CommandContext, CommunityInfo } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import type { Rng } from '../../core/rng.js';
import { addDays, communityDay } from '../../core/community-day.js';
import { mention } from '../../core/reply.js';
import type { CheckinService } from '../checkin/service.js';
import type { PointsService } from '../points/service.js';
import type { ShopService } from '../shop/service.js';
import { formatLocal } from '../../core/time/when.js';
import { ALGORITHM_VERSION, commitment, drawWinners, entriesHash, verifyDraw, type DrawEntry } from './draw.js';
import { prizeState, reminderAt, type PrizeState } from './prizes.js';
import type { ClaimView, EntryRow, LotteryRepo, LotteryRow } from './repo.js';
import { dueReminder, formatReminders, parseReminders, storedReminders, type RemindOffset } from '../../core/reminders.js';
import type { Firing } from '../schedule/calendar.js';

export const DRAW_JOB = 'lottery-draw';
const drawJobId = (id: number): string => `lottery-draw-${id}`;
/** Reminders and deadlines of a lottery's prize claims: one job per lottery and due time. */
export const CLAIMS_JOB = 'lottery-claims';
const claimsJobId = (id: number, due: number): string => `lottery-claims-${id}-${due}`;
/** Warm-up reminders before the draw (`remind=3d,1d,1h`): one timer per lottery and offset. */
export const REMIND_JOB = 'lottery-remind';
const remindJobId = (id: number, offsetMs: number): string => `lottery-remind-${id}-${offsetMs}`;

export type BonusRule = 'streak7' | 'level';

/** A stored or typed bonus rule, checked (the column is plain text). */
export function isBonusRule(value: string | null | undefined): value is BonusRule {
  return value === 'streak7' || value === 'level';
}

export interface LotteryRules {
  maxWinners: number;
  /** Streak lengths that earn a free entry to the community's newest open lottery. */
  milestoneEntries: readonly number[];
  /** A member's first join earns a free entry to the newest open lottery. */
  newcomerEntry: boolean;
  /** Item prizes: hours to claim when `claim=` is not given; 0: no deadline. */
  claimHours: number;
  /** Unclaimed item prizes are rerolled at their deadline unless `reroll=` says otherwise. */
  autoReroll: boolean;
}

/** What each winner gets: the prize text only, points paid at the draw, or a shop item to claim. */
export type PrizeSpec = { kind: 'text' } | { kind: 'points'; points: number } | { kind: 'item'; item: string };

export interface CreateInput {
  prize: string;
  winners: number;
  /** Checked by the registry: ahead of the command's time, within a year. */
  ends: Date;
  cost: number;
  minLevel: number;
  minStreak: number;
  minPoints: number;
  bonus?: BonusRule;
  prizeSpec?: PrizeSpec;
  /** Claim window in ms; null: no deadline; undefined: the configured default. */
  claimMs?: number | null;
  rerollAuto?: boolean;
  /** `remind=3d,1d,1h` as typed: checked here against the time to the draw and the content calendar. */
  remind?: string;
}

interface Frozen {
  entries: DrawEntry[];
  excluded: string[];
}

interface Rounds {
  rounds: string[][];
  /** Per reroll round: entrants who had left since the draw, excluded from that round (and later ones). */
  left?: Record<string, string[]>;
}

/** What a LotteryService needs, by name (built by the feature's assembly function in index.ts). */
export interface LotteryServiceDeps {
  repo: LotteryRepo;
  outbox: Outbox;
  timers: Timers;
  points: PointsService;
  checkin: CheckinService;
  rng: Rng;
  rules: LotteryRules;
  /** Item prizes: the shop's items, orders (one admins' queue) and private code delivery. */
  shop: ShopService;
  /** A community's translator, for posts made outside a command (the draw). */
  translate: (communityId: number) => Promise<Translate>;
  /** A community's settings (timezone, day start), for the draw's ledger day and deadlines in posts. */
  communityById: (id: number) => Promise<CommunityInfo | undefined>;
  /**
   * The content calendar (schedule feature): warm-up reminders are posts the
   * bot makes on its own and count toward the daily cap. Absent: no cap.
   */
  calendar?: {
    check(ctx: CommandContext, added: Date[]): Promise<void>;
    dayIsFull(communityId: number, timezone: string, now: Date): Promise<boolean>;
  };
  logger?: Logger;
}

/** What a job-time post needs: the community's translator and its settings. */
interface PostCtx {
  t: Translate;
  community: CommunityInfo;
  now: Date;
  afterCommit: (fn: AfterCommit) => void;
}

export class LotteryService {
  constructor(private readonly deps: LotteryServiceDeps) {}

  /** The most winners a lottery may have (`lottery.maxWinners`): the `winners=` range members are told. */
  get maxWinners(): number {
    return this.deps.rules.maxWinners;
  }

  async create(ctx: CommandContext, input: CreateInput): Promise<LotteryRow> {
    if (input.winners > this.deps.rules.maxWinners) throw new UserError('lottery.tooManyWinners', { max: this.deps.rules.maxWinners });
    const spec = input.prizeSpec ?? { kind: 'text' };
    let itemId: number | null = null;
    if (spec.kind === 'item') {
      const item = await this.deps.shop.findItem(ctx.community.id, spec.item);
      if (!item) throw new UserError('lottery.noItem', { item: spec.item });
      itemId = item.id;
    }
    const reminders = input.remind === undefined ? [] : this.reminders(input.remind, input.ends, ctx.now);
    await this.deps.calendar?.check(ctx, reminders.map((o) => new Date(input.ends.getTime() - o.ms)));
    const configured = this.deps.rules.claimHours > 0 ? this.deps.rules.claimHours * 3_600_000 : null;
    const seedHex = this.deps.rng.hex(32);
    const id = await this.deps.repo.insert({
          communityId: ctx.community.id,
          prize: input.prize,
          prizeKind: spec.kind,
          prizePoints: spec.kind === 'points' ? spec.points : null,
          prizeItemId: itemId,
          claimMs: spec.kind === 'item' ? (input.claimMs === undefined ? configured : input.claimMs) : null,
          rerollAuto: input.rerollAuto ?? this.deps.rules.autoReroll,
          winners: input.winners,
          endsAt: input.ends.getTime(),
          cost: input.cost,
          minLevel: input.minLevel,
          minStreak: input.minStreak,
          minPoints: input.minPoints,
          bonus: input.bonus ?? null,
          seedHex,
          commitment: commitment(seedHex),
          algorithm: ALGORITHM_VERSION,
          createdBy: ctx.member.id,
          at: ctx.now.getTime(),
          remind: reminders.length > 0 ? formatReminders(reminders) : null,
        });
    ctx.afterCommit(async () => {
      await this.deps.timers.at(drawJobId(id), input.ends, { kind: DRAW_JOB, id });
      for (const o of reminders) await this.deps.timers.at(remindJobId(id, o.ms), new Date(input.ends.getTime() - o.ms), { kind: REMIND_JOB, id });
    });
    return (await this.deps.repo.get(id)) as LotteryRow;
  }

  /** `remind=` read strictly; a refusal says what is wrong in the command's language. */
  private reminders(raw: string, ends: Date, now: Date): RemindOffset[] {
    const parsed = parseReminders(raw, ends.getTime() - now.getTime());
    if (parsed.ok) return parsed.offsets;
    switch (parsed.error) {
      case 'format':
        throw new UserError('lottery.remindFormat', { part: parsed.part });
      case 'tooMany':
        throw new UserError('lottery.remindTooMany', { max: parsed.max });
      case 'duplicate':
        throw new UserError('lottery.remindDuplicate', { part: parsed.part });
      case 'tooLate':
        throw new UserError('lottery.remindTooLate', { part: parsed.part });
    }
  }

  /**
   * Timer job: a warm-up reminder is due. Posts the latest reminder whose time
   * has come, once (the lottery row records it by compare-and-set, the outbox
   * key is per lottery and offset); nothing once the lottery is drawn or
   * cancelled; skipped and logged when the community day is at its daily cap.
   */
  async remindDue(id: number, job: JobContext): Promise<JobOutcome> {
    const row = await this.deps.repo.get(id);
    if (!row) return 'missing';
    if (row.status !== 'open') return;
    const due = dueReminder(storedReminders(row.remind), row.ends_at, job.firedAt.getTime(), row.reminded_ms);
    if (!due || !(await this.deps.repo.markRemindHandled(id, due.ms))) return;
    const community = await this.deps.communityById(row.community_id);
    if (!community) return 'missing';
    if (await this.deps.calendar?.dayIsFull(row.community_id, community.timezone, job.firedAt)) {
      this.deps.logger?.warn({ lottery: id, community: row.community_id, offset: `${due.n}${due.unit}` }, 'lottery reminder skipped: the community day is at its daily cap of posts');
      return;
    }
    const t = await this.deps.translate(row.community_id);
    const reply: Reply = {
      text: t('lottery.remindPost', { id, prize: row.prize, left: t(`lottery.left.${due.unit}`, { n: due.n }) }),
      actions: [{ label: t('lottery.joinButton'), command: `lottery join ${id}`, style: 'primary' }],
      actionsExplained: true,
    };
    await this.deps.outbox.post(row.community_id, reply, { key: `lottery-remind-${id}-${due.ms}`, source: `lottery-remind:${id}`, at: job.firedAt, afterCommit: job.afterCommit });
  }

  /** The calendar's view of this community's warm-up reminders: posted in [from, to), and from `now` on the planned ones. */
  async calendarFirings(communityId: number, from: Date, to: Date, now: Date): Promise<Firing[]> {
    const out: Firing[] = [];
    const open = await this.deps.repo.openWithReminders(communityId);
    const prizes = new Map(open.map((row) => [row.id, row.prize]));
    const prizeOf = async (id: number): Promise<string> => prizes.get(id) ?? (await this.deps.repo.get(id))?.prize ?? '';
    for (const d of await this.deps.repo.remindersPosted(communityId, from.getTime(), to.getTime())) {
      const lotteryId = Number(d.source.slice('lottery-remind:'.length));
      out.push({ at: new Date(Number(d.created_at)), promo: false, postId: null, text: await prizeOf(lotteryId), lotteryId });
    }
    const later = Math.max(from.getTime(), now.getTime() + 1);
    for (const row of open) {
      for (const o of storedReminders(row.remind)) {
        const at = row.ends_at - o.ms;
        if (at >= later && at < to.getTime() && (row.reminded_ms === null || o.ms < row.reminded_ms)) out.push({ at: new Date(at), promo: false, postId: null, text: row.prize, lotteryId: row.id });
      }
    }
    return out;
  }

  /** The reminder timers a lottery still needs at `now`: the one due and not yet handled (a late run posts it), and those to come. */
  private reminderTimers(row: LotteryRow, now: Date): DesiredTimers['timers'] {
    const offsets = storedReminders(row.remind);
    const due = dueReminder(offsets, row.ends_at, now.getTime(), row.reminded_ms);
    const wanted = offsets.filter((o) => o === due || (row.ends_at - o.ms > now.getTime() && (row.reminded_ms === null || o.ms < row.reminded_ms)));
    return wanted.map((o) => ({ jobId: remindJobId(row.id, o.ms), dueAt: new Date(row.ends_at - o.ms), job: { kind: REMIND_JOB, id: row.id } }));
  }

  /** After a draw or a cancel: the reminders still armed are not needed (their job would find the lottery closed anyway). */
  private cancelReminders(row: LotteryRow, afterCommit: (fn: AfterCommit) => void): void {
    const offsets = storedReminders(row.remind);
    if (offsets.length === 0) return;
    afterCommit(async () => {
      for (const o of offsets) await this.deps.timers.cancel(remindJobId(row.id, o.ms)).catch(() => undefined);
    });
  }

  async join(ctx: CommandContext, id: number): Promise<{ tickets: number; entrants: number; balance: number | undefined }> {
    const row = await this.openLottery(ctx, id);
    const existing = await this.deps.repo.entry(id, ctx.member.id);
    if (existing) throw new UserError('lottery.alreadyJoined', { id, tickets: existing.tickets, entrants: (await this.deps.repo.count(id)).entrants });
    const profile = await this.deps.points.standing(ctx.member.id);
    const streak = await this.currentStreak(ctx.member.id, ctx.day);
    if (profile.level.index < row.min_level) throw new UserError('lottery.needLevel', { level: row.min_level + 1 });
    if (streak < row.min_streak) throw new UserError('lottery.needStreak', { days: row.min_streak, streak });
    if (profile.balance < row.min_points) throw new UserError('lottery.needPoints', { points: row.min_points, balance: profile.balance });
    let balance: number | undefined;
    if (row.cost > 0) {
      balance = (await this.deps.points.award({
              communityId: ctx.community.id,
              memberId: ctx.member.id,
              delta: -row.cost,
              kind: 'spend',
              reason: `lottery ${id} entry`,
              ref: String(id),
              key: `lottery-entry:${id}:${ctx.member.id}`,
              at: ctx.now,
              day: ctx.day,
              afterCommit: ctx.afterCommit,
            })).balance;
    }
    const tickets = 1 + this.bonusTickets(row, profile.level.index, streak);
    if (!(await this.deps.repo.insertEntry(id, ctx.member.id, tickets, row.cost, 'join', ctx.now.getTime()))) {
      throw new UserError('lottery.alreadyJoined', { id, tickets, entrants: (await this.deps.repo.count(id)).entrants });
    }
    return { tickets, entrants: (await this.deps.repo.count(id)).entrants, balance };
  }

  async costOf(id: number): Promise<number> {
    return (await this.deps.repo.get(id))?.cost ?? 0;
  }

  /** Check-in hook: a free entry to the newest open lottery on a milestone streak. */
  async milestoneEntry(ctx: CommandContext, streak: number): Promise<string | undefined> {
    if (!this.deps.rules.milestoneEntries.includes(streak)) return undefined;
    const row = await this.deps.repo.newestOpen(ctx.community.id, ctx.now.getTime());
    if (!row || (await this.deps.repo.entry(row.id, ctx.member.id))) return undefined;
    if (!(await this.deps.repo.insertEntry(row.id, ctx.member.id, 1, 0, 'milestone', ctx.now.getTime()))) return undefined;
    return ctx.t('lottery.milestoneEntry', { days: streak, id: row.id, prize: row.prize });
  }

  /** memberJoined: a newcomer's free entry to the newest open lottery (once per member, ever). */
  async newcomerEntryOnJoin(ctx: CommandContext): Promise<void> {
    if (!this.deps.rules.newcomerEntry || (await this.deps.repo.hadNewcomerEntry(ctx.member.id))) return;
    const row = await this.deps.repo.newestOpen(ctx.community.id, ctx.now.getTime());
    if (!row) return;
    await this.deps.repo.insertEntry(row.id, ctx.member.id, 1, 0, 'newcomer', ctx.now.getTime());
  }

  /** End early (admin): draw now, inside the command's transaction. */
  async drawNow(ctx: CommandContext, id: number): Promise<Reply> {
    const row = await this.openLottery(ctx, id);
    const reply = await this.drawInTransaction(row, ctx.now, ctx.t, ctx.afterCommit);
    ctx.afterCommit(() => this.deps.timers.cancel(drawJobId(id)).catch(() => undefined));
    this.cancelReminders(row, ctx.afterCommit);
    return reply ?? { text: ctx.t('lottery.notOpen', { id }) };
  }

  /** Timer job: the end time has come. A second run finds the status moved and does nothing. */
  async drawDue(id: number, job: JobContext): Promise<JobOutcome> {
    const now = job.firedAt;
    const row = await this.deps.repo.get(id);
    if (!row) return 'missing';
    if (!row || row.status !== 'open') return;
    await this.drawInTransaction(row, now, await this.deps.translate(row.community_id), job.afterCommit);
  }

  /**
   * `/lottery reroll <id> [count]`. An item prize lottery rerolls its expired
   * (unclaimed) prizes, one replacement each; other lotteries draw `count`
   * more winners (points prizes are paid to them). Never a past winner of the
   * lottery, nor an entrant who has left.
   */
  async reroll(ctx: CommandContext, id: number, count: number): Promise<Reply> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id) throw new UserError('lottery.notFound', { id });
    if (row.status !== 'announced' || !row.entries_json || !row.winners_json) throw new UserError('lottery.notDrawn', { id });
    const post: PostCtx = { t: ctx.t, community: ctx.community, now: ctx.now, afterCommit: ctx.afterCommit };
    if (row.prize_kind === 'item') {
      const round = await this.rerollExpired(row, post);
      if (round === 'none') throw new UserError('lottery.nothingExpired', { id });
      if (round === 'empty') throw new UserError('lottery.noneLeft', { id });
      return { text: ctx.t('lottery.rerollDone', { id, round }), ephemeral: true };
    }
    const drawn = await this.drawReplacements(row, count);
    if (drawn.picked.length === 0) throw new UserError('lottery.noneLeft', { id });
    await this.settle(row, drawn.picked, drawn.round, post);
    const reply = await this.resultReply(row, drawn.picked, ctx.t, { reroll: drawn.round });
    await this.deps.outbox.post(row.community_id, reply, { key: `lottery-reroll-${id}-${drawn.round}`, source: `lottery:${id}`, at: ctx.now, afterCommit: ctx.afterCommit });
    return { text: ctx.t('lottery.rerollDone', { id, round: drawn.round }), ephemeral: true };
  }

  /**
   * Draws `count` replacements with the draw's seed and the next round number
   * (draw.ts), excluding every past winner and the entrants who have left
   * since (recorded per round, so /lottery verify re-runs it), and saves the round.
   */
  private async drawReplacements(row: LotteryRow, count: number): Promise<{ picked: string[]; round: number }> {
    const frozen = JSON.parse(row.entries_json ?? '{}') as Frozen;
    const rounds = JSON.parse(row.winners_json ?? '{}') as Rounds;
    const round = row.rerolls + 1;
    const earlier = new Set([...frozen.excluded, ...rounds.rounds.flat(), ...Object.values(rounds.left ?? {}).flat()]);
    const left = (await this.deps.repo.entries(row.id)).filter((e) => e.left_at !== null && !earlier.has(String(e.member_id))).map((e) => String(e.member_id));
    const picked = drawWinners({ seedHex: row.seed_hex, entries: frozen.entries, winners: count, round, exclude: [...earlier, ...left] });
    if (picked.length === 0) return { picked, round };
    rounds.rounds.push(picked);
    if (left.length > 0) rounds.left = { ...rounds.left, [String(round)]: left };
    await this.deps.repo.saveReroll(row.id, JSON.stringify(rounds), round);
    return { picked, round };
  }

  /**
   * Replaces the lottery's expired prizes: one new winner each, with a claim of
   * their own, and a follow-up post ("updated result"; posts cannot be edited).
   * 'none': nothing had expired; 'empty': nobody is left to draw.
   */
  private async rerollExpired(row: LotteryRow, post: PostCtx): Promise<number | 'none' | 'empty'> {
    const expired = await this.deps.repo.claimsWithStatus(row.id, 'expired');
    if (expired.length === 0) return 'none';
    const fresh = (await this.deps.repo.get(row.id)) as LotteryRow;
    const drawn = await this.drawReplacements(fresh, expired.length);
    if (drawn.picked.length === 0) return 'empty';
    for (const claim of expired.slice(0, drawn.picked.length)) await this.deps.repo.moveClaim(claim.id, 'expired', 'rerolled');
    const settled = await this.settle(fresh, drawn.picked, drawn.round, post);
    const reply = await this.resultReply(fresh, drawn.picked, post.t, { reroll: drawn.round });
    reply.title = post.t('lottery.updatedTitle', { id: row.id });
    reply.text = [post.t('lottery.updatedResult', { id: row.id, count: drawn.picked.length }), reply.text, ...this.claimLines(fresh, settled, post)].join('\n');
    Object.assign(reply, this.claimActions(fresh, post.t));
    await this.deps.outbox.post(row.community_id, reply, { key: `lottery-reroll-${row.id}-${drawn.round}`, source: `lottery:${row.id}`, at: post.now, afterCommit: post.afterCommit });
    return drawn.round;
  }

  /**
   * Gives each winner their prize, once (one claim per lottery and member):
   * points through the ledger (key `lottery-prize:<lottery>:<member>`), or a
   * shop order holding the item's code or unit, with a deadline, a private
   * notice and the timer for the reminder. Returns the deadline and how many
   * orders wait for stock or codes.
   */
  private async settle(row: LotteryRow, winners: readonly string[], round: number, post: PostCtx): Promise<{ deadline: number | null; waiting: number }> {
    if (row.prize_kind === 'text' || winners.length === 0) return { deadline: null, waiting: 0 };
    const now = post.now.getTime();
    const deadline = row.prize_kind === 'item' && row.claim_ms !== null ? now + row.claim_ms : null;
    const remindAt = deadline !== null && row.claim_ms !== null ? reminderAt(deadline, row.claim_ms) : null;
    const day = communityDay(post.now, post.community);
    const byId = new Map((await this.deps.repo.entries(row.id)).map((e) => [String(e.member_id), e]));
    // The same notice for every winner of this round (formatted once: 1,000 winners are one draw).
    const notice = row.prize_kind === 'item' ? post.t('lottery.wonDm', { id: row.id, prize: row.prize, deadline: this.deadlineText(deadline, post) }) : '';
    let waiting = 0;
    for (const winner of winners) {
      const memberId = Number(winner);
      const paid = row.prize_kind === 'points';
      const claimId = await this.deps.repo.insertClaim({ lotteryId: row.id, memberId, round, status: paid ? 'claimed' : 'pending', deadlineAt: deadline, remindAt, claimedAt: paid ? now : null, at: now });
      if (claimId === undefined) continue;
      if (paid) {
        await this.deps.points.award({
          communityId: row.community_id,
          memberId,
          delta: row.prize_points ?? 0,
          kind: 'earn',
          reason: `lottery ${row.id} prize`,
          ref: String(row.id),
          key: `lottery-prize:${row.id}:${memberId}`,
          at: post.now,
          day,
          afterCommit: post.afterCommit,
        });
        continue;
      }
      const order = await this.deps.shop.reservePrize({ communityId: row.community_id, itemId: row.prize_item_id as number, memberId, source: `lottery:${row.id}`, at: now });
      await this.deps.repo.setClaimOrder(claimId, order.orderId);
      if (order.waiting) waiting++;
      const entry = byId.get(winner);
      if (entry) await this.notifyWinner(row, entry.platform_user_id, entry.display_name, `lottery-won-${claimId}`, notice, post);
    }
    if (deadline !== null) post.afterCommit(() => this.deps.timers.at(claimsJobId(row.id, remindAt ?? deadline), new Date(remindAt ?? deadline), { kind: CLAIMS_JOB, id: row.id }));
    return { deadline, waiting };
  }

  /** A private notice to a winner; where no direct message can be sent, the group gets it with a mention (never a code). */
  private async notifyWinner(row: LotteryRow, platformUserId: string, name: string, key: string, text: string, post: PostCtx): Promise<void> {
    const mentions = { [platformUserId]: name };
    const actions = this.claimActions(row, post.t);
    const fallback: Reply = { text: `${mention(platformUserId)} ${text}`, mentions, ...actions };
    await this.deps.outbox.post(row.community_id, { text, mentions, ...actions }, { key, source: `lottery:${row.id}`, at: post.now, afterCommit: post.afterCommit, direct: { recipient: platformUserId, fallback } });
  }

  /** The claim button (a Discord button press answers ephemerally, so a code can be shown there); the text says the command too. */
  private claimActions(row: LotteryRow, t: Translate): Pick<Reply, 'actions' | 'actionsExplained'> {
    return { actions: [{ label: t('lottery.claimButton'), command: `lottery claim ${row.id}`, style: 'primary' }], actionsExplained: true };
  }

  private deadlineText(deadline: number | null, post: { t: Translate; community: CommunityInfo }): string {
    return deadline === null ? post.t('lottery.claimAnytime') : post.t('lottery.claimBy', { at: formatLocal(new Date(deadline), post.community.timezone) });
  }

  /** The result post's lines about prizes: points paid, how to claim, and (for admins) orders that wait for stock or codes. */
  private claimLines(row: LotteryRow, settled: { deadline: number | null; waiting: number }, post: PostCtx): string[] {
    if (row.prize_kind === 'points') return [post.t('lottery.pointsPaid', { points: row.prize_points ?? 0 })];
    if (row.prize_kind !== 'item') return [];
    const lines = [post.t('lottery.claimHint', { id: row.id, deadline: this.deadlineText(settled.deadline, post) })];
    if (settled.waiting > 0) lines.push(post.t('lottery.poolShort', { count: settled.waiting }));
    return lines;
  }

  /**
   * Timer job for a lottery's claims: reminds unclaimed winners whose reminder
   * is due, expires the prizes whose deadline passed (their order is cancelled
   * and its code or unit goes back), rerolls them if the lottery says so (else
   * tells the admins), and arms the next due time. Each step moves a row by
   * compare-and-set, so a re-run or a duplicate job acts once.
   */
  async claimsDue(id: number, job: JobContext): Promise<JobOutcome> {
    const row = await this.deps.repo.get(id);
    if (!row) return 'missing';
    const community = await this.deps.communityById(row.community_id);
    if (!community) return 'missing';
    const post: PostCtx = { t: await this.deps.translate(row.community_id), community, now: job.firedAt, afterCommit: job.afterCommit };
    const now = job.firedAt.getTime();
    for (const claim of await this.deps.repo.dueReminders(id, now)) {
      if (!(await this.deps.repo.markReminded(claim.id, now))) continue;
      const text = post.t('lottery.remindDm', { id, prize: row.prize, deadline: this.deadlineText(claim.deadline_at, post) });
      await this.notifyWinner(row, claim.platform_user_id, claim.display_name, `lottery-remind-${claim.id}`, text, post);
    }
    let expired = 0;
    for (const claim of await this.deps.repo.dueExpiries(id, now)) {
      if (!(await this.deps.repo.moveClaim(claim.id, 'pending', 'expired'))) continue;
      if (claim.order_id !== null) await this.deps.shop.cancelPrize(claim.order_id);
      expired++;
    }
    if (expired > 0) {
      if (row.reroll_auto === 1) {
        if ((await this.rerollExpired(row, post)) === 'empty') await this.deps.outbox.post(row.community_id, { text: post.t('lottery.noneLeft', { id }) }, { key: `lottery-none-left-${id}-${row.rerolls}`, source: `lottery:${id}`, at: post.now, afterCommit: post.afterCommit });
      } else {
        await this.deps.outbox.post(row.community_id, { text: post.t('lottery.expiredNotice', { id, count: expired }) }, { key: `lottery-expired-${id}-${now}`, source: `lottery:${id}`, at: post.now, afterCommit: post.afterCommit });
      }
    }
    const next = await this.deps.repo.nextDueOf(id);
    if (next !== undefined && next !== null) job.afterCommit(() => this.deps.timers.at(claimsJobId(id, next), new Date(next), { kind: CLAIMS_JOB, id }));
  }

  /**
   * `/claim <lottery>` (领奖): the winner takes their prize. Claimed means the
   * winner ran this before the deadline: a code is shown only here (privately),
   * so an unclaimed code was never seen and goes back to the pool at the
   * deadline; goods join the admins' queue.
   */
  async claim(ctx: CommandContext, id: number): Promise<Reply> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id) throw new UserError('lottery.notFound', { id });
    if (row.prize_kind === 'text') throw new UserError('lottery.claimNothing', { id, prize: row.prize });
    const claim = await this.deps.repo.claimOf(id, ctx.member.id);
    if (!claim) throw new UserError(row.status === 'announced' ? 'lottery.notWinner' : 'lottery.notDrawn', { id });
    if (row.prize_kind === 'points') return { text: ctx.t('lottery.claimPoints', { id, points: row.prize_points ?? 0 }), ephemeral: true };
    const expired = claim.status === 'expired' || claim.status === 'rerolled' || (claim.status === 'pending' && claim.deadline_at !== null && claim.deadline_at <= ctx.now.getTime());
    if (expired) throw new UserError('lottery.claimExpired', { id });
    if (claim.status === 'pending') await this.deps.repo.moveClaim(claim.id, 'pending', 'claimed', ctx.now.getTime());
    const order = claim.order_id === null ? undefined : await this.deps.shop.claimPrize(claim.order_id);
    if (!order) throw new UserError('lottery.claimExpired', { id });
    const names = { id, order: order.id, name: order.item_name };
    if (order.status === 'refunded' || order.status === 'cancelled') throw new UserError('lottery.claimVoid', names);
    if (order.item_kind === 'code') {
      if (order.code === null || order.status !== 'delivered') return { text: ctx.t('lottery.claimCodeWaiting', names), ephemeral: true };
      return this.deps.shop.privateCode(ctx, `lottery-code-${claim.id}:${ctx.event.deliveryId}`, { order: order.id, name: order.item_name, code: order.code }, {
        here: ctx.t('lottery.claimCodeHere', names),
        sent: ctx.t('lottery.claimCodeSent', names),
        more: [],
      });
    }
    return { text: ctx.t(order.status === 'fulfilled' ? 'lottery.claimFulfilled' : 'lottery.claimGoods', names), ephemeral: true };
  }

  /**
   * `/lottery status <id>`: each winner's prize (delivered, pending, expired,
   * rerolled); admins also see the orders, rounds and deadlines.
   */
  async status(ctx: CommandContext, id: number): Promise<Reply> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id) throw new UserError('lottery.notFound', { id });
    if (row.status !== 'announced') throw new UserError('lottery.notDrawn', { id });
    const title = ctx.t('lottery.statusTitle', { id, prize: row.prize });
    if (row.prize_kind === 'text') return { title, text: ctx.t('lottery.statusText'), ephemeral: true };
    const claims = await this.deps.repo.claims(id);
    const counts: Record<PrizeState, number> = { delivered: 0, pending: 0, expired: 0, rerolled: 0 };
    const lines: string[] = [];
    for (const c of claims) {
      const state = prizeState(c.status, c.order_status);
      counts[state]++;
      const line = ctx.t('lottery.statusLine', { name: c.display_name, state: ctx.t(`lottery.state.${state}`) });
      lines.push(ctx.isAdmin ? `${line}${this.adminDetail(ctx, c)}` : line);
    }
    lines.push('', ctx.t('lottery.statusCounts', counts));
    return { title, text: lines.join('\n'), ephemeral: true };
  }

  private adminDetail(ctx: CommandContext, c: ClaimView): string {
    const parts = [ctx.t('lottery.statusRound', { round: c.round })];
    if (c.order_id !== null) parts.push(ctx.t('lottery.statusOrder', { order: c.order_id, status: ctx.t(`shop.status.${c.order_status ?? 'pending'}`) }));
    if (c.status === 'pending' && c.deadline_at !== null) parts.push(ctx.t('lottery.statusDeadline', { at: formatLocal(new Date(c.deadline_at), ctx.community.timezone) }));
    return ` · ${parts.join(' · ')}`;
  }

  async cancel(ctx: CommandContext, id: number): Promise<{ refunded: number }> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id) throw new UserError('lottery.notFound', { id });
    if (!(await this.deps.repo.moveStatus(id, 'open', 'cancelled'))) throw new UserError('lottery.notOpen', { id });
    let refunded = 0;
    for (const entry of await this.deps.repo.entries(id)) {
      if (entry.cost_paid <= 0) continue;
      // The refund undoes a spend: same kind, so earnings and levels do not change.
      const result = await this.deps.points.award({
              communityId: row.community_id,
              memberId: entry.member_id,
              delta: entry.cost_paid,
              kind: 'spend',
              reason: `lottery ${id} refund`,
              ref: String(id),
              key: `lottery-refund:${id}:${entry.member_id}`,
              at: ctx.now,
              day: ctx.day,
              afterCommit: ctx.afterCommit,
            });
      if (result.applied) refunded++;
    }
    ctx.afterCommit(() => this.deps.timers.cancel(drawJobId(id)).catch(() => undefined));
    this.cancelReminders(row, ctx.afterCommit);
    return { refunded };
  }

  async verify(ctx: CommandContext, id: number): Promise<Reply> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id) throw new UserError('lottery.notFound', { id });
    if (row.status !== 'announced' || !row.entries_json || !row.winners_json || !row.entries_hash) throw new UserError('lottery.notDrawn', { id });
    const frozen = JSON.parse(row.entries_json) as Frozen;
    const rounds = JSON.parse(row.winners_json) as Rounds;
    let ok = commitment(row.seed_hex) === row.commitment && entriesHash(frozen.entries) === row.entries_hash;
    const excluded = [...frozen.excluded];
    rounds.rounds.forEach((published, round) => {
      excluded.push(...(rounds.left?.[String(round)] ?? []));
      const check = verifyDraw({ seedHex: row.seed_hex, entries: frozen.entries, round, exclude: excluded, published, winners: round === 0 ? row.winners : published.length });
      ok &&= check.ok;
      excluded.push(...published);
    });
    const lines = [
      ctx.t(ok ? 'lottery.verifyOk' : 'lottery.verifyBad', { id }),
      ctx.t('lottery.proof', { seed: row.seed_hex, commitment: row.commitment, hash: row.entries_hash, algorithm: row.algorithm, entrants: frozen.entries.length }),
    ];
    return { text: lines.join('\n') };
  }

  async list(ctx: CommandContext): Promise<Reply> {
    const rows = await this.deps.repo.listRecent(ctx.community.id);
    if (rows.length === 0) return { text: ctx.t('lottery.none'), ephemeral: true };
    const lines: string[] = [];
    for (const row of rows) {
      const { entrants } = await this.deps.repo.count(row.id);
      lines.push(ctx.t(row.status === 'open' ? 'lottery.rowOpen' : 'lottery.rowDone', { id: row.id, prize: row.prize, winners: row.winners, ends: formatLocal(new Date(row.ends_at), ctx.community.timezone), entrants }));
    }
    return { title: ctx.t('lottery.listTitle'), text: lines.join('\n') };
  }

  announcement(ctx: CommandContext, row: LotteryRow): Reply {
    const rules: string[] = [];
    if (row.cost > 0) rules.push(ctx.t('lottery.ruleCost', { cost: row.cost }));
    if (row.min_level > 0) rules.push(ctx.t('lottery.ruleLevel', { level: row.min_level + 1 }));
    if (row.min_streak > 0) rules.push(ctx.t('lottery.ruleStreak', { days: row.min_streak }));
    if (row.min_points > 0) rules.push(ctx.t('lottery.rulePoints', { points: row.min_points }));
    if (isBonusRule(row.bonus)) rules.push(ctx.t(`lottery.bonus.${row.bonus}`));
    return {
      title: ctx.t('lottery.announceTitle', { id: row.id }),
      text: [
        ctx.t('lottery.announce', { prize: row.prize, winners: row.winners, ends: formatLocal(new Date(row.ends_at), ctx.community.timezone) }),
        ...this.prizeTerms(ctx, row),
        rules.length ? ctx.t('lottery.rules', { rules: rules.join('；') }) : ctx.t('lottery.noRules'),
        ctx.t('lottery.howToJoin', { id: row.id }),
        ctx.t('lottery.commitment', { commitment: row.commitment }),
      ].join('\n'),
      actions: [{ label: ctx.t('lottery.joinButton'), command: `lottery join ${row.id}`, style: 'primary' }],
      actionsExplained: true,
    };
  }

  async desired(now: Date): Promise<DesiredTimers> {
    const open = await this.deps.repo.allOpen();
    return {
      timers: [
        ...open.map((row) => ({ jobId: drawJobId(row.id), dueAt: new Date(row.ends_at), job: { kind: DRAW_JOB, id: row.id } })),
        ...open.filter((row) => row.status === 'open').flatMap((row) => this.reminderTimers(row, now)),
        // Prize claims: the next reminder or deadline of each lottery with unclaimed prizes.
        ...(await this.deps.repo.nextDue()).map((d) => ({ jobId: claimsJobId(d.lottery_id, d.due), dueAt: new Date(d.due), job: { kind: CLAIMS_JOB, id: d.lottery_id } })),
      ],
      schedulers: [],
      schedulerPrefixes: [],
    };
  }

  private async drawInTransaction(row: LotteryRow, now: Date, t: Translate, afterCommit: (fn: AfterCommit) => void): Promise<Reply | undefined> {
    if (!(await this.deps.repo.moveStatus(row.id, 'open', 'drawing'))) return undefined;
    const community = await this.deps.communityById(row.community_id);
    if (!community) throw new Error(`lottery ${row.id}: community ${row.community_id} is missing`);
    const all = await this.deps.repo.entries(row.id);
    // Members who left before the draw are excluded, and recorded as such.
    const excluded = all.filter((e) => e.left_at !== null).map((e) => String(e.member_id));
    const entries: DrawEntry[] = all.filter((e) => e.left_at === null).map((e) => ({ id: String(e.member_id), weight: e.tickets }));
    const winners = drawWinners({ seedHex: row.seed_hex, entries, winners: row.winners });
    await this.deps.repo.saveResult(row.id, entriesHash(entries), JSON.stringify({ entries, excluded } satisfies Frozen), JSON.stringify({ rounds: [winners] } satisfies Rounds), now.getTime());
    await this.deps.repo.moveStatus(row.id, 'drawing', 'announced');
    const post: PostCtx = { t, community, now, afterCommit };
    const settled = await this.settle(row, winners, 0, post);
    const reply = await this.resultReply(row, winners, t, { entrants: entries.length, excluded: excluded.length, byId: new Map(all.map((e) => [String(e.member_id), e])) });
    if (winners.length > 0) reply.text = [reply.text, ...this.claimLines(row, settled, post)].join('\n');
    if (winners.length > 0 && row.prize_kind === 'item') Object.assign(reply, this.claimActions(row, t));
    await this.deps.outbox.post(row.community_id, reply, { key: `lottery-result-${row.id}`, source: `lottery:${row.id}`, at: now, afterCommit });
    return reply;
  }

  private async resultReply(row: LotteryRow, winners: string[], t: Translate, opts: { reroll?: number; entrants?: number; excluded?: number; byId?: Map<string, EntryRow> }): Promise<Reply> {
    const byId = opts.byId ?? new Map((await this.deps.repo.entries(row.id)).map((e) => [String(e.member_id), e]));
    const mentions: Record<string, string> = {};
    const names = winners.map((id) => {
      const entry = byId.get(id);
      if (!entry) return `#${id}`;
      mentions[entry.platform_user_id] = entry.display_name;
      return `<@${entry.platform_user_id}>`;
    });
    const lines = [
      winners.length === 0
        ? t('lottery.noEntrants', { id: row.id, prize: row.prize })
        : t(opts.reroll ? 'lottery.rerollResult' : 'lottery.result', { id: row.id, prize: row.prize, winners: names.join(' '), round: opts.reroll ?? 0 }),
    ];
    if (!opts.reroll && opts.entrants !== undefined && winners.length > 0 && opts.entrants <= row.winners) lines.push(t('lottery.allWin'));
    if (opts.excluded) lines.push(t('lottery.excludedLeft', { count: opts.excluded }));
    lines.push(t('lottery.reveal', { seed: row.seed_hex, id: row.id }));
    return { title: t('lottery.resultTitle', { id: row.id }), text: lines.join('\n'), mentions };
  }

  /** The announcement's prize lines: points per winner, or the shop item and how long winners have to claim it. */
  private prizeTerms(ctx: CommandContext, row: LotteryRow): string[] {
    if (row.prize_kind === 'points') return [ctx.t('lottery.prizePoints', { points: row.prize_points ?? 0 })];
    if (row.prize_kind !== 'item') return [];
    const window = row.claim_ms === null ? ctx.t('lottery.claimAnytime') : ctx.t('lottery.claimWithin', { hours: Math.round((row.claim_ms / 3_600_000) * 10) / 10 });
    return [ctx.t('lottery.prizeItem', { id: row.id, window }), ctx.t(row.reroll_auto === 1 ? 'lottery.rerollAutoRule' : 'lottery.rerollManualRule')];
  }

  private async openLottery(ctx: CommandContext, id: number): Promise<LotteryRow> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id) throw new UserError('lottery.notFound', { id });
    if (row.status !== 'open' || row.ends_at <= ctx.now.getTime()) throw new UserError('lottery.notOpen', { id });
    return row;
  }

  private async currentStreak(memberId: number, today: string): Promise<number> {
    const s = await this.deps.checkin.streakOf(memberId);
    // A streak counts while it is alive: checked in today or yesterday.
    return s && (s.lastDay === today || s.lastDay === addDays(today, -1)) ? s.streak : 0;
  }

  private bonusTickets(row: LotteryRow, levelIndex: number, streak: number): number {
    if (row.bonus === 'streak7') return Math.floor(streak / 7);
    if (row.bonus === 'level') return levelIndex;
    return 0;
  }
}
