/**
 * Quiz sessions: an admin starts a quiz from a bank; questions are posted one
 * at a time through the outbox; each closes by its timer (`quiz-<session>-<n>`)
 * or, in `first` mode, at the first correct answer. Status moves by
 * compare-and-set (round pending → open → closed, session running →
 * finished | stopped), so a close that runs twice posts once. Points go
 * through the ledger with the key `quiz:<session>:<n>:<member>`.
 */
import type { Logger } from 'pino';
import type { AfterCommit, CommandContext } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import { I18n, type Locale, type Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import type { Reply, ReplyAction } from '../../core/reply.js';
import type { Rng } from '../../core/rng.js';
import { levelUpLine } from '../points/level-up.js';
import type { PointsService } from '../points/service.js';
import type { QuizBank, QuizQuestion } from './bank.js';
import type { LoadedBanks } from './banks.js';
import { quizMessages } from './messages.js';
import { cronError, firesBetween, minIntervalSeconds, parseCron, upcoming } from '../../core/time/cron.js';
import { formatLocal } from '../../core/time/when.js';
import { CHOICE_LABELS, matchAnswer, normalizeAnswer, parseChoiceLetter, parseNumber } from './normalize.js';
import type { QuizMode, QuizRepo, RoundRow, ScheduleRow, SessionRow } from './repo.js';
import type { Firing } from '../schedule/calendar.js';
import { dueReminder, formatReminders, nextReminders, parseReminders, storedReminders, type RemindOffset } from '../../core/reminders.js';

export interface QuizRules {
  defaults: { bank: string; questions: number; seconds: number | null; mode: QuizMode };
  minSeconds: number;
  maxSeconds: number;
  maxQuestions: number;
  /** Shuffle the bank's questions (false: bank order). */
  shuffle: boolean;
  /** `all` mode: up to this share (0–1) of a question's points is added for answering fast. */
  speedBonus: number;
}

export interface StartOptions {
  bank?: string;
  questions?: number;
  seconds?: number;
  mode?: QuizMode;
}

export const CLOSE_JOB = 'quiz-close';
export const SCHEDULED_JOB = 'quiz-scheduled';
/** Warm-up reminders before a scheduled quiz's openings (`remind=1d,1h`): one timer per schedule, opening and offset. */
export const REMIND_JOB = 'quiz-remind';
const remindJobId = (id: number, opening: number, offsetMs: number): string => `quiz-remind-${id}-${opening}-${offsetMs}`;
const quizSchedulerId = (id: number): string => `quiz-schedule-${id}`;
/** Scheduled quizzes may not start more often than this. */
const MIN_SCHEDULE_INTERVAL_SECONDS = 600;

interface StartPlace {
  communityId: number;
  locale: Locale;
  startedBy: number | null;
  now: Date;
  afterCommit: (fn: AfterCommit) => void;
}
export const closeJobId = (sessionId: number, n: number): string => `quiz-${sessionId}-${n}`;

/** What a round keeps of its bank question. */
type StoredQuestion = Pick<QuizQuestion, 'id' | 'question' | 'answers' | 'numeric' | 'points'> & { choices?: string[]; correctChoice?: number };

const MAX_LISTED_ERRORS = 5;

/** What a QuizService needs, by name (built by the feature's assembly function in index.ts). */
export interface QuizServiceDeps {
  repo: QuizRepo;
  outbox: Outbox;
  timers: Timers;
  points: PointsService;
  rng: Rng;
  /** The banks loaded from config/quiz. */
  loaded: LoadedBanks;
  rules: QuizRules;
  /** A community's language, for quizzes started by a schedule (no command context). */
  communityLocale: (communityId: number) => Promise<Locale>;
  /**
   * The content calendar (schedule feature): a scheduled quiz's openings count
   * toward the daily cap of posts the bot makes on its own. Absent: no cap.
   */
  calendar?: {
    check(ctx: CommandContext, added: Date[]): Promise<void>;
    dayIsFull(communityId: number, timezone: string, now: Date): Promise<boolean>;
  };
  logger?: Logger;
}

export class QuizService {
  /** Posts go out in the session's locale, outside any command context. */
  private readonly i18n = new I18n();

  constructor(private readonly deps: QuizServiceDeps) {
    this.i18n.add(quizMessages);
  }

  bankList(): Array<{ key: string; bank: QuizBank }> {
    return [...this.deps.loaded.banks].map(([key, bank]) => ({ key, bank }));
  }

  bankErrors(): readonly string[] {
    return this.deps.loaded.errors;
  }

  start(ctx: CommandContext, opts: StartOptions): Promise<{ sessionId: number; count: number; bank: string }> {
    return this.startIn({ communityId: ctx.community.id, locale: ctx.locale, startedBy: ctx.member.id, now: ctx.now, afterCommit: ctx.afterCommit }, opts);
  }

  /** `/quiz schedule`: a recurring quiz on a BullMQ job scheduler, cron in the community's timezone. */
  async schedule(ctx: CommandContext, pattern: string, opts: StartOptions, remind?: string): Promise<{ id: number; next: Date }> {
    this.validate(opts);
    const parsed = parseCron(pattern, ctx.community.timezone);
    if (!parsed.ok) throw cronError(parsed.error);
    const interval = minIntervalSeconds(parsed.cron, ctx.now);
    if (interval < MIN_SCHEDULE_INTERVAL_SECONDS) throw new UserError('quiz.cronTooOften', { minutes: MIN_SCHEDULE_INTERVAL_SECONDS / 60 });
    // A reminder must fall after the opening before the one it announces.
    const offsets = remind === undefined ? [] : this.reminders(remind, interval * 1000);
    const openings = upcoming(parsed.cron.expression, ctx.community.timezone, ctx.now);
    const reminderTimes = openings.flatMap((at) => offsets.map((o) => new Date(at.getTime() - o.ms))).filter((at) => at.getTime() > ctx.now.getTime());
    // The calendar counts the openings and the reminders (posts the bot makes on its own).
    await this.deps.calendar?.check(ctx, [...openings, ...reminderTimes]);
    const id = await this.deps.repo.insertSchedule({ communityId: ctx.community.id, cron: parsed.cron.expression, timezone: ctx.community.timezone, options: opts, remind: offsets.length > 0 ? formatReminders(offsets) : null, createdBy: ctx.member.id, at: ctx.now.getTime() });
    ctx.afterCommit(async () => {
      await this.deps.timers.every(quizSchedulerId(id), parsed.cron.expression, ctx.community.timezone, { kind: SCHEDULED_JOB, id });
      for (const r of nextReminders(offsets, openings, ctx.now.getTime())) await this.deps.timers.at(remindJobId(id, r.opening, r.offset.ms), new Date(r.at), { kind: REMIND_JOB, id });
    });
    return { id, next: parsed.cron.next(ctx.now) };
  }

  /** `remind=` read strictly (the shared reader, core/reminders.ts); a refusal says what is wrong. */
  private reminders(raw: string, lead: number): RemindOffset[] {
    const parsed = parseReminders(raw, lead);
    if (parsed.ok) return parsed.offsets;
    switch (parsed.error) {
      case 'format':
        throw new UserError('quiz.remindFormat', { part: parsed.part });
      case 'tooMany':
        throw new UserError('quiz.remindTooMany', { max: parsed.max });
      case 'duplicate':
        throw new UserError('quiz.remindDuplicate', { part: parsed.part });
      case 'tooLate':
        throw new UserError('quiz.remindTooLate', { part: parsed.part });
    }
  }

  /** The reminder timers a schedule needs from `now`: for each offset, the next opening's (the one due now included, so a late run posts it). */
  private reminderTimers(row: ScheduleRow, now: Date): DesiredTimers['timers'] {
    const offsets = storedReminders(row.remind);
    if (offsets.length === 0) return [];
    const openings = upcoming(row.cron, row.timezone, new Date(now.getTime() - 60_000));
    return nextReminders(offsets, openings, now.getTime() - 60_000).map((r) => ({ jobId: remindJobId(row.id, r.opening, r.offset.ms), dueAt: new Date(r.at), job: { kind: REMIND_JOB, id: row.id } }));
  }

  /**
   * Timer job: a warm-up reminder before a scheduled quiz's next opening.
   * Posts the latest reminder whose time has come (once per opening and
   * offset: the outbox key), none when the schedule was removed or the
   * community day is at its cap of posts; then arms the next ones.
   */
  async fireReminder(id: number, job: JobContext): Promise<JobOutcome> {
    const row = await this.deps.repo.schedule(id);
    if (!row) return 'missing';
    if (row.status !== 'active') return;
    const now = job.firedAt;
    const parsed = parseCron(row.cron, row.timezone);
    if (!parsed.ok) return;
    const opening = parsed.cron.next(now).getTime();
    const offsets = storedReminders(row.remind);
    const due = dueReminder(offsets, opening, now.getTime(), null);
    const next = this.reminderTimers(row, new Date(now.getTime() + 60_001));
    job.afterCommit(async () => {
      for (const t of next) await this.deps.timers.at(t.jobId, t.dueAt, t.job);
    });
    if (!due) return;
    if (await this.deps.calendar?.dayIsFull(row.community_id, row.timezone, now)) {
      this.deps.logger?.warn({ schedule: id, community: row.community_id, offset: `${due.n}${due.unit}` }, 'quiz reminder skipped: the community day is at its daily cap of posts');
      return;
    }
    const t = this.i18n.translator(await this.deps.communityLocale(row.community_id));
    const text = t('quiz.remindPost', { bank: this.scheduleName(row), left: t(`quiz.left.${due.unit}`, { n: due.n }) });
    await this.deps.outbox.post(row.community_id, { text }, { key: `quiz-remind-${id}-${opening}-${due.ms}`, source: `quiz-remind:${id}`, at: now, afterCommit: job.afterCommit });
  }

  async schedules(ctx: CommandContext): Promise<Reply> {
    const rows = await this.deps.repo.schedulesOf(ctx.community.id);
    if (rows.length === 0) return { text: ctx.t('quiz.noSchedules'), ephemeral: true };
    const lines = rows.map((row) => {
      const opts = JSON.parse(row.options_json) as StartOptions;
      const parsed = parseCron(row.cron, row.timezone);
      const next = parsed.ok ? formatLocal(parsed.cron.next(ctx.now), row.timezone) : '—';
      return ctx.t('quiz.scheduleRow', { id: row.id, cron: row.cron, bank: opts.bank ?? this.deps.rules.defaults.bank, next });
    });
    return { text: lines.join('\n'), ephemeral: true };
  }

  async unschedule(ctx: CommandContext, id: number): Promise<void> {
    const row = await this.deps.repo.schedule(id);
    if (!row || row.community_id !== ctx.community.id || !(await this.deps.repo.removeSchedule(id))) throw new UserError('quiz.scheduleNotFound', { id });
    const reminders = this.reminderTimers(row, ctx.now);
    ctx.afterCommit(async () => {
      await this.deps.timers.stopEvery(quizSchedulerId(id));
      // Their job would find the schedule removed anyway.
      for (const t of reminders) await this.deps.timers.cancel(t.jobId).catch(() => undefined);
    });
  }

  /** The calendar's view of this community's scheduled quizzes: openings made in [from, to), and from `now` on the planned ones. */
  async calendarFirings(communityId: number, from: Date, to: Date, now: Date): Promise<Firing[]> {
    const schedules = await this.deps.repo.schedulesOf(communityId);
    const names = new Map(schedules.map((row) => [row.id, this.scheduleName(row)]));
    const out: Firing[] = (await this.deps.repo.openingsBetween(communityId, from.getTime(), to.getTime())).map((r) => ({
      at: new Date(r.fired_at),
      promo: false,
      postId: null,
      text: names.get(r.schedule_id) ?? '',
      quizScheduleId: r.schedule_id,
    }));
    for (const d of await this.deps.repo.remindersPosted(communityId, from.getTime(), to.getTime())) {
      const scheduleId = Number(d.source.slice('quiz-remind:'.length));
      out.push({ at: new Date(d.created_at), promo: false, postId: null, text: names.get(scheduleId) ?? '', quizScheduleId: scheduleId });
    }
    const later = new Date(Math.max(from.getTime(), now.getTime() + 1));
    for (const row of schedules) {
      const name = names.get(row.id) ?? '';
      const openings = firesBetween(row.cron, row.timezone, later, new Date(to.getTime() + 31 * 86_400_000));
      for (const at of openings) if (at.getTime() < to.getTime()) out.push({ at, promo: false, postId: null, text: name, quizScheduleId: row.id });
      // Planned warm-up reminders in the window (a reminder may fall in it for an opening after it).
      for (const o of storedReminders(row.remind)) {
        for (const at of openings) {
          const remindAt = at.getTime() - o.ms;
          if (remindAt >= later.getTime() && remindAt < to.getTime()) out.push({ at: new Date(remindAt), promo: false, postId: null, text: name, quizScheduleId: row.id });
        }
      }
    }
    return out;
  }

  private scheduleName(row: ScheduleRow): string {
    const opts = JSON.parse(row.options_json) as StartOptions;
    const key = opts.bank ?? this.deps.rules.defaults.bank;
    return this.deps.loaded.banks.get(key)?.name ?? key;
  }

  /** Scheduler tick: start the quiz unless one is already running there. A repeated tick starts nothing. */
  async fireScheduled(id: number, job: JobContext): Promise<JobOutcome> {
    const now = job.firedAt;
    const row = await this.deps.repo.schedule(id);
    if (!row) return 'missing';
    if (!row || row.status !== 'active' || !(await this.deps.repo.recordRun(id, job.runKey, now.getTime()))) return;
    if (await this.deps.repo.running(row.community_id)) return;
    if (await this.deps.calendar?.dayIsFull(row.community_id, row.timezone, now)) {
      this.deps.logger?.warn({ schedule: id, community: row.community_id }, 'scheduled quiz skipped: the community day is at its daily cap of posts');
      return;
    }
    const opts = JSON.parse(row.options_json) as StartOptions;
    try {
      const started = await this.startIn({ communityId: row.community_id, locale: await this.deps.communityLocale(row.community_id), startedBy: null, now, afterCommit: job.afterCommit }, opts);
      await this.deps.repo.setRunSession(id, job.runKey, started.sessionId);
    } catch (err) {
      // The bank may have been removed since; the tick is recorded and skipped.
      if (!(err instanceof UserError)) throw err;
    }
  }

  private validate(opts: StartOptions): { key: string; bank: QuizBank; seconds: number | undefined; wanted: number; mode: QuizMode } {
    const [key, bank] = this.findBank(opts.bank ?? this.deps.rules.defaults.bank);
    const seconds = opts.seconds ?? this.deps.rules.defaults.seconds ?? undefined;
    if (seconds !== undefined && (seconds < this.deps.rules.minSeconds || seconds > this.deps.rules.maxSeconds)) {
      throw new UserError('quiz.badSeconds', { value: seconds, min: this.deps.rules.minSeconds, max: this.deps.rules.maxSeconds });
    }
    const wanted = opts.questions ?? this.deps.rules.defaults.questions;
    if (wanted < 1 || wanted > this.deps.rules.maxQuestions) throw new UserError('quiz.badQuestions', { value: wanted, max: this.deps.rules.maxQuestions });
    return { key, bank, seconds, wanted, mode: opts.mode ?? this.deps.rules.defaults.mode };
  }

  private async startIn(place: StartPlace, opts: StartOptions): Promise<{ sessionId: number; count: number; bank: string }> {
    const running = await this.deps.repo.running(place.communityId);
    if (running) throw new UserError('quiz.alreadyRunning', { id: running.id });
    const { key, bank, seconds, wanted, mode } = this.validate(opts);
    const picked = (this.deps.rules.shuffle ? this.shuffle(bank.questions) : bank.questions).slice(0, wanted);
    const sessionId = await this.deps.repo.insertSession({ communityId: place.communityId, bank: key, bankName: bank.name, mode, locale: place.locale, count: picked.length, startedBy: place.startedBy, at: place.now.getTime() });
    picked.forEach((q, i) => this.deps.repo.insertRound(sessionId, i + 1, q.id, JSON.stringify(stored(q)), Math.max(this.deps.rules.minSeconds, seconds ?? q.seconds)));
    const session = (await this.deps.repo.session(sessionId)) as SessionRow;
    const t = this.translator(session);
    const header = t('quiz.started', { id: sessionId, bank: bank.name, count: picked.length, mode: t(`quiz.mode.${mode}`) });
    await this.openNext(session, 1, header, place.now, place.afterCommit);
    return { sessionId, count: picked.length, bank: bank.name };
  }

  async stop(ctx: CommandContext): Promise<number> {
    const session = await this.deps.repo.running(ctx.community.id);
    if (!session) throw new UserError('quiz.notRunning');
    const open = await this.deps.repo.openRound(session.id);
    const at = ctx.now.getTime();
    if (!(await this.deps.repo.endSession(session.id, 'stopped', at))) throw new UserError('quiz.notRunning');
    await this.deps.repo.closeRemaining(session.id, at);
    const t = this.translator(session);
    const parts = [t('quiz.stopped', { id: session.id })];
    if (open) parts.push(await this.reveal(t, session, open));
    parts.push(await this.scoreboard(t, session));
    await this.post(session, parts.join('\n\n'), undefined, 'end', ctx.now, ctx.afterCommit);
    if (open) ctx.afterCommit(() => this.deps.timers.cancel(closeJobId(session.id, open.n)));
    return session.id;
  }

  /** The open question again (for latecomers), or a hint to start one. */
  async status(ctx: CommandContext): Promise<Reply> {
    const session = await this.deps.repo.running(ctx.community.id);
    const round = session ? (await this.deps.repo.openRound(session.id)) : undefined;
    if (!session || !round) return { text: ctx.t('quiz.none'), ephemeral: true };
    const left = Math.max(0, Math.ceil(((round.due_at ?? 0) - ctx.now.getTime()) / 1000));
    return { ...this.questionReply(ctx.t, session, round), text: `${this.questionText(ctx.t, session, round)}\n${ctx.t('quiz.secondsLeft', { seconds: left })}` };
  }

  /** `/quiz answer <session> <n> <text>`: an explicit answer, always recorded when the question is open. */
  async answer(ctx: CommandContext, sessionId: number, n: number, text: string): Promise<Reply> {
    const session = await this.deps.repo.session(sessionId);
    if (!session || session.community_id !== ctx.community.id) throw new UserError('quiz.noSuchQuestion', { id: sessionId, n });
    const round = await this.deps.repo.roundByN(sessionId, n);
    if (!round) throw new UserError('quiz.noSuchQuestion', { id: sessionId, n });
    if (round.status === 'pending') throw new UserError('quiz.notOpenYet', { n });
    if (round.status === 'closed' || session.status !== 'running') throw new UserError('quiz.closed', { n });
    return (await this.record(ctx, session, round, text, true)) as Reply;
  }

  /** Free chat while a question is open: record what reads as an answer; ignore the rest. */
  async onMessage(ctx: CommandContext): Promise<Reply[] | void> {
    const event = ctx.event;
    if (event.type !== 'message' || !event.addressed) return;
    const round = await this.deps.repo.openRoundInCommunity(ctx.community.id);
    if (!round) return;
    const session = (await this.deps.repo.session(round.session_id)) as SessionRow;
    const reply = await this.record(ctx, session, round, event.text, false);
    return reply ? [reply] : undefined;
  }

  /** Timer job: question `roundId` is due. Closes once however often it runs. */
  async fireClose(roundId: number, job: JobContext): Promise<JobOutcome> {
    const now = job.firedAt;
    const round = await this.deps.repo.round(roundId);
    if (!round) return 'missing';
    if (!round || round.status !== 'open') return;
    await this.close(round, now, job.afterCommit);
  }

  async desired(now?: Date): Promise<DesiredTimers> {
    const timers = (await this.deps.repo.allOpen()).flatMap((r) =>
      r.due_at === null ? [] : [{ jobId: closeJobId(r.session_id, r.n), dueAt: new Date(r.due_at), job: { kind: CLOSE_JOB, id: r.id } }],
    );
    const active = await this.deps.repo.activeSchedules();
    const schedulers = active.map((row) => ({ id: quizSchedulerId(row.id), pattern: row.cron, timezone: row.timezone, job: { kind: SCHEDULED_JOB, id: row.id } }));
    // Warm-up reminders: the next one per offset of each active schedule (re-armed after a restart or a lost timer).
    if (now) timers.push(...active.flatMap((row) => this.reminderTimers(row, now)));
    return { timers, schedulers, schedulerPrefixes: ['quiz-schedule-'] };
  }

  // ---------------------------------------------------------------------------

  private findBank(name: string): [string, QuizBank] {
    const wanted = normalizeAnswer(name);
    for (const [key, bank] of this.deps.loaded.banks) {
      if (key === name || normalizeAnswer(key) === wanted || normalizeAnswer(bank.name) === wanted) return [key, bank];
    }
    throw new UserError('quiz.unknownBank', { bank: name, banks: [...this.deps.loaded.banks.keys()].join(', ') || '—' });
  }

  private shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.deps.rng.int(0, i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  private translator(session: SessionRow): Translate {
    return this.i18n.translator(session.locale as Locale);
  }

  /**
   * Record one answer. `explicit`: given through `/quiz answer`; otherwise
   * text addressed to the bot while the question is open. For a question
   * with choices, only a letter or a choice's text is an answer (returns
   * undefined for other chat); for a question without choices, whatever
   * the member says to the bot is their answer, so a wrong one is told so.
   */
  private async record(ctx: CommandContext, session: SessionRow, round: RoundRow, text: string, explicit: boolean): Promise<Reply | undefined> {
    const q = question(round);
    const correct = matchAnswer(text, spec(q));
    if (!explicit && !correct && q.choices && !looksLikeAnswer(text, q)) return undefined;
    const at = ctx.now.getTime();
    if (round.due_at !== null && at >= round.due_at) return { text: ctx.t('quiz.late', { n: round.n }), ephemeral: true };
    let earned = 0;
    if (correct) {
      earned = q.points;
      if (session.mode === 'all' && this.deps.rules.speedBonus > 0 && round.opened_at !== null && round.due_at !== null) {
        const left = Math.max(0, round.due_at - at) / Math.max(1, round.due_at - round.opened_at);
        earned += Math.floor(q.points * this.deps.rules.speedBonus * left);
      }
    }
    if (!(await this.deps.repo.insertAnswer(round.id, ctx.member.id, text.slice(0, 500), correct, earned, at))) {
      return { text: ctx.t('quiz.alreadyAnswered', { n: round.n }), ephemeral: true };
    }
    // In `first` mode the winner's public reply tells a level-up; in `all` mode answers stay private until the reveal, so it is posted.
    const inReply = session.mode === 'first';
    const levelUp =
      earned > 0
        ? (await this.deps.points.award({
                        communityId: ctx.community.id,
                        memberId: ctx.member.id,
                        delta: earned,
                        kind: 'earn',
                        reason: 'quiz',
                        ref: `quiz:${session.id}:${round.n}`,
                        key: `quiz:${session.id}:${round.n}:${ctx.member.id}`,
                        at: ctx.now,
                        day: ctx.day,
                        afterCommit: ctx.afterCommit,
                        levelUpInReply: inReply,
                      })).levelUp
        : undefined;
    if (session.mode === 'all') return { text: ctx.t('quiz.recorded', { n: round.n }), ephemeral: true };
    if (!correct) return { text: ctx.t('quiz.wrong', { n: round.n }), ephemeral: true };
    await this.close(round, ctx.now, ctx.afterCommit);
    ctx.afterCommit(() => this.deps.timers.cancel(closeJobId(session.id, round.n)));
    const won = ctx.t('quiz.firstCorrect', { name: ctx.member.displayName, n: round.n, points: earned });
    return { text: levelUp ? `${won}\n${levelUpLine(ctx.t, ctx.locale, levelUp, ctx.member.displayName)}` : won };
  }

  /** Close an open round (compare-and-set), reveal it, and open the next one or finish. */
  private async close(round: RoundRow, now: Date, afterCommit: (fn: AfterCommit) => void): Promise<void> {
    if (!(await this.deps.repo.closeRound(round.id, now.getTime()))) return;
    const session = await this.deps.repo.session(round.session_id);
    if (!session || session.status !== 'running') return;
    const t = this.translator(session);
    const reveal = await this.reveal(t, session, round);
    if (await this.deps.repo.roundByN(session.id, round.n + 1)) {
      await this.openNext(session, round.n + 1, reveal, now, afterCommit);
      return;
    }
    await this.deps.repo.endSession(session.id, 'finished', now.getTime());
    await this.post(session, `${reveal}\n\n${t('quiz.finished', { id: session.id })}\n${await this.scoreboard(t, session)}`, undefined, 'end', now, afterCommit);
  }

  /** Open question `n` and post it (after `before`, the start header or the previous reveal), one post so the order holds. */
  private async openNext(session: SessionRow, n: number, before: string, now: Date, afterCommit: (fn: AfterCommit) => void): Promise<void> {
    const round = await this.deps.repo.roundByN(session.id, n);
    if (!round) return;
    const dueAt = now.getTime() + round.seconds * 1000;
    if (!(await this.deps.repo.openRoundAt(round.id, now.getTime(), dueAt))) return;
    const opened: RoundRow = { ...round, status: 'open', opened_at: now.getTime(), due_at: dueAt };
    const t = this.translator(session);
    const reply = this.questionReply(t, session, opened);
    await this.post(session, `${before}\n\n${reply.text}`, reply.actions, `q${n}`, now, afterCommit);
    afterCommit(() => this.deps.timers.at(closeJobId(session.id, n), new Date(dueAt), { kind: CLOSE_JOB, id: round.id }));
  }

  private async post(session: SessionRow, text: string, actions: ReplyAction[] | undefined, what: string, now: Date, afterCommit: (fn: AfterCommit) => void): Promise<void> {
    const reply: Reply = { text, ...(actions && actions.length > 0 ? { actions } : {}) };
    await this.deps.outbox.post(session.community_id, reply, { key: `quiz-${session.id}-${what}`, source: `quiz:${session.id}`, at: now, afterCommit });
  }

  private questionText(t: Translate, session: SessionRow, round: RoundRow): string {
    const q = question(round);
    const lines = [t('quiz.question', { n: round.n, count: session.question_count, seconds: round.seconds, points: q.points, text: q.question })];
    (q.choices ?? []).forEach((c, i) => lines.push(`${CHOICE_LABELS[i] ?? '?'}. ${c}`));
    lines.push(t(q.choices ? 'quiz.howToChoose' : 'quiz.howToAnswer', { id: session.id, n: round.n }));
    return lines.join('\n');
  }

  private questionReply(t: Translate, session: SessionRow, round: RoundRow): Reply {
    const q = question(round);
    const actions = (q.choices ?? []).map((c, i): ReplyAction => {
      const label = CHOICE_LABELS[i] ?? '?';
      return { label: `${label}. ${c}`, command: `quiz answer ${session.id} ${round.n} ${label}` };
    });
    // The question text says how to answer (quiz.howToChoose), so platforms without buttons need not list them.
    return { text: this.questionText(t, session, round), ...(actions.length > 0 ? { actions, actionsExplained: true } : {}) };
  }

  private async reveal(t: Translate, session: SessionRow, round: RoundRow): Promise<string> {
    const q = question(round);
    const answer = q.correctChoice !== undefined ? `${CHOICE_LABELS[q.correctChoice] ?? '?'}. ${q.choices?.[q.correctChoice] ?? ''}` : (q.answers[0] ?? '');
    const winners = (await this.deps.repo.answers(round.id)).filter((a) => a.correct === 1);
    const who =
      winners.length === 0
        ? t('quiz.nobody')
        : session.mode === 'first'
          ? t('quiz.winner', { name: winners[0]?.display_name ?? '', points: winners[0]?.points ?? 0 })
          : t('quiz.winners', { names: winners.map((w) => `${w.display_name} (+${w.points})`).join(t('quiz.listSeparator')) });
    return `${t('quiz.reveal', { n: round.n, answer })}\n${who}`;
  }

  private async scoreboard(t: Translate, session: SessionRow): Promise<string> {
    const rows = await this.deps.repo.scores(session.id);
    if (rows.length === 0) return t('quiz.scoreboardEmpty');
    const lines = rows.map((r, i) => t('quiz.scoreRow', { rank: i + 1, name: r.display_name, points: r.points, correct: r.correct }));
    return `${t('quiz.scoreboard')}\n${lines.join('\n')}`;
  }
}

export function listBankErrors(errors: readonly string[]): string[] {
  return errors.length > MAX_LISTED_ERRORS ? [...errors.slice(0, MAX_LISTED_ERRORS), `… +${errors.length - MAX_LISTED_ERRORS}`] : [...errors];
}

function stored(q: QuizQuestion): StoredQuestion {
  const out: StoredQuestion = { id: q.id, question: q.question, answers: q.answers, numeric: q.numeric, points: q.points };
  if (q.choices) out.choices = q.choices;
  if (q.correctChoice !== undefined) out.correctChoice = q.correctChoice;
  return out;
}

function question(round: RoundRow): StoredQuestion {
  return JSON.parse(round.question_json) as StoredQuestion;
}

function spec(q: StoredQuestion) {
  return { answers: q.answers, numeric: q.numeric, ...(q.choices ? { choices: q.choices } : {}) };
}

/** Free text that is clearly an attempt: a choice letter or a choice's text, or a number for a numeric question. */
function looksLikeAnswer(text: string, q: StoredQuestion): boolean {
  if (q.choices) {
    if (parseChoiceLetter(text, q.choices.length) !== null) return true;
    const input = normalizeAnswer(text);
    if (q.choices.some((c) => normalizeAnswer(c) === input)) return true;
  }
  return q.numeric && parseNumber(text) !== null;
}
