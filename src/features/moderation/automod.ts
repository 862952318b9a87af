/**
 * The platform's own automatic moderation (Discord AutoMod), the pure part:
 * which rules the bot wants for a community's word list and spam settings,
 * and the writes that make the platform's rules agree. No I/O; the service
 * lists, writes and records (service.ts, syncAutomod).
 *
 * AutoMod blocks a message before anyone sees it, but it matches whole
 * words (or `*` wildcards) on the text as written: no width, separator or
 * simplified/traditional normalisation, and its limits are small. So it
 * complements the bot's filter, never replaces it: the entries it can hold
 * go to it as well, and everything stays with the bot's filter.
 *
 * Keywords: an entry's normalised key; an edge that is a letter or digit is
 * a word edge, as in the bot's filter (`fuck you` whole words), any other
 * edge gets a `*` (`*傻逼*` anywhere in a sentence, since Chinese has no
 * spaces). Allow entries go to every keyword rule's allow-list as written.
 * Rules the bot owns are known by name (`qunbot: …`); others are never
 * touched, and the keyword rules they hold take room from the bot's.
 */
import type { AutomodLimits, AutomodRuleSpec, AutomodRuleState } from '../../core/sender.js';
import { isWordUnit } from './normalize.js';

export const AUTOMOD_PREFIX = 'qunbot: ';
export const keywordRuleName = (n: number): string => `${AUTOMOD_PREFIX}word list ${n}`;
export const MENTION_RULE_NAME = `${AUTOMOD_PREFIX}mention spam`;

export const isOwned = (rule: { name: string }): boolean => rule.name.startsWith(AUTOMOD_PREFIX);

export interface AutomodInput {
  /** Block entries' normalised keys, in list order (the default list first). */
  block: readonly string[];
  allow: readonly string[];
  /** The mass-mention threshold (more than this many is a strike); 0: off. */
  mentions: number;
  blockMessage: string;
  limits: AutomodLimits;
}

export interface AutomodPlan {
  rules: AutomodRuleSpec[];
  /** Keywords synced to the platform. */
  keywords: number;
  /** What stays with the bot's filter only: block entries beyond the limits, allow entries beyond the allow-list. */
  overflow: { keywords: number; allow: number; mentions: boolean };
}

/**
 * An entry and its traditional spelling where the list gives the pairs
 * (`媽|妈`: 操你妈 and 操你媽): AutoMod reads the text as written, so each
 * spelling is a keyword of its own (the bot's filter folds them).
 */
export function spellings(key: string, variants: ReadonlyMap<string, string>): string[] {
  if (variants.size === 0) return [key];
  const traditional = new Map<string, string>();
  for (const [from, to] of variants) if (!traditional.has(to)) traditional.set(to, from);
  const other = [...key].map((ch) => traditional.get(ch) ?? ch).join('');
  return other === key ? [key] : [key, other];
}

/** The AutoMod keyword for a normalised entry. */
export function automodKeyword(key: string): string {
  const start = isWordUnit(key.charCodeAt(0)) ? '' : '*';
  const end = isWordUnit(key.charCodeAt(key.length - 1)) ? '' : '*';
  return `${start}${key}${end}`;
}

/**
 * The rules the bot wants, given the platform's current rules (others'
 * keyword rules take room; a mention-spam rule of someone else's leaves
 * none for the bot's).
 */
export function planAutomod(input: AutomodInput, current: readonly AutomodRuleState[]): AutomodPlan {
  const { limits } = input;
  const others = current.filter((r) => !isOwned(r));
  const room = Math.max(0, limits.keywordRules - others.filter((r) => r.trigger === 'keyword').length);
  const keywords: string[] = [];
  const seen = new Set<string>();
  let tooLong = 0;
  for (const key of input.block) {
    if (key === '') continue;
    const keyword = automodKeyword(key);
    if (keyword.length > limits.keywordLength) tooLong++;
    else if (!seen.has(keyword)) {
      seen.add(keyword);
      keywords.push(keyword);
    }
  }
  const allow = [...new Set(input.allow.filter((a) => a !== '' && a.length <= limits.keywordLength))];
  const allowKept = allow.slice(0, limits.allowPerRule);
  const capacity = room * limits.keywordsPerRule;
  const kept = keywords.slice(0, capacity);
  const rules: AutomodRuleSpec[] = [];
  for (let i = 0; i * limits.keywordsPerRule < kept.length; i++) {
    rules.push({ name: keywordRuleName(i + 1), trigger: 'keyword', keywords: kept.slice(i * limits.keywordsPerRule, (i + 1) * limits.keywordsPerRule), allow: allowKept, mentionLimit: 0, blockMessage: input.blockMessage });
  }
  const mentionsTaken = others.some((r) => r.trigger === 'mentionSpam');
  const mentionsFit = input.mentions > 0 && input.mentions <= limits.mentionLimitMax && !mentionsTaken;
  if (mentionsFit) rules.push({ name: MENTION_RULE_NAME, trigger: 'mentionSpam', keywords: [], allow: [], mentionLimit: input.mentions, blockMessage: input.blockMessage });
  return {
    rules,
    keywords: kept.length,
    overflow: {
      keywords: tooLong + keywords.length - kept.length,
      allow: kept.length > 0 ? input.allow.length - allowKept.length : 0,
      mentions: input.mentions > 0 && !mentionsFit,
    },
  };
}

export interface AutomodWrites {
  create: AutomodRuleSpec[];
  update: Array<{ id: string; rule: AutomodRuleSpec }>;
  remove: string[];
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** Whether the platform's rule already is what the bot wants. */
export function sameRule(have: AutomodRuleState, want: AutomodRuleSpec): boolean {
  return (
    have.enabled &&
    have.trigger === want.trigger &&
    have.blockMessage === want.blockMessage &&
    (want.trigger === 'mentionSpam' ? have.mentionLimit === want.mentionLimit : sameList(have.keywords, want.keywords) && sameList(have.allow, want.allow))
  );
}

/**
 * The writes from the current rules to the wanted ones: nothing when they
 * agree (a sync is idempotent). The bot's rules only: removals first (they
 * free room), a rule whose kind changed is replaced, duplicates by name go.
 */
export function automodWrites(current: readonly AutomodRuleState[], wanted: readonly AutomodRuleSpec[]): AutomodWrites {
  const owned = current.filter(isOwned);
  const writes: AutomodWrites = { create: [], update: [], remove: [] };
  const used = new Set<string>();
  for (const rule of wanted) {
    const have = owned.find((r) => r.name === rule.name && r.trigger === rule.trigger && !used.has(r.id));
    if (!have) {
      writes.create.push(rule);
      continue;
    }
    used.add(have.id);
    if (!sameRule(have, rule)) writes.update.push({ id: have.id, rule });
  }
  for (const r of owned) if (!used.has(r.id)) writes.remove.push(r.id);
  return writes;
}

export const noWrites = (w: AutomodWrites): boolean => w.create.length + w.update.length + w.remove.length === 0;
