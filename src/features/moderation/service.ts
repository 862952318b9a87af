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
 * Admins' messages are never checked. The ladder (config) names what a
 * member's n-th active strike calls for; the bot always warns, and what no
 * platform sender can do yet (delete, timeout, kick) is written to the log as
 * not done and told to the admin who warned.
 *
 * The compiled filter of a community is cached per list revision
 * (moderation_lists, replaced on each change); a community without entries
 * of its own shares the default list's filter.
 */
import { randomUUID } from 'node:crypto';
import { platformCapabilities, privateReplies } from '../../core/capabilities.js';
import type { CommandContext, MemberInfo } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import type { Outbox } from '../../core/outbox/service.js';
import { mention, type Reply } from '../../core/reply.js';
import { formatLocal } from '../../core/time/when.js';
import { WordFilter, type FilterEntry } from './filter.js';
import { mask } from './normalize.js';
import type { LogView, ModerationRepo, StrikeRow } from './repo.js';
import { checkEntry, MAX_ENTRY_LENGTH, type WordList } from './wordlist.js';

export type LadderStep = 'warn' | 'timeout' | 'kick';

export interface ModerationConfig {
  enabled: boolean;
  /** Days a strike counts. */
  strikeDays: number;
  /** The step for a member's 1st, 2nd, … active strike; the last one repeats. */
  ladder: readonly LadderStep[];
  /** Delete a flagged message where the platform lets the bot (none yet). */
  deleteMessages: boolean;
  timeoutMinutes: number;
}

export interface ModerationServiceDeps {
  repo: ModerationRepo;
  outbox: Outbox;
  config: ModerationConfig;
  defaultList: WordList;
}

/** What the bot can do to a message or member beyond warning. None of the platform senders can yet (core/sender.ts has no such port). */
const UNAVAILABLE: ReadonlySet<string> = new Set(['delete', 'timeout', 'kick']);

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

  /** message listener: a member's message that matches the filter earns a strike and a private warning. */
  async onMessage(ctx: CommandContext): Promise<Reply[] | void> {
    if (!this.deps.config.enabled || ctx.event.type !== 'message' || ctx.isAdmin) return;
    const hit = (await this.filterFor(ctx.community.id)).first(ctx.event.text);
    if (!hit) return;
    const matched = mask(hit.word);
    const struck = await this.strike(ctx, ctx.member, { sourceKey: `msg:${ctx.event.deliveryId}`, kind: 'filter', rule: hit.id, matched, reason: null, createdBy: null });
    if (!struck) return;
    const { count } = struck;
    const days = this.deps.config.strikeDays;
    const warning: Reply = { text: ctx.t('moderation.warnedAuto', { word: matched, count, days }) };
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
   * Records a strike (once per source key) and its log row; undefined when
   * that source was struck before. `wanted`: the ladder's steps no sender can do.
   */
  private async strike(
    ctx: CommandContext,
    member: MemberInfo,
    s: { sourceKey: string; kind: 'filter' | 'manual'; rule: string | null; matched: string | null; reason: string | null; createdBy: number | null },
  ): Promise<{ id: number; count: number; wanted: string[] } | undefined> {
    const { config, repo } = this.deps;
    const at = ctx.now.getTime();
    const id = await repo.addStrike({ communityId: ctx.community.id, memberId: member.id, ...s, at, expiresAt: at + config.strikeDays * DAY_MS });
    if (id === undefined) return undefined;
    const count = (await repo.activeStrikes(member.id, at)).length;
    const step = config.ladder[Math.min(count, config.ladder.length) - 1] ?? 'warn';
    const wanted = [...(s.kind === 'filter' && config.deleteMessages ? ['delete'] : []), ...(step === 'warn' ? [] : [step])].filter((a) => UNAVAILABLE.has(a));
    await repo.log({ communityId: ctx.community.id, memberId: member.id, actorId: s.createdBy, action: 'warn', wanted: wanted.join(',') || null, strikeId: id, rule: s.rule, matched: s.matched, reason: s.reason, strikes: count, at });
    return { id, count, wanted };
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
      r.rule ? ctx.t('moderation.logRule', { rule: r.rule, word: r.matched ?? '' }) : '',
      r.reason ? ctx.t('moderation.logReason', { reason: r.reason }) : '',
      r.action === 'warn' && r.strikes ? ctx.t('moderation.logStrikes', { count: r.strikes }) : '',
    ].join('');
    return ctx.t('moderation.logRow', {
      date: formatLocal(new Date(r.created_at), ctx.community.timezone),
      action: ctx.t(`moderation.action.${r.action}`),
      who: r.member_name ?? '',
      by: r.actor_name ?? ctx.t('moderation.logBot'),
      why,
      wanted: r.wanted ? ctx.t('moderation.logWanted', { actions: this.actions(ctx, r.wanted.split(',')) }) : '',
    });
  }
}
