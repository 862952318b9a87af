/**
 * Member lifecycle: welcome (batched per community minute), onboarding
 * follow-ups, activity tracking and activity points, segments, and
 * silent-member nudges. Listeners run inside the router's transaction; job
 * handlers open their own and move status by compare-and-set, so a job that
 * runs twice posts once.
 */
import type { PlatformCapabilities } from '../../core/capabilities.js';
import { addDays, communityDay, daysBetween, type Day } from '../../core/community-day.js';
import type { AfterCommit, CommandContext, CommunityInfo } from '../../core/context.js';
import { interpolate, type Locale, type MessageKey, type Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import { mention, type Reply } from '../../core/reply.js';
import type { CheckinService } from '../checkin/service.js';
import type { PointsService } from '../points/service.js';
import { UserError } from '../../core/errors.js';
import type { CommunityTextKind, LifecycleRepo } from './repo.js';
import { decideActivity, diffSegments, summarizeTransitions, minuteOf, pickTip, rulesPreview, segmentOf, selectNudges, SEGMENTS, unknownPlaceholders, NUDGE_PLACEHOLDERS, TIP_PLACEHOLDERS, WELCOME_PLACEHOLDERS, type ActivityRules, type Segment, type SegmentRules, type Tip, type TransitionSummary } from './rules.js';

export type Localized = Record<Locale, string>;

export interface LifecycleConfig {
  rules: {
    acceptance: boolean;
    reminderSeconds: number;
    /** Acceptance gating (only with `acceptance` on): what waits for /accept. */
    gate: { points: boolean; lotteries: boolean };
    /** Default rules (群规) per language; null: none. */
    text: Partial<Localized> | null;
  };
  welcome: {
    enabled: boolean;
    /** The first join of a minute arms the batch this many seconds ahead. */
    delaySeconds: number;
    /** More joins than this in one minute become one post. */
    batchThreshold: number;
    newcomerBonus: number;
    /** Replaces the catalog's welcome; placeholders {mention} {community} {bonus}. */
    text: Localized | null;
  };
  followups: {
    offsetsSeconds: number[];
    tips: Tip[];
    texts: Partial<Record<Tip, Localized>>;
  };
  activity: ActivityRules;
  segments: SegmentRules;
  nudges: {
    enabled: boolean;
    /** Nudge also where the bot sees only @-mentions and commands (WeCom); off by default there. */
    onMentionOnlyPlatforms: boolean;
    /** The daily run (segment snapshot + nudges), cron in `timezone`. */
    cron: string;
    timezone: string;
    cooldownDays: number;
    maxMentions: number;
    /** Active within this many days after a nudge counts as an effect. */
    effectDays: number;
    /** Replaces the catalog's nudge; placeholder {mentions}. */
    text: Localized | null;
  };
}

export const WELCOME_JOB = 'welcome-batch';
export const FOLLOWUP_JOB = 'lifecycle-followup';
export const DAILY_JOB = 'lifecycle-daily';
const DAILY_SCHEDULER = 'lifecycle-daily';
const welcomeJobId = (communityId: number, minute: number): string => `welcome-batch-${communityId}-${minute}`;
const followupJobId = (id: number): string => `followup-${id}`;
export const RULES_REMINDER_JOB = 'rules-reminder';
const rulesReminderJobId = (memberId: number): string => `rules-reminder-${memberId}`;

const DAY_MS = 86_400_000;
/** Acceptance gating: a member who would have earned is told about /accept at most once in this window. */
const GATE_REMIND_MS = DAY_MS;

export interface SegmentReport {
  day: Day;
  counts: Record<Segment, number>;
  nudged: number;
  returned: number;
}

/** What a LifecycleService needs, by name (built by the feature's assembly function in index.ts). */
export interface LifecycleServiceDeps {
  repo: LifecycleRepo;
  outbox: Outbox;
  timers: Timers;
  points: PointsService;
  checkin: CheckinService;
  config: LifecycleConfig;
  communityById: (id: number) => Promise<CommunityInfo | undefined>;
  /** A community's translator, for posts made outside a command. */
  translate: (communityId: number) => Promise<Translate>;
  /** Whether the community's platform can deliver direct messages (the playground, Discord, WeCom with the app API or long connection). */
  canDirect: (communityId: number) => Promise<boolean>;
  /** What the community's platform lets the bot see (core/capabilities.ts). */
  capabilities: (communityId: number) => Promise<PlatformCapabilities>;
  /** Platform follow-up to an accepted rules prompt (Discord grants the configured role). */
  rulesAccepted: (communityId: number, platformUserId: string) => Promise<void>;
  /** The community's texts from config (community.overrides), in its language. */
  configuredTexts: (community: CommunityInfo) => ConfiguredTexts;
}

export interface ConfiguredTexts {
  rules?: string | undefined;
  welcome?: string | undefined;
}

/** Words that put `/rules welcome` back to the default. */
const RESET_WORDS = new Set(['reset', 'default', '重置', '默认', '恢复默认']);
/** The per-community texts admins edit with /rules: their placeholders and replies. */
interface TextKind {
  kind: CommunityTextKind;
  placeholders: readonly string[];
  /** Placeholders the text must contain, and the refusal naming the missing ones. */
  required?: { names: readonly string[]; key: MessageKey };
  keys: { current: MessageKey; builtIn: MessageKey; saved: MessageKey; reset: MessageKey; nothingToReset: MessageKey; unknown: MessageKey };
}
const TEXT_KINDS = {
  welcome: {
    kind: 'welcome',
    placeholders: WELCOME_PLACEHOLDERS,
    keys: {
      current: 'rules.welcomeCurrent',
      builtIn: 'rules.welcomeBuiltIn',
      saved: 'rules.welcomeSaved',
      reset: 'rules.welcomeReset',
      nothingToReset: 'rules.welcomeNothingToReset',
      unknown: 'rules.unknownPlaceholder',
    },
  },
  nudge: {
    kind: 'nudge',
    placeholders: NUDGE_PLACEHOLDERS,
    required: { names: NUDGE_PLACEHOLDERS, key: 'rules.nudgeNeedsMentions' },
    keys: {
      current: 'rules.nudgeCurrent',
      builtIn: 'rules.nudgeBuiltIn',
      saved: 'rules.nudgeSaved',
      reset: 'rules.nudgeReset',
      nothingToReset: 'rules.nudgeNothingToReset',
      unknown: 'rules.nudgeUnknownPlaceholder',
    },
  },
} satisfies Record<string, TextKind>;

/** A newcomer tip (`/rules tip <tip> [text|reset]`): {mention} may be used, nothing is required. */
const tipKind = (tip: Tip): TextKind => ({
  kind: `tip:${tip}`,
  placeholders: TIP_PLACEHOLDERS,
  keys: {
    current: 'rules.tipCurrent',
    builtIn: 'rules.tipBuiltIn',
    saved: 'rules.tipSaved',
    reset: 'rules.tipReset',
    nothingToReset: 'rules.tipNothingToReset',
    unknown: 'rules.tipUnknownPlaceholder',
  },
});

export class LifecycleService {
  constructor(private readonly deps: LifecycleServiceDeps) {}

  get config(): LifecycleConfig {
    return this.deps.config;
  }

  // ── welcome ──────────────────────────────────────────────────────────

  /** memberJoined listener: newcomer bonus (once ever), a pending welcome, follow-ups. */
  async onJoined(ctx: CommandContext): Promise<void> {
    const { welcome } = this.config;
    const communityId = ctx.community.id;
    const memberId = ctx.member.id;
    const rejoin = await this.deps.repo.hasWelcome(memberId);
    let bonus = 0;
    // Gated: the bonus waits for /accept (acceptRules pays it, under the same ledger key).
    if (welcome.newcomerBonus > 0 && !(await this.gated(ctx, 'points'))) {
      // The ledger key makes the bonus once per member, ever: a rejoin pays nothing.
      const award = await this.deps.points.award({ communityId, memberId, delta: welcome.newcomerBonus, kind: 'earn', reason: 'newcomer', key: `newcomer:${memberId}`, at: ctx.now, day: ctx.day, afterCommit: ctx.afterCommit });
      if (award.applied) bonus = welcome.newcomerBonus;
    }
    if (welcome.enabled) {
      const minute = minuteOf(ctx.now);
      const dueAt = ctx.now.getTime() + welcome.delaySeconds * 1000;
      const batch = await this.deps.repo.findBatch(communityId, minute);
      let batchId: number;
      let arm = false;
      if (!batch) {
        batchId = await this.deps.repo.insertBatch(communityId, minute, dueAt);
        arm = true;
      } else {
        batchId = batch.id;
        // A join after this minute's batch went out opens it again.
        arm = batch.status === 'done' && (await this.deps.repo.reopenBatch(batch.id, dueAt));
      }
      await this.deps.repo.insertWelcome(batchId, communityId, memberId, rejoin, bonus, ctx.now.getTime());
      if (arm) ctx.afterCommit(() => this.deps.timers.at(welcomeJobId(communityId, minute), new Date(dueAt), { kind: WELCOME_JOB, id: batchId }));
    }
    const joinedAt = ctx.now.getTime();
    if (this.config.rules.acceptance) {
      const dueAt = joinedAt + this.config.rules.reminderSeconds * 1000;
      if (await this.deps.repo.expectRules(memberId, communityId, dueAt)) {
        ctx.afterCommit(() => this.deps.timers.at(rulesReminderJobId(memberId), new Date(dueAt), { kind: RULES_REMINDER_JOB, id: memberId }));
      }
    }
    for (const [i, offset] of this.config.followups.offsetsSeconds.entries()) {
      const dueAt = new Date(joinedAt + offset * 1000);
      const id = await this.deps.repo.insertFollowup(communityId, memberId, i + 1, dueAt.getTime());
      if (id !== undefined) ctx.afterCommit(() => this.deps.timers.at(followupJobId(id), dueAt, { kind: FOLLOWUP_JOB, id }));
    }
  }

  /** Timer job: post this minute's welcomes, one post when more than the threshold joined. */
  async fireWelcomeBatch(batchId: number, job: JobContext): Promise<JobOutcome> {
    const now = job.firedAt;
    const batch = await this.deps.repo.getBatch(batchId);
    if (!batch) return 'missing';
    if (!batch || batch.status !== 'open') return;
    const pending = await this.deps.repo.pendingWelcomes(batchId);
    const total = await this.deps.repo.countWelcomes(batchId);
    // A member who left meanwhile is not welcomed; one who joined twice in the batch is welcomed once.
    const seen = new Set<number>();
    const present = pending.filter((w) => w.left_at === null && !seen.has(w.member_id) && seen.add(w.member_id));
    for (const w of pending) if (!present.includes(w)) await this.deps.repo.markWelcome(w.id, 'skipped');
    const community = await this.deps.communityById(batch.community_id);
    const t = await this.deps.translate(batch.community_id);
    const name = community?.name || t('lifecycle.thisCommunity');
    const afterCommit = job.afterCommit;
    const first = present[0];
    if (first && total > this.config.welcome.batchThreshold && present.length > 1) {
      const mentions = Object.fromEntries(present.map((w) => [w.platform_user_id, w.display_name]));
      const bonus = Math.max(...present.map((w) => w.bonus));
      const lines = [t('lifecycle.welcomeBatch', { count: present.length, community: name, mentions: present.map((w) => `<@${w.platform_user_id}>`).join(' ') }), ...(await this.welcomeRules(community, t)), t('lifecycle.welcomeCheckin')];
      if (bonus > 0) lines.push(t('lifecycle.welcomeBonusBatch', { bonus }));
      await this.deps.outbox.post(batch.community_id, { text: lines.join('\n'), mentions, ...this.acceptAction(t) }, { key: `welcome-batch-${batchId}-${first.id}`, source: 'welcome', at: now, afterCommit });
    } else {
      for (const w of present) await this.deps.outbox.post(batch.community_id, { ...(await this.welcomeReply(w, name, t, community)), ...this.acceptAction(t) }, { key: `welcome-${w.id}`, source: 'welcome', at: now, afterCommit });
    }
    for (const w of present) await this.deps.repo.markWelcome(w.id, 'sent');
    await this.deps.repo.moveBatch(batchId, 'open', 'done');
  }

  private async welcomeReply(w: { platform_user_id: string; display_name: string; rejoin: number; bonus: number }, name: string, t: Translate, community: CommunityInfo | undefined): Promise<Reply> {
    const mention = `<@${w.platform_user_id}>`;
    const mentions = { [w.platform_user_id]: w.display_name };
    const custom = community ? (await this.welcomeTemplate(community)) : undefined;
    if (custom && !w.rejoin) {
      const rules = await this.rulesText(community);
      return { text: [interpolate(custom, { mention, community: name, bonus: w.bonus }), ...(rules ? (await this.welcomeRules(community, t)) : [])].join('\n'), mentions };
    }
    const lines = [t(w.rejoin ? 'lifecycle.welcomeBack' : 'lifecycle.welcome', { mention, community: name }), ...(await this.welcomeRules(community, t)), t('lifecycle.welcomeCheckin')];
    if (w.bonus > 0) lines.push(t('lifecycle.welcomeBonus', { bonus: w.bonus }));
    return { text: lines.join('\n'), mentions };
  }

  // ── rules and per-community texts ────────────────────────────────────

  /** The community's rules: set by an admin, else configured for the community, else the default for its language. */
  async rulesText(community: CommunityInfo | undefined): Promise<string | undefined> {
    if (!community) return undefined;
    return (await this.deps.repo.communityText(community.id, 'rules')) ?? this.deps.configuredTexts(community).rules ?? this.config.rules.text?.[community.locale] ?? undefined;
  }

  /** The welcome template: set by an admin, else configured for the community, else the configured default; undefined: the built-in welcome. */
  private async welcomeTemplate(community: CommunityInfo): Promise<string | undefined> {
    return (await this.deps.repo.communityText(community.id, 'welcome')) ?? this.deps.configuredTexts(community).welcome ?? this.config.welcome.text?.[community.locale] ?? undefined;
  }

  /** The rules lines of a welcome: the first 3 lines of the community's rules (and how to see all), or the built-in one-line reminder. */
  private async welcomeRules(community: CommunityInfo | undefined, t: Translate): Promise<string[]> {
    const rules = await this.rulesText(community);
    if (!rules) return [t('lifecycle.welcomeRules')];
    const { lines, more } = rulesPreview(rules, 3);
    return [t('lifecycle.welcomeRulesTitle'), ...lines, ...(more ? [t('lifecycle.welcomeRulesMore')] : [])];
  }

  /** `/rules` (群规): the community's rules in full. */
  async showRules(ctx: CommandContext): Promise<Reply> {
    const rules = await this.rulesText(ctx.community);
    if (!rules) return { text: [ctx.t('rules.none'), ...(ctx.isAdmin ? [ctx.t('rules.noneAdmin')] : [])].join('\n') };
    const accepted = (await this.deps.repo.rulesOf(ctx.member.id))?.accepted_at != null;
    return { title: ctx.t('rules.title', { community: ctx.community.name || ctx.t('lifecycle.thisCommunity') }), text: rules, ...(accepted ? {} : this.acceptAction(ctx.t)) };
  }

  /** `/rules set <text>` (群规 设置): the community's rules, several lines (a typed `\n` is a line break too). */
  async setRules(ctx: CommandContext, raw: string): Promise<Reply> {
    const text = multiline(raw);
    await this.deps.repo.setCommunityText(ctx.community.id, 'rules', text, ctx.member.id, ctx.now.getTime());
    return { text: ctx.t('rules.saved', { lines: rulesPreview(text, Infinity).lines.length }) };
  }

  /** `/rules clear` (群规 清除): back to the configured rules. */
  async clearRules(ctx: CommandContext): Promise<Reply> {
    if (!(await this.deps.repo.clearCommunityText(ctx.community.id, 'rules'))) throw new UserError('rules.nothingToClear');
    return { text: ctx.t('rules.cleared') };
  }

  /** `/rules welcome [text|reset]` (群规 欢迎语): show, set (placeholders checked) or reset the community's welcome text. */
  welcomeText(ctx: CommandContext, raw: string | undefined): Promise<Reply> {
    return this.editText(ctx, raw, TEXT_KINDS.welcome, () => this.welcomeTemplate(ctx.community), {
      mention: `<@${ctx.member.platformUserId}>`,
      community: ctx.community.name || ctx.t('lifecycle.thisCommunity'),
      bonus: this.config.welcome.newcomerBonus,
    });
  }

  /** `/rules nudge [text|reset]`: show, set or reset the community's silent-member nudge. */
  nudgeText(ctx: CommandContext, raw: string | undefined): Promise<Reply> {
    return this.editText(ctx, raw, TEXT_KINDS.nudge, () => this.nudgeTemplate(ctx.community), { mentions: `<@${ctx.member.platformUserId}>` });
  }

  /** `/rules tip <tip> [text|reset]` (群规 引导语): show, set or reset one of the community's newcomer tips. */
  tipText(ctx: CommandContext, tip: Tip, raw: string | undefined): Promise<Reply> {
    return this.editText(ctx, raw, tipKind(tip), () => this.tipTemplate(ctx.community, tip), { mention: `<@${ctx.member.platformUserId}>` });
  }

  /** A newcomer tip: set by an admin, else configured per language, else the built-in one. */
  private async tipTemplate(community: CommunityInfo, tip: Tip): Promise<string | undefined> {
    return (await this.deps.repo.communityText(community.id, `tip:${tip}`)) ?? this.config.followups.texts[tip]?.[community.locale] ?? undefined;
  }

  /** One way to edit a per-community text: placeholders checked on save (unknown ones refused, required ones demanded), a preview in the reply. */
  private async editText(ctx: CommandContext, raw: string | undefined, kind: TextKind, current: () => Promise<string | undefined>, sample: Record<string, string | number>): Promise<Reply> {
    const placeholders = kind.placeholders.map((n) => `{${n}}`).join(' ');
    if (raw === undefined) {
      return { text: ctx.t(kind.keys.current, { text: (await current()) ?? ctx.t(kind.keys.builtIn), placeholders }), ephemeral: true };
    }
    if (RESET_WORDS.has(raw.trim().toLowerCase())) {
      if (!(await this.deps.repo.clearCommunityText(ctx.community.id, kind.kind))) throw new UserError(kind.keys.nothingToReset);
      return { text: ctx.t(kind.keys.reset) };
    }
    const text = multiline(raw);
    const unknown = unknownPlaceholders(text, kind.placeholders);
    if (unknown.length > 0) throw new UserError(kind.keys.unknown, { unknown: unknown.map((n) => `{${n}}`).join(' '), placeholders });
    const missing = kind.required?.names.filter((n) => !text.includes(`{${n}}`)) ?? [];
    if (kind.required && missing.length > 0) throw new UserError(kind.required.key, { missing: missing.map((n) => `{${n}}`).join(' ') });
    await this.deps.repo.setCommunityText(ctx.community.id, kind.kind, text, ctx.member.id, ctx.now.getTime());
    return { text: ctx.t(kind.keys.saved, { preview: interpolate(text, sample) }), mentions: { [ctx.member.platformUserId]: ctx.member.displayName } };
  }

  /** The silent-member nudge: set by an admin, else configured per language, else the built-in one. */
  private async nudgeTemplate(community: CommunityInfo): Promise<string | undefined> {
    return (await this.deps.repo.communityText(community.id, 'nudge')) ?? this.config.nudges.text?.[community.locale] ?? undefined;
  }

  // ── onboarding follow-ups ────────────────────────────────────────────

  /** Timer job: one follow-up; skipped when the member left or every tip is done. */
  // ── rules acceptance ─────────────────────────────────────────────────

  /** `/accept` (接受群规): records when the member accepted the community rules. */
  async acceptRules(ctx: CommandContext): Promise<Reply> {
    const before = await this.deps.repo.rulesOf(ctx.member.id);
    if (before?.accepted_at != null) return { text: ctx.t('lifecycle.rulesAlready'), ephemeral: true };
    await this.deps.repo.acceptRules(ctx.member.id, ctx.community.id, ctx.now.getTime());
    ctx.afterCommit(() => this.deps.rulesAccepted(ctx.community.id, ctx.member.platformUserId));
    // The newcomer bonus waited for this (gated points); its ledger key pays it once, ever.
    const bonus = this.config.welcome.newcomerBonus;
    if (bonus > 0 && this.config.rules.gate.points && (await this.deps.repo.hasWelcome(ctx.member.id))) {
      await this.deps.points.award({ communityId: ctx.community.id, memberId: ctx.member.id, delta: bonus, kind: 'earn', reason: 'newcomer', key: `newcomer:${ctx.member.id}`, at: ctx.now, day: ctx.day, afterCommit: ctx.afterCommit });
    }
    if (before && before.reminded_at === null) ctx.afterCommit(() => this.deps.timers.cancel(rulesReminderJobId(ctx.member.id)).catch(() => undefined));
    return { text: ctx.t('lifecycle.rulesAccepted'), ephemeral: true };
  }

  /** Timer: remind a member once who has not accepted the rules (skipped after a leave or an acceptance). */
  async fireRulesReminder(memberId: number, job: JobContext): Promise<JobOutcome> {
    const now = job.firedAt;
    const rules = await this.deps.repo.rulesOf(memberId);
    const member = await this.deps.repo.member(memberId);
    if (!rules) return 'missing';
    if (!rules || rules.accepted_at !== null) return;
    // Closed once, whatever happens: a member who left is not reminded, and the timer is not re-armed.
    if (!(await this.deps.repo.markReminded(memberId, now.getTime())) || !member || member.left_at !== null) return;
    const t = await this.deps.translate(rules.community_id);
    const mention = `<@${member.platform_user_id}>`;
    await this.deps.outbox.post(
            rules.community_id,
            { text: t('lifecycle.rulesReminder', { mention }), mentions: { [member.platform_user_id]: member.display_name }, ...this.acceptAction(t) },
            { key: `rules-reminder-${memberId}`, source: 'rules-reminder', at: now, afterCommit: job.afterCommit },
          );
  }

  private acceptAction(t: Translate): { actions?: Reply['actions'] } {
    return this.config.rules.acceptance ? { actions: [{ label: t('lifecycle.acceptButton'), command: 'accept', style: 'success' }] } : {};
  }

  async fireFollowup(id: number, job: JobContext): Promise<JobOutcome> {
    const now = job.firedAt;
    const row = await this.deps.repo.getFollowup(id);
    if (!row) return 'missing';
    if (!row || row.status !== 'pending') return;
    const member = await this.deps.repo.member(row.member_id);
    if (!member || member.left_at !== null) {
      await this.deps.repo.finishFollowup(id, 'skipped', null, now.getTime());
      return;
    }
    const tip = pickTip(this.config.followups.tips, await this.tipsDone(row.member_id), new Set((await this.deps.repo.sentTips(row.member_id)) as Tip[]));
    if (!tip) {
      await this.deps.repo.finishFollowup(id, 'skipped', null, now.getTime());
      return;
    }
    if (!(await this.deps.repo.finishFollowup(id, 'sent', tip, now.getTime()))) return;
    const t = await this.deps.translate(row.community_id);
    const community = await this.deps.communityById(row.community_id);
    const mention = `<@${member.platform_user_id}>`;
    const custom = community ? await this.tipTemplate(community, tip) : undefined;
    const text = `${t('lifecycle.followup', { mention })}\n${custom ? interpolate(custom, { mention }) : t(`lifecycle.tip.${tip}`)}`;
    // A DM where the platform's sender can send one; otherwise the same text as a group post mentioning the member.
    const reply = { text, mentions: { [member.platform_user_id]: member.display_name } };
    await this.deps.outbox.post(row.community_id, reply, { key: `followup-${id}`, source: 'followup', at: now, afterCommit: job.afterCommit, direct: { recipient: member.platform_user_id, fallback: reply } });
  }

  private async tipsDone(memberId: number): Promise<Set<Tip>> {
    const done = new Set<Tip>();
    const streak = await this.deps.checkin.streakOf(memberId);
    if (streak) done.add('checkin');
    if ((streak?.bestStreak ?? 0) >= 3) done.add('streak');
    if ((await this.deps.repo.messagesEver(memberId)) > 0) done.add('chat');
    return done;
  }

  // ── activity ─────────────────────────────────────────────────────────

  /**
   * message listener: count the message, maybe award activity points. Never
   * replies. A message another feature answered (a quiz answer) counts as
   * activity but earns no activity points: that feature rewards it itself.
   * Talking to the bot earns points only with `pointsForAddressed` (WeCom
   * delivers group messages only when the bot is @-mentioned).
   */
  async onMessage(ctx: CommandContext, answered = false): Promise<void> {
    if (ctx.event.type !== 'message') return;
    const communityId = ctx.community.id;
    const memberId = ctx.member.id;
    await this.countActivity(ctx, 1, 0);
    if (answered || (ctx.event.addressed && !this.config.activity.pointsForAddressed)) return;
    const state = await this.deps.repo.state(memberId);
    const rules = this.config.activity;
    const input = {
      text: ctx.event.text,
      now: ctx.now,
      lastPointAt: state?.last_point_at ?? null,
      lastHash: state?.last_text_hash ?? null,
      activityToday: await this.deps.repo.activityToday(memberId, ctx.day),
      earnedToday: 0,
      memberAgeDays: daysBetween(communityDay(ctx.member.joinedAt, ctx.community), ctx.day),
    };
    let decision = decideActivity(input, rules);
    // The ledger sum is read only for a message that would score.
    if (decision.verdict === 'ok' || decision.verdict === 'cap') decision = decideActivity({ ...input, earnedToday: (await this.deps.repo.earnedToday(memberId, ctx.day)) }, rules);
    let lastPointAt = input.lastPointAt;
    if (decision.points > 0 && (await this.gated(ctx, 'points'))) {
      await this.remindGate(ctx);
      decision = { ...decision, points: 0 };
    }
    if (decision.points > 0) {
      const award = await this.deps.points.award({
              communityId,
              memberId,
              delta: decision.points,
              kind: 'earn',
              reason: 'activity',
              ref: ctx.day,
              key: `activity:${ctx.event.community.platform}:${ctx.event.deliveryId}`,
              at: ctx.now,
              day: ctx.day,
              afterCommit: ctx.afterCommit,
            });
      if (award.applied) lastPointAt = ctx.now.getTime();
    }
    if (decision.points > 0 || decision.capped) await this.deps.repo.addActivityPoints(memberId, ctx.day, decision.points, decision.capped);
    await this.deps.repo.saveState(memberId, communityId, decision.hash, lastPointAt);
  }

  /** command listener: a command counts as activity. */
  async onCommand(ctx: CommandContext): Promise<void> {
    await this.countActivity(ctx, 0, 1);
    await this.gateCommand(ctx);
  }

  // ── acceptance gating ────────────────────────────────────────────────

  /** Whether `what` waits for this member's /accept: acceptance and the gate on, not an admin, not accepted. */
  async gated(ctx: Pick<CommandContext, 'member' | 'isAdmin'>, what: 'points' | 'lotteries'): Promise<boolean> {
    const { rules } = this.config;
    if (!rules.acceptance || !rules.gate[what] || ctx.isAdmin) return false;
    return (await this.deps.repo.rulesOf(ctx.member.id))?.accepted_at == null;
  }

  /**
   * command listener, after the handler in the same unit: a command that
   * earned this member points (check-in, a quiz answer) or joined them to a
   * lottery while that waits for /accept is refused, so its whole unit rolls
   * back and the member reads why. Looking at what the command wrote keeps
   * the gate in one place, whatever feature the command belongs to.
   */
  private async gateCommand(ctx: CommandContext): Promise<void> {
    const at = ctx.now.getTime();
    if ((await this.gated(ctx, 'points')) && (await this.deps.repo.earnedAt(ctx.member.id, at))) throw new UserError('lifecycle.gate.points');
    if ((await this.gated(ctx, 'lotteries')) && (await this.deps.repo.joinedLotteryAt(ctx.member.id, ctx.community.id, at))) throw new UserError('lifecycle.gate.lotteries');
  }

  /** A short private reminder of /accept, at most once a day per member (not on every message). */
  private async remindGate(ctx: CommandContext): Promise<void> {
    const at = ctx.now.getTime();
    const window = Math.floor(at / GATE_REMIND_MS);
    if (!(await this.deps.repo.markGateReminded(ctx.member.id, ctx.community.id, at, at - GATE_REMIND_MS))) return;
    const text = ctx.t('lifecycle.gate.reminder');
    await this.deps.outbox.post(ctx.community.id, { text, ...this.acceptAction(ctx.t) }, {
      key: `rules-gate-${ctx.member.id}-${window}`,
      source: 'rules-gate',
      at: ctx.now,
      afterCommit: ctx.afterCommit,
      direct: { recipient: ctx.member.platformUserId, fallback: { text: ctx.t('lifecycle.gate.reminderPublic', { mention: mention(ctx.member.platformUserId) }), mentions: { [ctx.member.platformUserId]: ctx.member.displayName }, ...this.acceptAction(ctx.t) } },
    });
  }

  private async countActivity(ctx: CommandContext, messages: number, commands: number): Promise<void> {
    const total = await this.deps.repo.bumpActivity(ctx.community.id, ctx.member.id, ctx.day, messages, commands);
    // The first activity of the day is when a nudge may have worked.
    if (total === 1) await this.deps.repo.markReturned(ctx.member.id, ctx.now.getTime(), this.config.nudges.effectDays * DAY_MS);
  }

  async activityRules(ctx: CommandContext): Promise<Reply> {
    const r = this.config.activity;
    const text = [
      ctx.t('activity.rules', { points: r.pointsPerMessage, cooldown: r.cooldownSeconds, minLength: r.minLength, cap: r.dailyCap, newDays: r.newMemberDays, rate: Math.round(r.newMemberRate * 100), dailyEarnCap: r.dailyEarnCap }),
      '',
      ctx.t('activity.today', { points: await this.deps.repo.activityToday(ctx.member.id, ctx.day), cap: r.dailyCap }),
    ].join('\n');
    return { title: ctx.t('activity.title'), text, ephemeral: true };
  }

  async setQuiet(ctx: CommandContext, quiet: boolean): Promise<Reply> {
    await this.deps.repo.setQuiet(ctx.member.id, ctx.community.id, quiet);
    return { text: ctx.t(quiet ? 'quiet.on' : 'quiet.off'), ephemeral: true };
  }

  /** Members who hit a cap on at least `farmingMinDays` of the last 7 days. */
  async farming(communityId: number, today: Day): Promise<Array<{ name: string; days: number }>> {
    return (await this.deps.repo.farming(communityId, addDays(today, -7), today, this.config.activity.farmingMinDays)).map((r) => ({ name: r.display_name, days: r.days }));
  }

  // ── segments and nudges ──────────────────────────────────────────────

  async segments(community: CommunityInfo, today: Day): Promise<Record<Segment, number>> {
    const counts = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
    for (const f of await this.facts(community, today)) counts[segmentOf(f, today, this.config.segments)]++;
    return counts;
  }

  /** /stats members: today's segments (stored as today's snapshot) and the nudge effect of the last 30 days. */
  async report(community: CommunityInfo, today: Day, now: Date): Promise<SegmentReport> {
    const counts = await this.segments(community, today);
    for (const s of SEGMENTS) await this.deps.repo.saveSnapshot(community.id, today, s, counts[s]);
    const { n, returned } = await this.deps.repo.nudgeStats(community.id, now.getTime() - 30 * DAY_MS);
    return { day: today, counts, nudged: n, returned };
  }

  /** The daily job: per community, once per community day, a segment snapshot and the nudge post. */
  async runDaily(job: JobContext): Promise<void> {
    for (const communityId of await this.deps.repo.communityIds()) {
      const community = await this.deps.communityById(communityId);
      if (community) await this.dailyFor(community, job.firedAt, job.afterCommit);
    }
  }

  /**
   * Nudges run where the bot sees every message. Where it sees only what is
   * addressed to it (WeCom), members who chat without @-mentioning the bot
   * would look silent and be nudged for nothing: off there unless configured.
   */
  async nudgesOn(communityId: number): Promise<boolean> {
    const { nudges } = this.config;
    return nudges.enabled && (nudges.onMentionOnlyPlatforms || (await this.deps.capabilities(communityId)).seesAllMessages);
  }

  /** Whether activity here means every message, or only interactions with the bot. */
  async seesAllMessages(communityId: number): Promise<boolean> {
    return (await this.deps.capabilities(communityId)).seesAllMessages;
  }

  /** Returns the members nudged (empty when the day already ran). Call inside a write transaction. */
  async dailyFor(community: CommunityInfo, now: Date, afterCommit: (fn: AfterCommit) => void): Promise<number[]> {
    const today = communityDay(now, community);
    if (!(await this.deps.repo.claimDailyRun(community.id, today, now.getTime()))) return [];
    const facts = await this.facts(community, today);
    const counts = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
    const segments = facts.map((f) => ({ memberId: f.memberId, segment: segmentOf(f, today, this.config.segments) }));
    for (const { segment } of segments) counts[segment]++;
    for (const s of SEGMENTS) await this.deps.repo.saveSnapshot(community.id, today, s, counts[s]);
    await this.trackTransitions(community.id, today, segments);
    const { nudges } = this.config;
    if (!(await this.nudgesOn(community.id))) return [];
    const picked = selectNudges(
      facts.map((f) => ({ memberId: f.memberId, lastActiveDay: f.lastActiveDay, joinedDay: f.joinedDay, quiet: f.quiet, left: f.left, lastNudgedDay: f.lastNudgedDay })),
      today,
      { silentDays: this.config.segments.silentDays, cooldownDays: nudges.cooldownDays, max: nudges.maxMentions },
    );
    if (picked.length === 0) return [];
    const byId = new Map(facts.map((f) => [f.memberId, f]));
    const mentions: Record<string, string> = {};
    const tags: string[] = [];
    for (const p of picked) {
      const f = byId.get(p.memberId);
      if (!f) continue;
      await this.deps.repo.insertNudge(community.id, p.memberId, today, now.getTime());
      mentions[f.platformUserId] = f.name;
      tags.push(`<@${f.platformUserId}>`);
    }
    const custom = await this.nudgeTemplate(community);
    const nudgeText = async (who: string): Promise<string> => (custom ? interpolate(custom, { mentions: who }) : (await this.deps.translate(community.id))('lifecycle.nudge', { mentions: who }));
    if (await this.deps.canDirect(community.id)) {
      // A personal DM to each member where the platform allows it; a member who cannot get
      // one (DMs closed) is mentioned in the group instead.
      for (const [platformUserId, name] of Object.entries(mentions)) {
        const reply = { text: await nudgeText(`<@${platformUserId}>`), mentions: { [platformUserId]: name } };
        await this.deps.outbox.post(community.id, reply, { key: `nudge-${community.id}-${today}-${platformUserId}`, source: 'nudge', at: now, afterCommit, direct: { recipient: platformUserId, fallback: reply } });
      }
    } else {
      await this.deps.outbox.post(community.id, { text: await nudgeText(tags.join(' ')), mentions }, { key: `nudge-${community.id}-${today}`, source: 'nudge', at: now, afterCommit });
    }
    return picked.map((p) => p.memberId);
  }

  /**
   * Part of the daily run (once per community day, under its claim): today's
   * segments against the remembered ones; only the members whose segment
   * changed are written, and the day's moves are added per (from, to).
   */
  private async trackTransitions(communityId: number, today: Day, segments: ReadonlyArray<{ memberId: number; segment: Segment }>): Promise<void> {
    const diff = diffSegments(await this.deps.repo.memberSegments(communityId), segments);
    await this.deps.repo.rememberSegments(communityId, today, diff.changed);
    for (const memberId of diff.forget) await this.deps.repo.forgetSegment(memberId);
    for (const t of diff.transitions) await this.deps.repo.addTransitions(communityId, today, t.from, t.to, t.count);
  }

  /** /stats members: the segment moves counted by the daily runs of the last 7 days (today included). */
  async transitions(communityId: number, today: Day): Promise<TransitionSummary> {
    return summarizeTransitions(await this.deps.repo.transitions(communityId, addDays(today, -7), today));
  }

  private async facts(community: CommunityInfo, today: Day) {
    return (await this.deps.repo.facts(community.id, today, addDays(today, -7), addDays(today, -30))).map((r) => ({
      memberId: r.member_id,
      name: r.display_name,
      platformUserId: r.platform_user_id,
      joinedDay: communityDay(new Date(r.joined_at), community),
      left: r.left_at !== null,
      active7: r.active7,
      active30: r.active30,
      lastActiveDay: r.last_day,
      earned: r.earned,
      quiet: r.quiet === 1,
      lastNudgedDay: r.last_nudged,
    }));
  }

  async desired(): Promise<DesiredTimers> {
    const timers: DesiredTimers['timers'] = [];
    for (const b of await this.deps.repo.openBatches()) timers.push({ jobId: welcomeJobId(b.community_id, b.minute), dueAt: new Date(b.due_at), job: { kind: WELCOME_JOB, id: b.id } });
    for (const f of await this.deps.repo.pendingFollowups()) timers.push({ jobId: followupJobId(f.id), dueAt: new Date(f.due_at), job: { kind: FOLLOWUP_JOB, id: f.id } });
    for (const r of await this.deps.repo.pendingReminders()) timers.push({ jobId: rulesReminderJobId(r.member_id), dueAt: new Date(r.reminder_due_at), job: { kind: RULES_REMINDER_JOB, id: r.member_id } });
    const { cron, timezone } = this.config.nudges;
    return { timers, schedulers: [{ id: DAILY_SCHEDULER, pattern: cron, timezone, job: { kind: DAILY_JOB, id: 0 } }], schedulerPrefixes: [DAILY_SCHEDULER] };
  }
}

/** Text typed in one line (a slash command) may mark line breaks with `\n`; lines lose trailing spaces. */
function multiline(raw: string): string {
  return raw
    .replace(/\\n/g, '\n')
    .split(/\r\n|\r|\n/)
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}
