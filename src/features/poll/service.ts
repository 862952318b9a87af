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
 *
 * Native polls (Discord): a poll that fits the platform's own polls
 * (poll.ts, nativeFit) is posted as one by a timer job (`poll-post-<id>`,
 * re-armed from the table until the message id is recorded), so members vote
 * the way the platform taught them. Their votes arrive as `pollVote` events
 * naming the message and take the same vote rows (add or take back a choice;
 * a single choice is replaced). A vote the platform cannot refuse (below
 * min_level) is not recorded, and the member is told privately once. The
 * close is the same, and it ends the platform's poll after the commit.
 */
import type { Logger } from 'pino';
import type { AfterCommit, CommandContext, CommunityInfo } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import type { Reply } from '../../core/reply.js';
import { mention } from '../../core/reply.js';
import type { Rng } from '../../core/rng.js';
import { SendError, type NativePolls } from '../../core/sender.js';
import type { Store } from '../../store/db.js';
import { formatLocal } from '../../core/time/when.js';
import { anonymousVoter, nativeFit, resultLines, type NativeFit, type PollDraft } from './poll.js';
import type { PollRepo, PollRow, PollTally } from './repo.js';

export const CLOSE_JOB = 'poll-close';
const closeJobId = (id: number): string => `poll-close-${id}`;
export const POST_JOB = 'poll-post';
const postJobId = (id: number): string => `poll-post-${id}`;

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
  /** The platform's own polls (Discord): posting, and ending those posted. */
  nativePolls?: NativePolls;
  /** New polls that fit go out as the platform's own (config polls.discordNative); false: buttons for new polls, while native ones already posted go on. */
  useNativePolls: boolean;
  /** A unit of work of its own: recording where a native poll went, after the platform answered. */
  unit: Store['unit'];
  communityById: (id: number) => Promise<CommunityInfo | undefined>;
  logger?: Logger;
}

export class PollService {
  constructor(private readonly deps: PollServiceDeps) {}

  async create(ctx: CommandContext, input: CreateInput): Promise<Reply[]> {
    if (input.multi > input.options.length) throw new UserError('poll.multiTooBig', { multi: input.multi, options: input.options.length });
    const endsAt = input.ends?.getTime() ?? null;
    const limits = this.deps.useNativePolls ? await this.deps.nativePolls?.limits(ctx.community.id) : undefined;
    const fit: NativeFit | undefined = limits && nativeFit({ ...input, endsAt }, ctx.now.getTime(), limits);
    const native = fit?.fits === true;
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
          native,
          channelId: native ? (ctx.event.channelId ?? null) : null,
        });
    if (input.ends) {
      const ends = input.ends;
      ctx.afterCommit(() => this.deps.timers.at(closeJobId(id), ends, { kind: CLOSE_JOB, id }));
    }
    if (native) {
      const now = ctx.now;
      ctx.afterCommit(() => this.deps.timers.at(postJobId(id), now, { kind: POST_JOB, id }));
      return [{ text: ctx.t('poll.nativePosted', { id }), ephemeral: true }];
    }
    const announcement = this.announcement(ctx.t, ctx.community.timezone, (await this.deps.repo.get(id)) as PollRow);
    if (!fit || fit.fits || !limits) return [announcement];
    // One short line, to the admin only, on why this one is not a native poll.
    const why = fit.why;
    const reason =
      why === 'multi'
        ? ctx.t('poll.buttons.multi', { multi: input.multi })
        : why === 'answers'
          ? ctx.t('poll.buttons.answers', { max: limits.answers })
          : why === 'answer'
            ? ctx.t('poll.buttons.answer', { max: limits.answer })
            : why === 'question'
              ? ctx.t('poll.buttons.question', { max: limits.question })
              : why === 'duration'
                ? ctx.t('poll.buttons.duration', { days: Math.floor(limits.maxHours / 24) })
                : ctx.t(why === 'anonymous' ? 'poll.buttons.anonymous' : 'poll.buttons.hidden');
    return [announcement, { text: reason, ephemeral: true }];
  }

  /**
   * Post timer: posts the native poll after the job's commit (the platform is
   * called outside any unit of work), then records its message in a unit of
   * its own. A repeated post carries the same ref, so the platform answers it
   * with the first message; a refusal posts the poll with buttons instead.
   */
  async postDue(id: number, job: JobContext): Promise<JobOutcome> {
    const row = await this.deps.repo.get(id);
    if (!row) return 'missing';
    if (!row.native || row.native_message_id !== null || row.status !== 'open') return;
    job.afterCommit(() => this.postNative(row, job.firedAt));
  }

  private async postNative(row: PollRow, now: Date): Promise<void> {
    const native = this.deps.nativePolls;
    const community = await this.deps.communityById(row.community_id);
    if (!community) return;
    const t = await this.deps.translate(row.community_id);
    const limits = native && (await native.limits(row.community_id));
    const fit = limits && nativeFit({ question: row.question, options: optionsOf(row), anonymous: Boolean(row.anonymous), hideResults: Boolean(row.hide_results), multi: row.multi, endsAt: row.ends_at }, now.getTime(), limits);
    let failure: string;
    if (native && fit?.fits) {
      try {
        const posted = await native.post(
          row.community_id,
          row.native_channel_id ?? undefined,
          { text: [t('poll.announceTitle', { id: row.id }), ...this.rules(t, community.timezone, row)].join(' · '), question: row.question, answers: optionsOf(row), multiselect: fit.multiselect, hours: fit.hours },
          String(row.id),
        );
        await this.deps.unit(() => this.deps.repo.setNativeMessage(row.id, posted.channelId, posted.messageId, posted.answerIds));
        return;
      } catch (err) {
        // A transient failure is tried again: the reconciler re-arms the post timer while no message is recorded.
        if (err instanceof SendError && err.transient) throw err;
        failure = err instanceof Error ? err.message : String(err);
      }
    } else failure = 'the platform has no native polls, or the poll no longer fits them';
    this.deps.logger?.warn({ poll: row.id, community: row.community_id, err: failure }, 'native poll refused: posting it with buttons');
    const dropped = await this.deps.unit(async (unit) => {
      if (!(await this.deps.repo.dropNative(row.id))) return;
      const fresh = (await this.deps.repo.get(row.id)) as PollRow;
      await this.deps.outbox.post(row.community_id, this.announcement(t, community.timezone, fresh), { key: `poll-announce-${row.id}`, source: `poll-announce:${row.id}`, at: new Date(row.created_at), afterCommit: unit.afterCommit });
    });
    await dropped.runAfterCommit((err) => this.deps.logger?.warn({ poll: row.id, err }, 'could not hand the poll with buttons to the outbox queue (the reconciler will)'));
  }

  /**
   * A vote with the platform's own poll controls (`pollVote` listener). Nothing
   * to answer (the platform shows the vote), so nothing is refused: a vote
   * that cannot count (closed, unknown answer, below min_level) is not recorded.
   */
  async nativeVote(ctx: CommandContext): Promise<Reply[]> {
    const event = ctx.event;
    if (event.type !== 'pollVote') return [];
    const row = await this.deps.repo.byNativeMessage(event.messageId);
    if (!row || row.community_id !== ctx.community.id || row.status !== 'open' || (row.ends_at !== null && row.ends_at <= ctx.now.getTime())) return [];
    const n = (JSON.parse(row.native_answers_json ?? '[]') as number[]).indexOf(event.answerId) + 1;
    if (n < 1 || n > optionsOf(row).length) return [];
    if (row.min_level > 0 && (await this.deps.levelOf(ctx.member.id)) < row.min_level) {
      if (event.added) await this.tellBelowLevel(ctx, row);
      return [];
    }
    const voter = this.voterOf(row, ctx.member.id);
    // Set operations, so a delivery seen twice changes nothing: add is "chosen", remove is "not chosen".
    if (!event.added) await this.deps.repo.removeVote(row.id, voter, n);
    else {
      // One choice: Discord takes the old one back (remove) and adds the new one, in either order.
      if (row.multi <= 1) await this.deps.repo.clearVoter(row.id, voter);
      await this.deps.repo.addVote(row.id, voter, n, ctx.member.id, ctx.now.getTime());
    }
    return [];
  }

  /** Once per poll and member (the outbox key): privately, or posted with a mention where no direct message can be sent. */
  private async tellBelowLevel(ctx: CommandContext, row: PollRow): Promise<void> {
    const level = row.min_level + 1;
    await this.deps.outbox.post(ctx.community.id, { text: ctx.t('poll.belowLevel', { id: row.id, level }) }, {
      key: `poll-level-${row.id}-${ctx.member.id}`,
      source: `poll-level:${row.id}`,
      at: ctx.now,
      afterCommit: ctx.afterCommit,
      direct: {
        recipient: ctx.member.platformUserId,
        fallback: { text: ctx.t('poll.belowLevelPublic', { mention: mention(ctx.member.platformUserId), id: row.id, level }), mentions: { [ctx.member.platformUserId]: ctx.member.displayName } },
      },
    });
  }

  /** A vote for option `n`: a single choice replaces the previous one; with multi=k it toggles that option, up to k. */
  async vote(ctx: CommandContext, id: number, n: number): Promise<Reply> {
    const row = await this.openPoll(ctx, id);
    // The platform's poll shows its own votes: one cast by command would not appear there.
    if (row.native) throw new UserError('poll.voteNatively', { id });
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
      timers: [
        ...(await this.deps.repo.timedOpen()).map((row) => ({ jobId: closeJobId(row.id), dueAt: new Date(row.ends_at as number), job: { kind: CLOSE_JOB, id: row.id } })),
        ...(await this.deps.repo.unposted()).map((row) => ({ jobId: postJobId(row.id), dueAt: new Date(row.created_at), job: { kind: POST_JOB, id: row.id } })),
      ],
      schedulers: [],
      schedulerPrefixes: [],
    };
  }

  private rules(t: Translate, timezone: string, row: PollRow): string[] {
    const rules = [row.multi > 1 ? t('poll.ruleMulti', { multi: row.multi }) : t('poll.ruleSingle')];
    if (row.anonymous) rules.push(t('poll.ruleAnonymous'));
    if (row.hide_results) rules.push(t('poll.ruleHidden'));
    if (row.min_level > 0) rules.push(t('poll.ruleLevel', { level: row.min_level + 1 }));
    rules.push(row.ends_at === null ? t('poll.ruleNoEnd') : t('poll.ruleEnds', { ends: formatLocal(new Date(row.ends_at), timezone) }));
    return rules;
  }

  private announcement(t: Translate, timezone: string, row: PollRow): Reply {
    const options = optionsOf(row);
    return {
      title: t('poll.announceTitle', { id: row.id }),
      text: [`**${row.question}**`, ...options.map((o, i) => `${i + 1}. ${o}`), this.rules(t, timezone, row).join(' · '), t('poll.howToVote', { id: row.id })].join('\n'),
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
    const { native_channel_id: channelId, native_message_id: messageId } = row;
    const native = this.deps.nativePolls;
    if (native && channelId !== null && messageId !== null) {
      // After the commit: the platform's poll stops taking votes. A failure is logged; the result is posted all the same.
      afterCommit(() =>
        native.end(row.community_id, channelId, messageId).catch((err: unknown) => {
          this.deps.logger?.warn({ poll: row.id, community: row.community_id, err: err instanceof Error ? err.message : String(err) }, 'could not end the native poll');
        }),
      );
    }
    return true;
  }

  private resultReply(t: Translate, row: PollRow, tally: PollTally): Reply {
    return { title: t(row.status === 'open' ? 'poll.resultsTitle' : 'poll.finalTitle', { id: row.id }), text: this.resultsBody(t, row, tally).join('\n') };
  }

  private resultsBody(t: Translate, row: PollRow, tally: PollTally): string[] {
    const lines = [`**${row.question}**`, ...resultLines(optionsOf(row), tally.counts, tally.voters), t('poll.voters', { voters: tally.voters })];
    if (row.multi > 1) lines.push(t('poll.sharesOfVoters'));
    if (row.native && row.min_level > 0) lines.push(t('poll.nativeLevelNote', { level: row.min_level + 1 }));
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
