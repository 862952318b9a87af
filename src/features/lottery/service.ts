/**
 * Lotteries (抽奖): create, join (eligibility and cost in the command's one
 * transaction), draw at the end time by a timer, reroll, cancel with
 * refunds, and verify. The draw depends only on the seed committed at
 * creation and the frozen entry list (see draw.ts), so anyone can re-run it.
 */
import type { AfterCommit, CommandContext } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import type { Rng } from '../../core/rng.js';
import { addDays } from '../../core/community-day.js';
import type { CheckinService } from '../checkin/service.js';
import type { PointsService } from '../points/service.js';
import { formatLocal } from '../../core/time/when.js';
import { ALGORITHM_VERSION, commitment, drawWinners, entriesHash, verifyDraw, type DrawEntry } from './draw.js';
import type { EntryRow, LotteryRepo, LotteryRow } from './repo.js';

export const DRAW_JOB = 'lottery-draw';
const drawJobId = (id: number): string => `lottery-draw-${id}`;

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
}

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
}

interface Frozen {
  entries: DrawEntry[];
  excluded: string[];
}

interface Rounds {
  rounds: string[][];
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
  /** A community's translator, for posts made outside a command (the draw). */
  translate: (communityId: number) => Promise<Translate>;
}

export class LotteryService {
  constructor(private readonly deps: LotteryServiceDeps) {}

  /** The most winners a lottery may have (`lottery.maxWinners`): the `winners=` range members are told. */
  get maxWinners(): number {
    return this.deps.rules.maxWinners;
  }

  async create(ctx: CommandContext, input: CreateInput): Promise<LotteryRow> {
    if (input.winners > this.deps.rules.maxWinners) throw new UserError('lottery.tooManyWinners', { max: this.deps.rules.maxWinners });
    const seedHex = this.deps.rng.hex(32);
    const id = await this.deps.repo.insert({
          communityId: ctx.community.id,
          prize: input.prize,
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
        });
    ctx.afterCommit(() => this.deps.timers.at(drawJobId(id), input.ends, { kind: DRAW_JOB, id }));
    return (await this.deps.repo.get(id)) as LotteryRow;
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

  async reroll(ctx: CommandContext, id: number, count: number): Promise<Reply> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id) throw new UserError('lottery.notFound', { id });
    if (row.status !== 'announced' || !row.entries_json || !row.winners_json) throw new UserError('lottery.notDrawn', { id });
    const frozen = JSON.parse(row.entries_json) as Frozen;
    const rounds = JSON.parse(row.winners_json) as Rounds;
    const round = row.rerolls + 1;
    const exclude = [...frozen.excluded, ...rounds.rounds.flat()];
    const picked = drawWinners({ seedHex: row.seed_hex, entries: frozen.entries, winners: count, round, exclude });
    if (picked.length === 0) throw new UserError('lottery.noneLeft', { id });
    rounds.rounds.push(picked);
    await this.deps.repo.saveReroll(id, JSON.stringify(rounds), round);
    const reply = await this.resultReply(row, picked, ctx.t, { reroll: round });
    await this.deps.outbox.post(row.community_id, reply, { key: `lottery-reroll-${id}-${round}`, source: `lottery:${id}`, at: ctx.now, afterCommit: ctx.afterCommit });
    return { text: ctx.t('lottery.rerollDone', { id, round }), ephemeral: true };
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
        rules.length ? ctx.t('lottery.rules', { rules: rules.join('；') }) : ctx.t('lottery.noRules'),
        ctx.t('lottery.howToJoin', { id: row.id }),
        ctx.t('lottery.commitment', { commitment: row.commitment }),
      ].join('\n'),
      actions: [{ label: ctx.t('lottery.joinButton'), command: `lottery join ${row.id}`, style: 'primary' }],
      actionsExplained: true,
    };
  }

  async desired(): Promise<DesiredTimers> {
    return {
      timers: (await this.deps.repo.allOpen()).map((row) => ({ jobId: drawJobId(row.id), dueAt: new Date(row.ends_at), job: { kind: DRAW_JOB, id: row.id } })),
      schedulers: [],
      schedulerPrefixes: [],
    };
  }

  private async drawInTransaction(row: LotteryRow, now: Date, t: Translate, afterCommit: (fn: AfterCommit) => void): Promise<Reply | undefined> {
    if (!(await this.deps.repo.moveStatus(row.id, 'open', 'drawing'))) return undefined;
    const all = await this.deps.repo.entries(row.id);
    // Members who left before the draw are excluded, and recorded as such.
    const excluded = all.filter((e) => e.left_at !== null).map((e) => String(e.member_id));
    const entries: DrawEntry[] = all.filter((e) => e.left_at === null).map((e) => ({ id: String(e.member_id), weight: e.tickets }));
    const winners = drawWinners({ seedHex: row.seed_hex, entries, winners: row.winners });
    await this.deps.repo.saveResult(row.id, entriesHash(entries), JSON.stringify({ entries, excluded } satisfies Frozen), JSON.stringify({ rounds: [winners] } satisfies Rounds), now.getTime());
    await this.deps.repo.moveStatus(row.id, 'drawing', 'announced');
    const reply = await this.resultReply(row, winners, t, { entrants: entries.length, excluded: excluded.length, byId: new Map(all.map((e) => [String(e.member_id), e])) });
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
