/**
 * Pure lifecycle rules: which message earns activity points, which segment
 * a member is in, which tip a follow-up sends, whom a nudge mentions.
 * No I/O, no clock: callers pass `now` and the facts.
 */
import { createHash } from 'node:crypto';
import { addDays, type Day } from '../../core/community-day.js';

export interface ActivityRules {
  pointsPerMessage: number;
  cooldownSeconds: number;
  /** Characters of real content (emoji, stickers and spaces not counted). */
  minLength: number;
  /** Activity points per member per day. */
  dailyCap: number;
  /** Members younger than this earn at `newMemberRate`. */
  newMemberDays: number;
  newMemberRate: number;
  /** Points earned per member per day across all sources except admin grants; activity points stop there. */
  dailyEarnCap: number;
  /** /stats farming lists members who hit a cap on at least this many of the last 7 days. */
  farmingMinDays: number;
  /** Messages addressed to the bot (an @-mention, the playground) earn points too. */
  pointsForAddressed: boolean;
}

export interface SegmentRules {
  newDays: number;
  /** Active: active on at least this many of the last 7 days. */
  activeDays: number;
  /** Core: active on at least this many of the last 30 days and earned at least corePoints. */
  coreDays: number;
  corePoints: number;
  /** Silent: no activity for this many days. */
  silentDays: number;
}

export const SEGMENTS = ['new', 'active', 'core', 'silent', 'churned', 'casual'] as const;
export type Segment = (typeof SEGMENTS)[number];

export const TIPS = ['checkin', 'chat', 'streak', 'points'] as const;
export type Tip = (typeof TIPS)[number];

// Discord custom emoji <:name:id> / <a:name:id>, WeCom/QQ bracket emoticons [微笑] / [Smile],
// then Unicode emoji (with modifiers, joiners, variation selectors, keycaps and flags).
const STICKERS = /<a?:\w+:\d+>|\[[^\]\s]{1,8}\]|[0-9#*]\ufe0f?\u20e3/gu;
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0e|\ufe0f|\u20e3/gu;

/** The text without emoji, stickers and whitespace: what counts as content. */
export function contentOf(text: string): string {
  return text.replace(STICKERS, '').replace(EMOJI, '').replace(/\s+/g, '');
}

/** Emoji- or sticker-only messages (and empty ones) are not content. */
export function isEmojiOnly(text: string): boolean {
  return contentOf(text).length === 0;
}

/** Hash of the normalised text: case, spacing and emoji do not make a repeat new. */
export function textHash(text: string): string {
  return createHash('sha256').update(contentOf(text).toLowerCase()).digest('hex').slice(0, 16);
}

export type ActivityVerdict = 'ok' | 'emoji' | 'short' | 'duplicate' | 'cooldown' | 'cap';

export interface ActivityInput {
  text: string;
  now: Date;
  lastPointAt: number | null;
  lastHash: string | null;
  /** Activity points already earned today. */
  activityToday: number;
  /** All points earned today except admin grants (check-in, quizzes, activity ...). */
  earnedToday: number;
  /** Whole days since the member joined. */
  memberAgeDays: number;
}

export interface ActivityDecision {
  verdict: ActivityVerdict;
  points: number;
  hash: string;
  /** The member reached a cap with this message (or was already at it). */
  capped: boolean;
}

/**
 * Points for one chat message. Order matters: a message that is not
 * content (emoji, too short, repeated) never counts against cooldown or cap.
 */
export function decideActivity(input: ActivityInput, rules: ActivityRules): ActivityDecision {
  const hash = textHash(input.text);
  const none = (verdict: ActivityVerdict, capped = false): ActivityDecision => ({ verdict, points: 0, hash, capped });
  if (isEmojiOnly(input.text)) return none('emoji');
  if ([...contentOf(input.text)].length < rules.minLength) return none('short');
  if (input.lastHash === hash) return none('duplicate');
  if (input.lastPointAt !== null && input.now.getTime() - input.lastPointAt < rules.cooldownSeconds * 1000) return none('cooldown');
  const isNew = input.memberAgeDays < rules.newMemberDays;
  const rate = isNew ? rules.newMemberRate : 1;
  const perMessage = Math.floor(rules.pointsPerMessage * rate);
  const cap = Math.floor(rules.dailyCap * rate);
  const room = Math.min(cap - input.activityToday, rules.dailyEarnCap - input.earnedToday);
  if (room <= 0) return none('cap', true);
  if (perMessage <= 0) return none('cap');
  const points = Math.min(perMessage, room);
  return { verdict: 'ok', points, hash, capped: points === room };
}

export interface MemberFacts {
  joinedDay: Day;
  left: boolean;
  /** Distinct active days in the last 7 / 30 days, today included. */
  active7: number;
  active30: number;
  lastActiveDay: Day | null;
  earned: number;
}

/** One segment per member, first match wins: churned, new, core, active, silent, casual. */
export function segmentOf(m: MemberFacts, today: Day, rules: SegmentRules): Segment {
  if (m.left) return 'churned';
  if (m.joinedDay > addDays(today, -rules.newDays)) return 'new';
  if (m.active30 >= rules.coreDays && m.earned >= rules.corePoints) return 'core';
  if (m.active7 >= rules.activeDays) return 'active';
  if (isSilent(m.lastActiveDay, m.joinedDay, today, rules.silentDays)) return 'silent';
  return 'casual';
}

export interface SegmentTransition {
  from: string;
  to: Segment;
  count: number;
}

export interface SegmentDiff {
  /** Members whose segment is new to the memory or changed: to be stored with today as their `since_day`. */
  changed: Array<{ memberId: number; segment: Segment }>;
  /** Members to drop from the memory: they left (or are gone). */
  forget: number[];
  /** Moves from the remembered segment to today's, counted per pair, sorted by from then to. */
  transitions: SegmentTransition[];
}

/**
 * Today's segments against the remembered ones (member id → segment). A
 * member seen for the first time is remembered without a transition; a
 * remembered member who left counts once as a move to churned and is
 * forgotten (a rejoin starts afresh); remembered members not in `today`
 * are forgotten.
 */
export function diffSegments(remembered: ReadonlyMap<number, string>, today: Iterable<{ memberId: number; segment: Segment }>): SegmentDiff {
  const changed: SegmentDiff['changed'] = [];
  const forget: number[] = [];
  const counts = new Map<string, SegmentTransition>();
  const seen = new Set<number>();
  const move = (from: string, to: Segment): void => {
    const key = `${from}\u0000${to}`;
    const t = counts.get(key);
    if (t) t.count++;
    else counts.set(key, { from, to, count: 1 });
  };
  for (const { memberId, segment } of today) {
    seen.add(memberId);
    const before = remembered.get(memberId);
    if (segment === 'churned') {
      if (before === undefined) continue;
      if (before !== 'churned') move(before, segment);
      forget.push(memberId);
    } else if (before === undefined) {
      changed.push({ memberId, segment });
    } else if (before !== segment) {
      move(before, segment);
      changed.push({ memberId, segment });
    }
  }
  for (const memberId of remembered.keys()) if (!seen.has(memberId)) forget.push(memberId);
  const transitions = [...counts.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return { changed, forget, transitions };
}

export interface TransitionSummary {
  /** Silent members who were active again (any segment but silent and churned). */
  cameBack: number;
  /** New members who became active or core. */
  newActive: number;
  /** Active or core members who went silent. */
  wentSilent: number;
}

/** The transitions /stats members shows, from (from, to, count) rows (a pair may appear on several days). */
export function summarizeTransitions(rows: Iterable<{ from: string; to: string; count: number }>): TransitionSummary {
  const summary: TransitionSummary = { cameBack: 0, newActive: 0, wentSilent: 0 };
  const activeLike = (s: string): boolean => s === 'active' || s === 'core';
  for (const r of rows) {
    if (r.from === 'silent' && r.to !== 'silent' && r.to !== 'churned') summary.cameBack += r.count;
    if (r.from === 'new' && activeLike(r.to)) summary.newActive += r.count;
    if (activeLike(r.from) && r.to === 'silent') summary.wentSilent += r.count;
  }
  return summary;
}

/** No activity on the last `days` days (today included); a member never active counts from the join. */
function isSilent(lastActiveDay: Day | null, joinedDay: Day, today: Day, days: number): boolean {
  const since = lastActiveDay ?? joinedDay;
  return since <= addDays(today, -days);
}

/** The first tip the member has neither done nor been sent; undefined when none is left. */
export function pickTip(tips: readonly Tip[], done: ReadonlySet<Tip>, sent: ReadonlySet<Tip>): Tip | undefined {
  return tips.find((tip) => !done.has(tip) && !sent.has(tip));
}

export interface NudgeCandidate {
  memberId: number;
  lastActiveDay: Day | null;
  joinedDay: Day;
  quiet: boolean;
  left: boolean;
  lastNudgedDay: Day | null;
}

/**
 * Silent members to nudge: silent for `silentDays`, not opted out, not
 * nudged within `cooldownDays`. The most recently active come first (the
 * likeliest to come back), then by member id; at most `max`.
 */
export function selectNudges(candidates: readonly NudgeCandidate[], today: Day, rules: { silentDays: number; cooldownDays: number; max: number }): NudgeCandidate[] {
  return candidates
    .filter((c) => !c.left && !c.quiet && isSilent(c.lastActiveDay, c.joinedDay, today, rules.silentDays))
    .filter((c) => c.lastNudgedDay === null || c.lastNudgedDay <= addDays(today, -rules.cooldownDays))
    .sort((a, b) => (b.lastActiveDay ?? '').localeCompare(a.lastActiveDay ?? '') || a.memberId - b.memberId)
    .slice(0, rules.max);
}

/** The minute bucket a join falls in (welcome batching). */
export function minuteOf(at: Date): number {
  return Math.floor(at.getTime() / 60_000);
}

// ── per-community texts ───────────────────────────────────────────────

/** The placeholders a welcome text may use. */
export const WELCOME_PLACEHOLDERS = ['mention', 'community', 'bonus'] as const;
/** A nudge must name whom it reminds: `{mentions}` is required. */
export const NUDGE_PLACEHOLDERS = ['mentions'] as const;
/** What a newcomer tip may use: the member's mention. */
export const TIP_PLACEHOLDERS = ['mention'] as const;

/** `{name}` placeholders in `text` that are not in `allowed`, each once, in order of appearance. */
export function unknownPlaceholders(text: string, allowed: readonly string[]): string[] {
  const unknown: string[] = [];
  for (const m of text.matchAll(/\{(\w+)\}/g)) {
    const name = m[1] as string;
    if (!allowed.includes(name) && !unknown.includes(name)) unknown.push(name);
  }
  return unknown;
}

/** Rules as shown in a welcome: the first `maxLines` non-blank lines, and whether there are more. */
export function rulesPreview(text: string, maxLines = 3): { lines: string[]; more: boolean } {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  return { lines: lines.slice(0, maxLines), more: lines.length > maxLines };
}
