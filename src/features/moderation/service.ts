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
import { randomUUID } from 'node:crypto';
import { platformCapabilities, privateReplies } from '../../core/capabilities.js';
import { UserError } from '../../core/errors.js';
import type { Outbox } from '../../core/outbox/service.js';
import type { ModerationAction, ModerationKind, Moderator } from '../../core/sender.js';
import type { AfterCommit, CommandContext, CommunityInfo, MemberInfo } from '../../core/context.js';
import type { Store } from '../../store/db.js';
import { mention, type Reply } from '../../core/reply.js';
import { formatLocal } from '../../core/time/when.js';
import { WordFilter, type FilterEntry } from './filter.js';
import { mask } from './normalize.js';
import type { LogView, ModerationRepo, StrikeRow } from './repo.js';
import { checkEntry, MAX_ENTRY_LENGTH, type WordList } from './wordlist.js';
import { disallowedHost, mentionCount, nextRates, textHash, type SpamRule, type SpamRules } from './spam.js';

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

export class ModerationService {
  private readonly defaultFilter: WordFilter;
  private readonly defaultKeys = new Map<string, string>();
  private readonly cache = new Map<number, { revision: string; filter: WordFilter }>();

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
    if (!this.deps.config.enabled || ctx.event.type !== 'message' || ctx.isAdmin) return;
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
    const { spam: rules } = this.deps.config;
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
  private async deletion(ctx: CommandContext): Promise<ModerationAction | undefined> {
    const { event } = ctx;
    if (event.type !== 'message' || !event.channelId || !event.messageId) return undefined;
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
  private actAfterCommit(ctx: CommandContext, member: MemberInfo, actions: readonly ModerationAction[], about: { strikeId: number | null; rule: string | null; matched?: string | null; strikes: number | null }): void {
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
  private async alertNotDone(ctx: CommandContext, struck: Struck, rule: string): Promise<void> {
    const text = ctx.t('moderation.alertNotDone', { name: ctx.member.displayName, rule, count: struck.count, days: this.deps.config.strikeDays, actions: this.actions(ctx, struck.wanted) });
    await this.deps.alertAdmins(ctx.community, text, `moderation-alert:${struck.id}`, ctx.now, ctx.afterCommit);
  }

  /**
   * Records a strike (once per source key) and its log row; undefined when
   * that source was struck before. The ladder's steps the platform lets the
   * bot do run after the commit; `wanted` are the others, logged as not done.
   */
  private async strike(ctx: CommandContext, member: MemberInfo, s: StrikeSource): Promise<Struck | undefined> {
    const { config, repo, moderator } = this.deps;
    const at = ctx.now.getTime();
    const id = await repo.addStrike({ communityId: ctx.community.id, memberId: member.id, ...s, at, expiresAt: at + config.strikeDays * DAY_MS });
    if (id === undefined) return undefined;
    const count = (await repo.activeStrikes(member.id, at)).length;
    const step = config.ladder[Math.min(count, config.ladder.length) - 1] ?? 'warn';
    const wanted: ModerationKind[] = [];
    const actions: ModerationAction[] = [];
    if (s.kind !== 'manual' && config.deleteMessages) {
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
    return { text: this.withPlatformNote(ctx, text), ephemeral: true };
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
    return { text: ctx.t('moderation.removed', { word: shown, rule: `c:${row.id}` }), ephemeral: true };
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

  private actions(ctx: CommandContext, wanted: readonly string[]): string {
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
