/**
 * Moderation (群管理): the word filter on every message the bot sees, strikes
 * that expire, a configurable ladder, and the admins' commands.
 *
 * A flagged message is handled in the message's own unit of work: the strike
 * (unique per community and source key `msg:<delivery>`, so a delivery that
 * reached the listener twice strikes once), the log row and the warning
 * commit together. The warning goes privately: as an ephemeral reply where
 * a reply reaches only its member (the playground), otherwise as a direct
 * message through the outbox (keyed by the delivery; where DMs are closed or
 * missing the outbox posts the fallback in the group, naming the member and
 * the strike count, never the text).
 *
 * Besides the word list, the spam rules (spam.ts): flooding, the same
 * message repeated, mass mentions, links from new members. Their windows are
 * rows in moderation_rates, read and written in the message's unit, so
 * processes on one database count together. A message that crosses a
 * window's line is a strike; the ones after it in the same window are only
 * deleted.
 *
 * Admins' messages are never checked. The ladder (config) names what a
 * member's n-th active strike calls for; the bot always warns. What the
 * platform lets the bot do (the Moderator port: delete, timeout and kick on
 * Discord) runs after the commit, and its outcome (done, or failed with the
 * platform's reason) goes to the log in a small unit of its own; what it does
 * not let the bot do (WeCom, the playground) is written to the log as not
 * done, told to the admin who warned, and alerted to the admins (the
 * analytics alert path) for an automatic strike.
 *
 * The compiled filter of a community is cached per list revision
 * (moderation_lists, replaced on each change); a community without entries
 * of its own shares the default list's filter.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { platformCapabilities, privateReplies } from '../../core/capabilities.js';
import { UserError } from '../../core/errors.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { AutomodExecution, AutomodOf, ModerationAction, ModerationKind, Moderator } from '../../core/sender.js';
import type { ChatEvent, CommunityRef } from '../../core/chat-event.js';
import type { Translate } from '../../core/i18n.js';
import type { AfterCommit, CommandContext, CommunityInfo, MemberInfo } from '../../core/context.js';
import type { Store } from '../../store/db.js';
import { mention, type Reply } from '../../core/reply.js';
import { formatLocal } from '../../core/time/when.js';
import { WordFilter, type FilterEntry } from './filter.js';
import { mask } from './normalize.js';
import type { LogView, ModerationRepo, StrikeRow } from './repo.js';
import { checkEntry, MAX_ENTRY_LENGTH, type WordList } from './wordlist.js';
import { disallowedHost, effectiveSpam, mentionCount, nextRates, NO_OVERRIDES, parseSpamSettings, textHash, type SpamOverrideValues, type SpamRule, type SpamRules } from './spam.js';
import { automodWrites, isOwned, noWrites, planAutomod, spellings, type AutomodPlan } from './automod.js';

export type LadderStep = 'warn' | 'timeout' | 'kick';

export interface ModerationConfig {
  enabled: boolean;
  /** Days a strike counts. */
  strikeDays: number;
  /** The step for a member's 1st, 2nd, … active strike; the last one repeats. */
  ladder: readonly LadderStep[];
  /** Delete a flagged message where the platform lets the bot (Discord). */
  deleteMessages: boolean;
  timeoutMinutes: number;
  spam: SpamRules;
  /** Keep the platform's own automatic moderation (Discord AutoMod) in sync with the word list and the mention limit. */
  discordAutomod: boolean;
}

export interface ModerationServiceDeps {
  repo: ModerationRepo;
  outbox: Outbox;
  config: ModerationConfig;
  defaultList: WordList;
  /** What the community's platform lets the bot do to messages and members (core/sender.ts). */
  moderator: Moderator;
  /** A unit of work of its own, for an action's outcome after the strike's commit. */
  unit: Store['unit'];
  /** The admins' alert (analytics' one path): a DM to each configured admin, else a post for them. */
  alertAdmins: (community: CommunityInfo, text: string, key: string, at: Date, afterCommit: (fn: AfterCommit) => void) => Promise<void>;
  /** The platform's automatic moderation of a community, where it has one (Discord AutoMod; core/sender.ts). */
  automod?: AutomodOf;
  /** A community's catalog (AutoMod's block text, alerts outside a command). */
  translate?: (communityId: number) => Promise<Translate>;
  /** The community and member an AutoMod event is about (identity; created on first sight), inside a unit. */
  resolve?: (ref: CommunityRef, platformUserId: string, displayName: string, now: Date) => Promise<{ community: CommunityInfo; member: MemberInfo }>;
  logger?: Logger;
}

/** What a strike needs of where it happens: a command's context, or an AutoMod event's unit. */
export interface Scene {
  community: CommunityInfo;
  /** The member whose message or command this is (an automatic strike's alerts are about them). */
  member: MemberInfo;
  now: Date;
  t: Translate;
  afterCommit(fn: AfterCommit): void;
  event?: ChatEvent;
}

/** The outcome of an AutoMod sync (undefined: nothing to sync there). */
export interface AutomodSynced {
  status: 'ok' | 'failed';
  writes: number;
  keywords: number;
  overflow: number;
  error: string | null;
}

interface StrikeSource {
  sourceKey: string;
  kind: 'filter' | 'spam' | 'manual';
  rule: string | null;
  matched: string | null;
  reason: string | null;
  createdBy: number | null;
}

interface Struck {
  id: number;
  count: number;
  /** The steps the platform does not let the bot do (logged as not done). */
  wanted: ModerationKind[];
  /** The steps it runs after the commit. */
  actions: ModerationAction[];
}

const LIST_SHOWN = 50;
const LOG_SHOWN = 20;
const DAY_MS = 86_400_000;
/** AutoMod events of a blocked message carry no message id: the same member, rule and text within this window is one message. */
const AUTOMOD_DEDUPE_MS = 10 * 60_000;

export class ModerationService {
  private readonly defaultFilter: WordFilter;
  private readonly defaultKeys = new Map<string, string>();
  private readonly cache = new Map<number, { revision: string; filter: WordFilter }>();
  /** One AutoMod sync at a time per community in this process (a second waits and then syncs what is then current). */
  private readonly syncing = new Map<number, Promise<unknown>>();
  /** Communities whose AutoMod state this process has checked (firstSight). */
  private readonly seen = new Set<number>();

  constructor(private readonly deps: ModerationServiceDeps) {
    this.defaultFilter = new WordFilter(deps.defaultList.entries, deps.defaultList.variants);
    for (const e of deps.defaultList.entries) this.defaultKeys.set(`${e.allow ? '!' : ''}${e.word}`, e.id);
  }

  // ── the filter ───────────────────────────────────────────────────────

  /** The community's compiled filter (default list plus its own entries), rebuilt when its list changed. */
  async filterFor(communityId: number): Promise<WordFilter> {
    const revision = await this.deps.repo.revision(communityId);
    if (revision === '') return this.defaultFilter;
    const cached = this.cache.get(communityId);
    if (cached?.revision === revision) return cached.filter;
    const own = (await this.deps.repo.words(communityId)).map((w): FilterEntry => ({ id: `c:${w.id}`, word: w.word_key, allow: w.allow === 1 }));
    const filter = own.length === 0 ? this.defaultFilter : new WordFilter([...this.deps.defaultList.entries, ...own], this.deps.defaultList.variants);
    this.cache.set(communityId, { revision, filter });
    return filter;
  }

  /** message listener: a member's message that matches the filter or a spam rule earns a strike and a private warning. */
  async onMessage(ctx: CommandContext): Promise<Reply[] | void> {
    if (!this.deps.config.enabled || ctx.event.type !== 'message') return;
    await this.firstSight(ctx);
    if (ctx.isAdmin) return;
    const spam = await this.spam(ctx);
    const hit = (await this.filterFor(ctx.community.id)).first(ctx.event.text);
    let source: Omit<StrikeSource, 'sourceKey' | 'reason' | 'createdBy'>;
    if (hit) source = { kind: 'filter', rule: hit.id, matched: mask(hit.word) };
    else if (spam?.strike) source = { kind: 'spam', rule: `spam:${spam.rule}`, matched: spam.detail };
    else {
      // Over a window already struck: the message goes, the strike was counted for the window.
      if (spam) await this.deleteOnly(ctx, `spam:${spam.rule}`);
      return;
    }
    const struck = await this.strike(ctx, ctx.member, { ...source, sourceKey: `msg:${ctx.event.deliveryId}`, reason: null, createdBy: null });
    if (!struck) return;
    const { count } = struck;
    const days = this.deps.config.strikeDays;
    const warning: Reply = {
      text: hit ? ctx.t('moderation.warnedAuto', { word: source.matched ?? '', count, days }) : ctx.t('moderation.warnedSpam', { rule: ctx.t(`moderation.rule.${spam?.rule ?? 'flood'}`), count, days }),
    };
    if (struck.wanted.length > 0) await this.alertNotDone(ctx, struck, source.rule ?? '');
    if (privateReplies(ctx.community.platform, ctx.event.type)) return [{ ...warning, ephemeral: true }];
    const who = { [ctx.member.platformUserId]: ctx.member.displayName };
    const fallback: Reply = { text: ctx.t('moderation.publicFallbackAuto', { mention: mention(ctx.member.platformUserId), count, days }), mentions: who };
    await this.deps.outbox.post(ctx.community.id, warning, {
      key: `moderation-warn:${ctx.event.deliveryId}`,
      source: `moderation:${struck.id}`,
      at: ctx.now,
      afterCommit: ctx.afterCommit,
      direct: { recipient: ctx.member.platformUserId, fallback },
    });
    // Addressed to the bot (every message on WeCom): say something, without the details, instead of "not understood".
    if (ctx.event.addressed) return [{ text: ctx.t('moderation.publicNotice', { mention: mention(ctx.member.platformUserId) }), mentions: who }];
  }

  /**
   * Counts the message in the member's windows and checks the one-message
   * rules; the first rule it breaks, in order: links from a new member, mass
   * mentions, a repeated message, flooding. `strike` false: the message is
   * past a window's line that an earlier message crossed.
   */
  private async spam(ctx: CommandContext): Promise<{ rule: SpamRule; detail: string | null; strike: boolean } | undefined> {
    if (ctx.event.type !== 'message') return undefined;
    const rules = await this.spamRules(ctx.community.id);
    const text = ctx.event.text;
    const now = ctx.now.getTime();
    let windows: ReturnType<typeof nextRates> | undefined;
    if (rules.flood.messages > 0 || rules.repeats.count > 1) {
      windows = nextRates(await this.deps.repo.rates(ctx.member.id), now, textHash(text), rules);
      await this.deps.repo.saveRates(ctx.member.id, windows.state, now);
    }
    if (rules.links.newMemberHours > 0) {
      const joined = Math.max(ctx.event.actor.joinedAt ?? 0, 0) || ctx.member.joinedAt.getTime();
      const host = now - joined < rules.links.newMemberHours * 3_600_000 ? disallowedHost(text, rules.links.allow) : undefined;
      if (host) return { rule: 'link', detail: host, strike: true };
    }
    if (rules.mentions > 0) {
      const mentioned = mentionCount(text);
      if (mentioned > rules.mentions) return { rule: 'mentions', detail: String(mentioned), strike: true };
    }
    if (windows?.repeat) return { rule: 'repeat', detail: null, strike: windows.repeat === 'crossed' };
    if (windows?.flood) return { rule: 'flood', detail: null, strike: windows.flood === 'crossed' };
    return undefined;
  }

  /** Rows of members quiet for longer than any window (housekeeping). */
  pruneRates(now: Date): Promise<number> {
    return this.deps.repo.pruneRatesBefore(now.getTime() - DAY_MS);
  }

  /** The message this event carries, where the platform lets the bot delete it. */
  private async deletion(ctx: Scene): Promise<ModerationAction | undefined> {
    const { event } = ctx;
    if (event?.type !== 'message' || !event.channelId || !event.messageId) return undefined;
    if (!(await this.deps.moderator.can(ctx.community.id, 'delete'))) return undefined;
    return { kind: 'delete', channelId: event.channelId, messageId: event.messageId };
  }

  private async deleteOnly(ctx: CommandContext, rule: string): Promise<void> {
    if (!this.deps.config.deleteMessages) return;
    const action = await this.deletion(ctx);
    if (action) this.actAfterCommit(ctx, ctx.member, [action], { strikeId: null, rule, strikes: null });
  }

  /**
   * Runs the platform actions after the commit, each logged in its own small
   * unit: done, or failed with the platform's reason (and marked not done).
   * A refused step of an automatic strike is alerted to the admins: the bot
   * lacks a permission, or the member is above it.
   */
  private actAfterCommit(ctx: Scene, member: MemberInfo, actions: readonly ModerationAction[], about: { strikeId: number | null; rule: string | null; matched?: string | null; strikes: number | null }): void {
    if (actions.length === 0) return;
    const communityId = ctx.community.id;
    const reason = `qunbot: ${about.rule ?? 'admin warning'}${about.strikes ? `, strike ${about.strikes}` : ''}`;
    ctx.afterCommit(async () => {
      const failed: Array<{ kind: ModerationKind; error: string }> = [];
      for (const action of actions) {
        let error: string | null = null;
        try {
          await this.deps.moderator.act(communityId, action, reason);
        } catch (err) {
          error = (err instanceof Error ? err.message : String(err)).slice(0, 300);
          failed.push({ kind: action.kind, error });
        }
        const at = ctx.now.getTime();
        await this.deps.unit(() =>
          this.deps.repo.log({
            communityId,
            memberId: member.id,
            actorId: null,
            action: action.kind,
            outcome: error === null ? 'done' : 'failed',
            error,
            wanted: error === null ? null : action.kind,
            strikeId: about.strikeId,
            rule: about.rule,
            matched: about.matched ?? null,
            strikes: about.strikes,
            at,
          }),
        );
      }
      const { strikeId, rule } = about;
      if (failed.length === 0 || strikeId === null || rule === null || ctx.member.id !== member.id) return;
      const text = ctx.t('moderation.alertFailed', { name: member.displayName, rule, actions: this.actions(ctx, failed.map((f) => f.kind)), error: failed[0]?.error ?? '' });
      const alerted = await this.deps.unit((unit) => this.deps.alertAdmins(ctx.community, text, `moderation-alert-failed:${strikeId}`, ctx.now, (fn) => unit.afterCommit(fn)));
      await alerted.runAfterCommit((err) => {
        throw err;
      });
    });
  }

  /** An automatic strike whose steps the platform does not let the bot do: the admins hear of it (the rule and count, never the text). */
  private async alertNotDone(ctx: Scene, struck: Struck, rule: string): Promise<void> {
    const text = ctx.t('moderation.alertNotDone', { name: ctx.member.displayName, rule, count: struck.count, days: this.deps.config.strikeDays, actions: this.actions(ctx, struck.wanted) });
    await this.deps.alertAdmins(ctx.community, text, `moderation-alert:${struck.id}`, ctx.now, ctx.afterCommit);
  }

  /**
   * Records a strike (once per source key) and its log row; undefined when
   * that source was struck before. The ladder's steps the platform lets the
   * bot do run after the commit; `wanted` are the others, logged as not done.
   */
  private async strike(ctx: Scene, member: MemberInfo, s: StrikeSource, options: { delete?: boolean } = {}): Promise<Struck | undefined> {
    const { config, repo, moderator } = this.deps;
    const at = ctx.now.getTime();
    const id = await repo.addStrike({ communityId: ctx.community.id, memberId: member.id, ...s, at, expiresAt: at + config.strikeDays * DAY_MS });
    if (id === undefined) return undefined;
    const count = (await repo.activeStrikes(member.id, at)).length;
    const step = config.ladder[Math.min(count, config.ladder.length) - 1] ?? 'warn';
    const wanted: ModerationKind[] = [];
    const actions: ModerationAction[] = [];
    if (s.kind !== 'manual' && config.deleteMessages && options.delete !== false) {
      const deletion = await this.deletion(ctx);
      if (deletion) actions.push(deletion);
      else wanted.push('delete');
    }
    if (step !== 'warn') {
      if (!(await moderator.can(ctx.community.id, step))) wanted.push(step);
      else if (step === 'timeout') actions.push({ kind: 'timeout', platformUserId: member.platformUserId, until: new Date(at + config.timeoutMinutes * 60_000) });
      else actions.push({ kind: 'kick', platformUserId: member.platformUserId });
    }
    await repo.log({ communityId: ctx.community.id, memberId: member.id, actorId: s.createdBy, action: 'warn', wanted: wanted.join(',') || null, strikeId: id, rule: s.rule, matched: s.matched, reason: s.reason, strikes: count, at });
    this.actAfterCommit(ctx, member, actions, { strikeId: id, rule: s.rule, matched: s.matched, strikes: count });
    return { id, count, wanted, actions };
  }

  // ── per-community spam settings ─────────────────────────────────────

  /** The spam rules a community runs: `moderation.spam`, with the values its admins set (`/mod spam`). */
  async spamRules(communityId: number): Promise<SpamRules> {
    return effectiveSpam(this.deps.config.spam, await this.deps.repo.spam(communityId));
  }

  /** `/mod spam` shows the rules; `/mod spam flood=8/10 repeat=3 mentions=5 links=off newMemberHours=24` changes them for this community. */
  async spamSettings(ctx: CommandContext, raw: string | undefined): Promise<Reply> {
    const stored = await this.deps.repo.spam(ctx.community.id);
    const current: SpamOverrideValues = stored ?? NO_OVERRIDES;
    const lines: string[] = [];
    if (raw !== undefined && raw.trim() !== '') {
      const parsed = parseSpamSettings(raw, current, this.deps.config.spam);
      if (!parsed.ok) throw new UserError(`moderation.spam.${parsed.problem}`, { key: parsed.key, value: parsed.value, expected: parsed.expected });
      await this.deps.repo.saveSpam(ctx.community.id, parsed.value, ctx.member.id, ctx.now.getTime());
      lines.push(ctx.t('moderation.spam.saved'));
      this.syncAfterCommit(ctx);
    }
    const rules = raw !== undefined && raw.trim() !== '' ? effectiveSpam(this.deps.config.spam, (await this.deps.repo.spam(ctx.community.id)) ?? NO_OVERRIDES) : effectiveSpam(this.deps.config.spam, current);
    const off = ctx.t('moderation.spam.off');
    lines.push(
      ctx.t('moderation.spam.show', {
        flood: rules.flood.messages > 0 ? `${rules.flood.messages}/${rules.flood.seconds}` : off,
        repeat: rules.repeats.count > 1 ? `${rules.repeats.count}/${rules.repeats.seconds}` : off,
        mentions: rules.mentions > 0 ? String(rules.mentions) : off,
        links: rules.links.newMemberHours > 0 ? String(rules.links.newMemberHours) : off,
      }),
    );
    return { title: ctx.t('moderation.spam.title'), text: this.withPlatformNote(ctx, lines.join('\n')), ephemeral: true };
  }

  // ── AutoMod (Discord) ───────────────────────────────────────────────

  private automodOn(): boolean {
    return this.deps.config.enabled && this.deps.config.discordAutomod && this.deps.automod !== undefined;
  }

  /** After a change of the list or the spam settings: sync the platform's rules, after the commit (never inside the unit). */
  private syncAfterCommit(ctx: Scene): void {
    if (!this.automodOn()) return;
    const communityId = ctx.community.id;
    const now = ctx.now;
    ctx.afterCommit(async () => {
      await this.syncAutomod(communityId, now);
    });
  }

  /** A community first seen after the start (no sync recorded yet) gets its AutoMod rules after this message's commit; checked once per process. */
  private async firstSight(ctx: CommandContext): Promise<void> {
    if (!this.automodOn() || this.seen.has(ctx.community.id)) return;
    this.seen.add(ctx.community.id);
    if (!(await this.deps.repo.automod(ctx.community.id)) && (await this.deps.automod?.(ctx.community.id))) this.syncAfterCommit(ctx);
  }

  /** The admin's view of the last AutoMod sync (Discord only): rules, entries beyond its limits, a failure. */
  private async automodNote(ctx: CommandContext): Promise<string[]> {
    if (!this.automodOn() || !(await this.deps.automod?.(ctx.community.id))) return [];
    const row = await this.deps.repo.automod(ctx.community.id);
    if (!row) return [ctx.t('moderation.automod.pending')];
    if (row.status === 'failed') return [ctx.t('moderation.automod.failed', { error: row.error ?? '' })];
    const lines = [ctx.t('moderation.automod.synced', { keywords: row.keywords })];
    if (row.overflow > 0) lines.push(ctx.t('moderation.automod.overflow', { count: row.overflow }));
    return lines;
  }

  /** At start: every community on a platform with automatic moderation. Failures are logged and recorded per community. */
  async syncAllAutomod(now: Date): Promise<void> {
    if (!this.automodOn()) return;
    const { value: ids } = await this.deps.unit(() => this.deps.repo.communityIds('discord'));
    for (const id of ids) await this.syncAutomod(id, now);
  }

  /**
   * Makes the platform's rules (the bot's, known by name) what the community's
   * list and spam settings call for: lists them, writes only what differs
   * (nothing when nothing changed), and records the outcome. A failure (the
   * bot lacks Manage Server, the server is at its rule limit) is logged and
   * told to the admins once, when syncing starts failing; the bot's own
   * filter works either way.
   */
  async syncAutomod(communityId: number, now: Date): Promise<AutomodSynced | undefined> {
    const previous = this.syncing.get(communityId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.syncNow(communityId, now));
    this.syncing.set(communityId, run);
    try {
      return await run;
    } finally {
      if (this.syncing.get(communityId) === run) this.syncing.delete(communityId);
    }
  }

  private async syncNow(communityId: number, now: Date): Promise<AutomodSynced | undefined> {
    if (!this.automodOn()) return undefined;
    const target = await this.deps.automod?.(communityId);
    if (!target) return undefined;
    const { community, automod } = target;
    const t = (await this.deps.translate?.(communityId)) ?? ((key: string) => key);
    const { value: input } = await this.deps.unit(async () => {
      const own = await this.deps.repo.words(communityId);
      const spam = await this.spamRules(communityId);
      return { own, spam };
    });
    const entries = [...this.deps.defaultList.entries.map((e) => ({ key: e.word, allow: e.allow })), ...input.own.map((w) => ({ key: w.word_key, allow: w.allow === 1 }))];
    const blockMessage = t('moderation.automod.blockMessage').slice(0, automod.automodLimits.blockMessageLength);
    let plan: AutomodPlan | undefined;
    let writes = 0;
    let error: string | null = null;
    let ruleIds: string[] = [];
    try {
      const current = await automod.automodRules(community);
      const variants = this.deps.defaultList.variants;
      plan = planAutomod({ block: entries.filter((e) => !e.allow).flatMap((e) => spellings(e.key, variants)), allow: entries.filter((e) => e.allow).map((e) => e.key), mentions: input.spam.mentions, blockMessage, limits: automod.automodLimits }, current);
      const w = automodWrites(current, plan.rules);
      for (const id of w.remove) await automod.deleteAutomodRule(community, id);
      for (const u of w.update) await automod.updateAutomodRule(community, u.id, u.rule);
      const created = [];
      for (const rule of w.create) created.push(await automod.createAutomodRule(community, rule));
      writes = w.create.length + w.update.length + w.remove.length;
      ruleIds = [...current.filter((r) => isOwned(r) && !w.remove.includes(r.id)).map((r) => r.id), ...created.map((r) => r.id)];
      if (noWrites(w)) this.deps.logger?.debug({ community: communityId }, 'AutoMod rules already in sync');
      else this.deps.logger?.info({ community: communityId, created: w.create.length, updated: w.update.length, removed: w.remove.length }, 'AutoMod rules synced');
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).slice(0, 300);
      this.deps.logger?.warn({ community: communityId, err: error }, 'AutoMod sync failed; the bot’s own filter keeps working');
    }
    const overflow = plan ? plan.overflow.keywords + plan.overflow.allow : 0;
    const committed = await this.deps.unit(async (unit) => {
      const before = await this.deps.repo.automod(communityId);
      const status = error === null ? 'ok' : 'failed';
      await this.deps.repo.saveAutomod({
        community_id: communityId,
        status,
        error,
        // A failed sync keeps the rule ids known before (their execution events are still the bot's).
        rule_ids: error === null ? ruleIds.join(',') : (before?.rule_ids ?? ''),
        keywords: plan && error === null ? plan.keywords : (before?.keywords ?? 0),
        overflow: error === null ? overflow : (before?.overflow ?? 0),
        synced_at: now.getTime(),
      });
      if (error !== null && before?.status !== 'failed') {
        await this.deps.alertAdmins(community, t('moderation.automod.alertFailed', { error }), `moderation-automod-failed:${communityId}:${now.getTime()}`, now, (fn) => unit.afterCommit(fn));
      } else if (error === null && overflow > 0 && (before?.overflow !== overflow || before.status === 'failed')) {
        await this.deps.alertAdmins(community, t('moderation.automod.alertOverflow', { count: overflow, keywords: plan?.keywords ?? 0 }), `moderation-automod-overflow:${communityId}:${now.getTime()}`, now, (fn) => unit.afterCommit(fn));
      }
    });
    await committed.runAfterCommit((err) => this.deps.logger?.warn({ err }, 'AutoMod alert could not be queued'));
    return { status: error === null ? 'ok' : 'failed', writes, keywords: plan?.keywords ?? 0, overflow, error };
  }

  /**
   * What AutoMod did to a member's message (Discord's action-execution event):
   * a rule of the bot's blocked it, so it is a strike on the same ladder,
   * once per message. A message that exists (`messageId`) shares its source
   * key with the bot's own filter (`msg:<community>:<id>`), so the two never both count;
   * a blocked message has no id, so the same member, rule and text within
   * ten minutes is one message (a replayed event, or the member sending it
   * again at once). The log names the rule and the masked keyword, never
   * the text.
   */
  async onAutomodExecution(e: AutomodExecution, now: Date): Promise<'struck' | 'duplicate' | 'ignored'> {
    if (!this.deps.config.enabled || !this.deps.resolve || e.isAdmin) return 'ignored';
    const resolve = this.deps.resolve;
    const bucket = Math.floor(now.getTime() / AUTOMOD_DEDUPE_MS);
    const digest = e.messageId ? '' : createHash('sha256').update([e.ruleId, e.platformUserId, e.channelId ?? '', e.matchedKeyword ?? '', e.content].join('\u0000')).digest('hex').slice(0, 24);
    const committed = await this.deps.unit(async (unit) => {
      const { community, member } = await resolve({ platform: e.platform, externalId: e.externalId }, e.platformUserId, e.displayName ?? '', now);
      // The router's delivery ids are per community (`<community>:<message id>`): the same key as the filter's strike of that message.
      const keyOf = (b: number): string => (e.messageId ? `msg:${community.id}:${e.messageId}` : `automod:${digest}:${b}`);
      const state = await this.deps.repo.automod(community.id);
      if (!state || !state.rule_ids.split(',').includes(e.ruleId)) return 'ignored' as const;
      if (!e.messageId && (await this.deps.repo.strikeExists(community.id, keyOf(bucket - 1)))) return 'duplicate' as const;
      const t = (await this.deps.translate?.(community.id)) ?? ((key: string) => key);
      const scene: Scene = { community, member, now, t, afterCommit: (fn) => unit.afterCommit(fn) };
      const keyword = e.matchedKeyword?.replace(/^\*|\*$/g, '') ?? '';
      const rule = e.trigger === 'mentionSpam' ? 'automod:mentions' : 'automod:keyword';
      const source = { sourceKey: keyOf(bucket), kind: e.trigger === 'mentionSpam' ? ('spam' as const) : ('filter' as const), rule, matched: keyword ? mask(keyword) : null, reason: null, createdBy: null };
      // Blocked: nothing to delete.
      const struck = await this.strike(scene, member, source, { delete: false });
      if (!struck) return 'duplicate' as const;
      const days = this.deps.config.strikeDays;
      const warning: Reply = { text: keyword ? t('moderation.warnedAuto', { word: source.matched ?? '', count: struck.count, days }) : t('moderation.warnedSpam', { rule: t('moderation.rule.mentions'), count: struck.count, days }) };
      if (struck.wanted.length > 0) await this.alertNotDone(scene, struck, rule);
      const who = { [member.platformUserId]: member.displayName };
      await this.deps.outbox.post(community.id, warning, {
        key: `moderation-warn:${source.sourceKey}`,
        source: `moderation:${struck.id}`,
        at: now,
        afterCommit: scene.afterCommit,
        direct: { recipient: member.platformUserId, fallback: { text: t('moderation.publicFallbackAuto', { mention: mention(member.platformUserId), count: struck.count, days }), mentions: who } },
      });
      return 'struck' as const;
    });
    await committed.runAfterCommit((err) => this.deps.logger?.warn({ err }, 'after an AutoMod strike'));
    return committed.value;
  }

  // ── /filter ──────────────────────────────────────────────────────────

  private checked(raw: string): { key: string; allow: boolean; word: string } {
    const trimmed = raw.trim();
    const allow = trimmed.startsWith('!') || trimmed.startsWith('！');
    const word = allow ? trimmed.slice(1).trim() : trimmed;
    const result = checkEntry(word, this.deps.defaultList.variants);
    if (!result.ok) throw new UserError(`moderation.entry.${result.problem}`, { max: MAX_ENTRY_LENGTH });
    return { key: result.key, allow, word };
  }

  private withPlatformNote(ctx: CommandContext, text: string): string {
    const lines = [text];
    if (!this.deps.config.enabled) lines.push(ctx.t('moderation.disabled'));
    if (!platformCapabilities(ctx.community.platform).seesAllMessages) lines.push(ctx.t('moderation.onlyMentions'));
    return lines.join('\n');
  }

  async add(ctx: CommandContext, raw: string): Promise<Reply> {
    const { key, allow, word } = this.checked(raw);
    const shown = mask(key);
    const inDefault = this.defaultKeys.get(`${allow ? '!' : ''}${key}`);
    if (inDefault) throw new UserError('moderation.inDefault', { word: shown, rule: inDefault });
    const at = ctx.now.getTime();
    const id = await this.deps.repo.addWord(ctx.community.id, word, key, allow, ctx.member.id, at);
    if (id === undefined) {
      const existing = await this.deps.repo.findWord(ctx.community.id, key, allow);
      throw new UserError('moderation.exists', { word: shown, rule: `c:${existing?.id ?? '?'}` });
    }
    await this.changed(ctx.community.id, at);
    await this.deps.repo.log({ communityId: ctx.community.id, memberId: null, actorId: ctx.member.id, action: 'filter-add', rule: `c:${id}`, matched: `${allow ? '!' : ''}${shown}`, at });
    const text = ctx.t(allow ? 'moderation.addedAllow' : 'moderation.added', { word: shown, rule: `c:${id}` });
    this.syncAfterCommit(ctx);
    return { text: this.withPlatformNote(ctx, [text, ...(await this.automodNote(ctx))].join('\n')), ephemeral: true };
  }

  async remove(ctx: CommandContext, raw: string): Promise<Reply> {
    const { key, allow } = this.checked(raw);
    const shown = mask(key);
    const row = await this.deps.repo.findWord(ctx.community.id, key, allow);
    if (!row) {
      const inDefault = this.defaultKeys.get(`${allow ? '!' : ''}${key}`);
      throw inDefault ? new UserError('moderation.defaultOnly', { word: shown, rule: inDefault }) : new UserError('moderation.notFound', { word: shown });
    }
    const at = ctx.now.getTime();
    await this.deps.repo.removeWord(row.id);
    await this.changed(ctx.community.id, at);
    await this.deps.repo.log({ communityId: ctx.community.id, memberId: null, actorId: ctx.member.id, action: 'filter-remove', rule: `c:${row.id}`, matched: `${allow ? '!' : ''}${shown}`, at });
    this.syncAfterCommit(ctx);
    return { text: [ctx.t('moderation.removed', { word: shown, rule: `c:${row.id}` }), ...(await this.automodNote(ctx))].join('\n'), ephemeral: true };
  }

  private async changed(communityId: number, at: number): Promise<void> {
    await this.deps.repo.bumpRevision(communityId, randomUUID(), at);
  }

  async list(ctx: CommandContext): Promise<Reply> {
    const defaults = this.deps.defaultList.entries;
    const allows = defaults.filter((e) => e.allow).length;
    const lines = [ctx.t('moderation.listDefault', { words: defaults.length - allows, allows })];
    const own = await this.deps.repo.words(ctx.community.id);
    if (own.length === 0) lines.push(ctx.t('moderation.listNone'));
    else {
      lines.push(ctx.t('moderation.listCommunity'));
      for (const w of own.slice(0, LIST_SHOWN)) lines.push(ctx.t(w.allow ? 'moderation.listRowAllow' : 'moderation.listRow', { rule: `c:${w.id}`, word: mask(w.word_key) }));
      if (own.length > LIST_SHOWN) lines.push(ctx.t('moderation.listMore', { count: own.length - LIST_SHOWN }));
    }
    lines.push(...(await this.automodNote(ctx)));
    return { title: ctx.t('moderation.listTitle'), text: this.withPlatformNote(ctx, lines.join('\n')), ephemeral: true };
  }

  async test(ctx: CommandContext, text: string): Promise<Reply> {
    const hits = (await this.filterFor(ctx.community.id)).match(text);
    if (hits.length === 0) return { text: ctx.t('moderation.testNone'), ephemeral: true };
    return { text: ctx.t('moderation.testHits', { rules: hits.map((h) => `${h.id}「${mask(h.word)}」`).join(ctx.t('moderation.actionJoin')) }), ephemeral: true };
  }

  // ── /mod ─────────────────────────────────────────────────────────────

  async warn(ctx: CommandContext, member: MemberInfo, reason: string): Promise<Reply> {
    if (member.id === ctx.member.id) throw new UserError('moderation.noAdminWarn');
    const clean = reason.trim().slice(0, 200);
    const struck = await this.strike(ctx, member, { sourceKey: `warn:${ctx.event.deliveryId}`, kind: 'manual', rule: null, matched: null, reason: clean, createdBy: ctx.member.id });
    const days = this.deps.config.strikeDays;
    // A repeated delivery is answered by the router from the stored reply; this is a second /mod warn in one delivery (never).
    const count = struck?.count ?? (await this.deps.repo.activeStrikes(member.id, ctx.now.getTime())).length;
    const who = { [member.platformUserId]: member.displayName };
    const dm: Reply = { text: ctx.t('moderation.warnedManual', { reason: clean, count, days }) };
    const fallback: Reply = { text: ctx.t('moderation.publicFallbackManual', { mention: mention(member.platformUserId), reason: clean, count, days }), mentions: who };
    if (struck) {
      await this.deps.outbox.post(ctx.community.id, dm, {
        key: `moderation-warn:${ctx.event.deliveryId}`,
        source: `moderation:${struck.id}`,
        at: ctx.now,
        afterCommit: ctx.afterCommit,
        direct: { recipient: member.platformUserId, fallback },
      });
    }
    const lines = [ctx.t('moderation.warnDone', { name: member.displayName, count, days })];
    if (struck?.actions.length) lines.push(ctx.t('moderation.acting', { actions: this.actions(ctx, struck.actions.map((a) => a.kind)) }));
    if (struck?.wanted.length) lines.push(ctx.t('moderation.notDone', { actions: this.actions(ctx, struck.wanted) }));
    return { text: this.withPlatformNote(ctx, lines.join('\n')), ephemeral: true };
  }

  private actions(ctx: Pick<Scene, 't'>, wanted: readonly string[]): string {
    return wanted
      .map((a) => (a === 'timeout' ? ctx.t('moderation.action.timeout', { minutes: this.deps.config.timeoutMinutes }) : a === 'kick' ? ctx.t('moderation.action.kick') : ctx.t('moderation.action.delete')))
      .join(ctx.t('moderation.actionJoin'));
  }

  async strikes(ctx: CommandContext, member: MemberInfo): Promise<Reply> {
    const rows = await this.deps.repo.activeStrikes(member.id, ctx.now.getTime());
    if (rows.length === 0) return { text: ctx.t('moderation.strikesNone', { name: member.displayName }), ephemeral: true };
    return { title: ctx.t('moderation.strikesTitle', { name: member.displayName }), text: rows.map((r) => this.strikeLine(ctx, r)).join('\n'), ephemeral: true };
  }

  private strikeLine(ctx: CommandContext, r: StrikeRow): string {
    const date = formatLocal(new Date(r.created_at), ctx.community.timezone);
    const expires = formatLocal(new Date(r.expires_at), ctx.community.timezone);
    return r.kind === 'filter'
      ? ctx.t('moderation.strikeAuto', { id: r.id, date, rule: r.rule ?? '?', word: r.matched ?? '', expires })
      : ctx.t('moderation.strikeManual', { id: r.id, date, reason: r.reason ?? '', expires });
  }

  async pardon(ctx: CommandContext, member: MemberInfo): Promise<Reply> {
    const at = ctx.now.getTime();
    const count = await this.deps.repo.pardon(member.id, ctx.member.id, at);
    if (count === 0) return { text: ctx.t('moderation.nothingToPardon', { name: member.displayName }), ephemeral: true };
    await this.deps.repo.log({ communityId: ctx.community.id, memberId: member.id, actorId: ctx.member.id, action: 'pardon', strikes: count, at });
    return { text: ctx.t('moderation.pardoned', { name: member.displayName, count }), ephemeral: true };
  }

  async log(ctx: CommandContext): Promise<Reply> {
    const rows = await this.deps.repo.recentLog(ctx.community.id, LOG_SHOWN);
    if (rows.length === 0) return { text: ctx.t('moderation.logNone'), ephemeral: true };
    return { title: ctx.t('moderation.logTitle', { count: rows.length }), text: rows.map((r) => this.logLine(ctx, r)).join('\n'), ephemeral: true };
  }

  private logLine(ctx: CommandContext, r: LogView): string {
    const why = [
      r.rule ? (r.matched ? ctx.t('moderation.logRule', { rule: r.rule, word: r.matched }) : ctx.t('moderation.logRuleOnly', { rule: r.rule })) : '',
      r.reason ? ctx.t('moderation.logReason', { reason: r.reason }) : '',
      r.action === 'warn' && r.strikes ? ctx.t('moderation.logStrikes', { count: r.strikes }) : '',
    ].join('');
    const { action } = r;
    return ctx.t('moderation.logRow', {
      date: formatLocal(new Date(r.created_at), ctx.community.timezone),
      action: action === 'delete' || action === 'timeout' || action === 'kick' ? this.actions(ctx, [action]) : ctx.t(`moderation.action.${action}`),
      who: r.member_name ?? '',
      by: r.actor_name ?? ctx.t('moderation.logBot'),
      why,
      wanted:
        (r.outcome === 'done' ? ctx.t('moderation.logDone') : '') +
        (r.wanted ? ctx.t('moderation.logWanted', { actions: this.actions(ctx, r.wanted.split(',')) }) : '') +
        (r.error ? ctx.t('moderation.logError', { error: r.error }) : ''),
    });
  }
}
