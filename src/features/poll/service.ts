/**
 * Polls (投票): an admin asks a question with 2 to 25 options; members vote
 * for one option (or up to k with multi=k) and may change their vote until
 * the poll closes, by its timer or an admin. The result is posted through the
 * outbox with counts and text bars.
 *
 * Anonymous polls keep no link from a vote to a member beyond what stops a
 * second vote: the voter is a keyed hash (poll.ts, anonymousVoter) with a
 * salt of the poll's own; vote rows hold no member id and no time. The
 * confirmation a voter gets names neither the option nor the tally, because
 * replies are stored with the sender's id for the dedupe window
 * (inbound_events) and two tallies around one vote would give it away.
 * At the close the tally is frozen, the salt erased and the anonymous vote
 * rows deleted. What remains while a poll is open: someone holding the
 * database file (salt included) could recompute the hashes.
 */
import type { AfterCommit, CommandContext } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import type { Rng } from '../../core/rng.js';
import { formatLocal } from '../../core/time/when.js';
import { anonymousVoter, resultLines, type PollDraft } from './poll.js';
import type { PollRepo, PollRow, PollTally } from './repo.js';

export const CLOSE_JOB = 'poll-close';
const closeJobId = (id: number): string => `poll-close-${id}`;

export interface CreateInput extends PollDraft {
  /** Checked by the registry: ahead of the command's time. */
  ends: Date | undefined;
  multi: number;
  /** 0-based level index a member needs to vote. */
  minLevel: number;
}

/** What a PollService needs, by name (built by the feature's assembly function in index.ts). */
export interface PollServiceDeps {
  repo: PollRepo;
  outbox: Outbox;
  timers: Timers;
  rng: Rng;
  /** A community's translator, for the result posted by the timer. */
  translate: (communityId: number) => Promise<Translate>;
  /** A member's 0-based level index (points feature). */
  levelOf: (memberId: number) => Promise<number>;
}

export class PollService {
  constructor(private readonly deps: PollServiceDeps) {}

  async create(ctx: CommandContext, input: CreateInput): Promise<Reply> {
    if (input.multi > input.options.length) throw new UserError('poll.multiTooBig', { multi: input.multi, options: input.options.length });
    const endsAt = input.ends?.getTime() ?? null;
    const id = await this.deps.repo.insert({
          communityId: ctx.community.id,
          question: input.question,
          options: input.options,
          multi: input.multi,
          anonymous: input.anonymous,
          hideResults: input.hideResults,
          minLevel: input.minLevel,
          endsAt,
          salt: input.anonymous ? this.deps.rng.hex(32) : null,
          createdBy: ctx.member.id,
          at: ctx.now.getTime(),
        });
    if (input.ends) {
      const ends = input.ends;
      ctx.afterCommit(() => this.deps.timers.at(closeJobId(id), ends, { kind: CLOSE_JOB, id }));
    }
    return this.announcement(ctx, (await this.deps.repo.get(id)) as PollRow);
  }

  /** A vote for option `n`: a single choice replaces the previous one; with multi=k it toggles that option, up to k. */
  async vote(ctx: CommandContext, id: number, n: number): Promise<Reply> {
    const row = await this.openPoll(ctx, id);
    const options = optionsOf(row);
    if (n < 1 || n > options.length) throw new UserError('poll.badOption', { id, max: options.length, n });
    if (row.min_level > 0 && (await this.deps.levelOf(ctx.member.id)) < row.min_level) throw new UserError('poll.needLevel', { id, level: row.min_level + 1 });
    const voter = this.voterOf(row, ctx.member.id);
    const before = await this.deps.repo.choices(id, voter);
    const memberId = row.anonymous ? null : ctx.member.id;
    const at = row.anonymous ? null : ctx.now.getTime();
    let key: 'poll.voted' | 'poll.changed' | 'poll.unvoted';
    if (row.multi <= 1) {
      if (before.length === 1 && before[0] === n) throw row.anonymous ? new UserError('poll.sameVoteAnonymous', { id }) : new UserError('poll.sameVote', { id, n });
      await this.deps.repo.clearVoter(id, voter);
      await this.deps.repo.addVote(id, voter, n, memberId, at);
      key = before.length > 0 ? 'poll.changed' : 'poll.voted';
    } else if (before.includes(n)) {
      await this.deps.repo.removeVote(id, voter, n);
      key = 'poll.unvoted';
    } else {
      if (before.length >= row.multi) throw new UserError('poll.multiFull', { id, multi: row.multi });
      await this.deps.repo.addVote(id, voter, n, memberId, at);
      key = before.length > 0 ? 'poll.changed' : 'poll.voted';
    }
    const chosen = await this.deps.repo.choices(id, voter);
    const lines = [
      row.anonymous
        ? ctx.t('poll.votedAnonymous', { id, chosen: chosen.length, multi: row.multi })
        : ctx.t(key, { id, n, option: options[n - 1] ?? '', chosen: chosen.map((c) => `${c}. ${options[c - 1] ?? ''}`).join('、') || '—' }),
    ];
    if (row.multi > 1 && !row.anonymous) lines.push(ctx.t('poll.multiLeft', { chosen: chosen.length, multi: row.multi }));
    // An anonymous vote's reply carries no tally either: replies are kept with the voter for the dedupe
    // window, and two tallies around one vote would say what it was. `/poll results` shows it.
    if (row.hide_results) lines.push(ctx.t('poll.hiddenUntilClose'));
    else if (row.anonymous) lines.push(ctx.t('poll.seeResults', { id }));
    else lines.push('', ...this.resultsBody(ctx.t, row, await this.deps.repo.tally(id, options.length)));
    return { text: lines.join('\n'), ephemeral: true };
  }

  /** `/poll results`: admins anytime; members once closed, or after voting unless the results are hidden. */
  async results(ctx: CommandContext, id: number): Promise<Reply> {
    const row = await this.pollOf(ctx, id);
    if (row.status === 'open' && !ctx.isAdmin) {
      if (row.hide_results) throw new UserError('poll.resultsHidden', { id });
      if ((await this.deps.repo.choices(id, this.voterOf(row, ctx.member.id))).length === 0) throw new UserError('poll.voteFirst', { id });
    }
    return { ...this.resultReply(ctx.t, row, await this.tallyOf(row)), ephemeral: row.status === 'open' };
  }

  /** Close early (admin), inside the command's transaction; the result is posted. */
  async closeNow(ctx: CommandContext, id: number): Promise<Reply> {
    const row = await this.pollOf(ctx, id);
    if (!(await this.closeInTransaction(row, ctx.now, ctx.t, ctx.afterCommit))) throw new UserError('poll.closed', { id });
    if (row.ends_at !== null) ctx.afterCommit(() => this.deps.timers.cancel(closeJobId(id)).catch(() => undefined));
    return { text: ctx.t('poll.closedByAdmin', { id }), ephemeral: true };
  }

  /** Timer job. A run before the end time (another process's clock) does nothing; the reconciler re-arms it. */
  async closeDue(id: number, job: JobContext): Promise<JobOutcome> {
    const row = await this.deps.repo.get(id);
    if (!row) return 'missing';
    if (row.status !== 'open' || row.ends_at === null || row.ends_at > job.firedAt.getTime()) return;
    await this.closeInTransaction(row, job.firedAt, await this.deps.translate(row.community_id), job.afterCommit);
  }

  async list(ctx: CommandContext): Promise<Reply> {
    const rows = await this.deps.repo.listOpen(ctx.community.id);
    if (rows.length === 0) return { text: ctx.t('poll.none'), ephemeral: true };
    const lines = rows.map((row) =>
      row.ends_at === null
        ? ctx.t('poll.rowOpen', { id: row.id, question: row.question })
        : ctx.t('poll.rowTimed', { id: row.id, question: row.question, ends: formatLocal(new Date(row.ends_at), ctx.community.timezone) }),
    );
    return { title: ctx.t('poll.listTitle'), text: lines.join('\n'), ephemeral: true };
  }

  async desired(): Promise<DesiredTimers> {
    return {
      timers: (await this.deps.repo.timedOpen()).map((row) => ({ jobId: closeJobId(row.id), dueAt: new Date(row.ends_at as number), job: { kind: CLOSE_JOB, id: row.id } })),
      schedulers: [],
      schedulerPrefixes: [],
    };
  }

  private announcement(ctx: CommandContext, row: PollRow): Reply {
    const options = optionsOf(row);
    const rules = [row.multi > 1 ? ctx.t('poll.ruleMulti', { multi: row.multi }) : ctx.t('poll.ruleSingle')];
    if (row.anonymous) rules.push(ctx.t('poll.ruleAnonymous'));
    if (row.hide_results) rules.push(ctx.t('poll.ruleHidden'));
    if (row.min_level > 0) rules.push(ctx.t('poll.ruleLevel', { level: row.min_level + 1 }));
    rules.push(row.ends_at === null ? ctx.t('poll.ruleNoEnd') : ctx.t('poll.ruleEnds', { ends: formatLocal(new Date(row.ends_at), ctx.community.timezone) }));
    return {
      title: ctx.t('poll.announceTitle', { id: row.id }),
      text: [`**${row.question}**`, ...options.map((o, i) => `${i + 1}. ${o}`), rules.join(' · '), ctx.t('poll.howToVote', { id: row.id })].join('\n'),
      actions: options.map((o, i) => ({ label: `${i + 1}. ${o}`, command: `poll vote ${row.id} ${i + 1}`, style: 'secondary' as const })),
      actionsExplained: true,
    };
  }

  private async closeInTransaction(row: PollRow, now: Date, t: Translate, afterCommit: (fn: AfterCommit) => void): Promise<boolean> {
    const tally = await this.deps.repo.tally(row.id, optionsOf(row).length);
    if (!(await this.deps.repo.close(row.id, tally, now.getTime()))) return false;
    if (row.anonymous) await this.deps.repo.clearPoll(row.id);
    const closed = { ...row, status: 'closed' as const };
    await this.deps.outbox.post(row.community_id, this.resultReply(t, closed, tally), { key: `poll-result-${row.id}`, source: `poll:${row.id}`, at: now, afterCommit });
    return true;
  }

  private resultReply(t: Translate, row: PollRow, tally: PollTally): Reply {
    return { title: t(row.status === 'open' ? 'poll.resultsTitle' : 'poll.finalTitle', { id: row.id }), text: this.resultsBody(t, row, tally).join('\n') };
  }

  private resultsBody(t: Translate, row: PollRow, tally: PollTally): string[] {
    const lines = [`**${row.question}**`, ...resultLines(optionsOf(row), tally.counts, tally.voters), t('poll.voters', { voters: tally.voters })];
    if (row.multi > 1) lines.push(t('poll.sharesOfVoters'));
    return lines;
  }

  private async tallyOf(row: PollRow): Promise<PollTally> {
    return row.results_json ? (JSON.parse(row.results_json) as PollTally) : await this.deps.repo.tally(row.id, optionsOf(row).length);
  }

  private voterOf(row: PollRow, memberId: number): string {
    if (!row.anonymous) return `member:${memberId}`;
    if (!row.salt) throw new UserError('poll.closed', { id: row.id });
    return anonymousVoter(row.salt, row.id, memberId);
  }

  private async pollOf(ctx: CommandContext, id: number): Promise<PollRow> {
    const row = await this.deps.repo.get(id);
    if (!row || row.community_id !== ctx.community.id) throw new UserError('poll.notFound', { id });
    return row;
  }

  private async openPoll(ctx: CommandContext, id: number): Promise<PollRow> {
    const row = await this.pollOf(ctx, id);
    if (row.status !== 'open' || (row.ends_at !== null && row.ends_at <= ctx.now.getTime())) throw new UserError('poll.closed', { id });
    return row;
  }
}

function optionsOf(row: PollRow): string[] {
  return JSON.parse(row.options_json) as string[];
}
