/**
 * Flood and spam rules (刷屏、广告), pure: what one message does to a
 * member's windows, how many members it mentions, which links it carries.
 * The windows live in the database (moderation_rates, repo.ts) so every
 * process agrees; this file only computes the next state from the last.
 */
import { createHash } from 'node:crypto';
import { normalize } from './normalize.js';

export interface SpamRules {
  /** More than `messages` messages within `seconds` from one member. 0 messages: off. */
  flood: { messages: number; seconds: number };
  /** The same message `count` times in a row within `seconds`. 0 count: off. */
  repeats: { count: number; seconds: number };
  /** More than this many members mentioned in one message. 0: off. */
  mentions: number;
  /** Links and invites from members who joined less than `newMemberHours` ago; hosts on `allow` (and their subdomains) pass. 0 hours: off. */
  links: { newMemberHours: number; allow: readonly string[] };
}

export type SpamRule = 'flood' | 'repeat' | 'mentions' | 'link';

export interface RateState {
  floodStart: number;
  floodCount: number;
  repeatHash: string;
  repeatStart: number;
  repeatCount: number;
}

/** A window's verdict: the message that goes over the line (`crossed`, a strike), the ones after it in the same window (`over`, deleted only). */
export type WindowHit = 'crossed' | 'over' | undefined;

/**
 * The member's windows after one more message at `now` whose normalised
 * text hashes to `hash`. Fixed windows, like the command rate limit: the
 * flood window starts with the first message after the previous one ended;
 * the repeat run starts again with a different message or an ended window.
 */
export function nextRates(prev: RateState | undefined, now: number, hash: string, rules: Pick<SpamRules, 'flood' | 'repeats'>): { state: RateState; flood: WindowHit; repeat: WindowHit } {
  const floodOpen = prev !== undefined && now - prev.floodStart < rules.flood.seconds * 1000 && now >= prev.floodStart;
  const floodStart = floodOpen ? prev.floodStart : now;
  const floodCount = floodOpen ? prev.floodCount + 1 : 1;
  // An empty hash (a message with no text to compare: only an image, or Discord without the Message Content intent) repeats nothing.
  const repeatOpen = hash !== '' && prev !== undefined && prev.repeatHash === hash && now - prev.repeatStart < rules.repeats.seconds * 1000 && now >= prev.repeatStart;
  const repeatStart = repeatOpen ? prev.repeatStart : now;
  const repeatCount = repeatOpen ? prev.repeatCount + 1 : 1;
  const { messages } = rules.flood;
  const { count } = rules.repeats;
  return {
    state: { floodStart, floodCount, repeatHash: hash, repeatStart, repeatCount },
    flood: messages <= 0 || floodCount <= messages ? undefined : floodCount === messages + 1 ? 'crossed' : 'over',
    repeat: count <= 1 || hash === '' || repeatCount < count ? undefined : repeatCount === count ? 'crossed' : 'over',
  };
}

/** A short hash of the text as the word filter reads it, so `hi!!` and `HI` repeat each other; never the text itself. '' for no text. */
export function textHash(text: string): string {
  const plain = normalize(text).text;
  return plain === '' ? '' : createHash('sha256').update(plain).digest('base64url').slice(0, 16);
}

/** Distinct members mentioned (`<@id>`, `<@!id>`: Discord's form, and the bot's own in replies). */
export function mentionCount(text: string): number {
  return new Set([...text.matchAll(/<@!?(\d+)>/g)].map((m) => m[1])).size;
}

/** Bare invite hosts and links written with a scheme or `www.`; lower-cased hosts, in order. */
const LINK = /\b(?:https?:\/\/([^\s/?#<>"'`]+)|(www\.[^\s/?#<>"'`]+)|((?:discord\.gg|discord(?:app)?\.com\/invite)\/[\w-]+))/giu;

export function linkHosts(text: string): string[] {
  const hosts: string[] = [];
  for (const m of text.matchAll(LINK)) {
    const raw = m[1] ?? m[2] ?? m[3] ?? '';
    const host = raw.split('/')[0]?.replace(/^[^@]*@/, '').replace(/:\d+$/, '').replace(/\.+$/, '').toLowerCase() ?? '';
    if (host) hosts.push(host);
  }
  return hosts;
}

/** The first host not on the allow-list (a listed domain also allows its subdomains). */
export function disallowedHost(text: string, allow: readonly string[]): string | undefined {
  const allowed = allow.map((d) => d.toLowerCase().replace(/^\.+/, ''));
  return linkHosts(text).find((host) => !allowed.some((d) => host === d || host.endsWith(`.${d}`)));
}

/** A community's overrides of the config's rules (NULL: the config's value), as stored (repo.ts, moderation_spam). */
export interface SpamOverrideValues {
  flood_messages: number | null;
  flood_seconds: number | null;
  repeat_count: number | null;
  repeat_seconds: number | null;
  mentions: number | null;
  new_member_hours: number | null;
}

export const NO_OVERRIDES: SpamOverrideValues = { flood_messages: null, flood_seconds: null, repeat_count: null, repeat_seconds: null, mentions: null, new_member_hours: null };

/** The rules a community runs: the config's, with its own values where it set them. */
export function effectiveSpam(config: SpamRules, o: SpamOverrideValues | undefined): SpamRules {
  if (!o) return config;
  return {
    flood: { messages: o.flood_messages ?? config.flood.messages, seconds: o.flood_seconds ?? config.flood.seconds },
    repeats: { count: o.repeat_count ?? config.repeats.count, seconds: o.repeat_seconds ?? config.repeats.seconds },
    mentions: o.mentions ?? config.mentions,
    links: { newMemberHours: o.new_member_hours ?? config.links.newMemberHours, allow: config.links.allow },
  };
}

/** Why `/mod spam …` is refused: the setting and what it expects (the catalog key's suffix). */
export interface SpamSettingError {
  problem: 'unknown' | 'format' | 'range';
  key: string;
  value: string;
  /** The accepted form (`8/10`), or the range (`0–1000`). */
  expected: string;
}

const LIMITS = {
  floodMessages: [0, 1000],
  floodSeconds: [1, 3600],
  repeatCount: [0, 100],
  repeatSeconds: [1, 86_400],
  mentions: [0, 1000],
  newMemberHours: [0, 8760],
} as const;

/** The Chinese names of the settings and of on/off (刷屏=8/10 链接=关闭). */
const KEY_ALIASES: Record<string, string> = { 刷屏: 'flood', 重复: 'repeat', 提及: 'mentions', '@人数': 'mentions', 链接: 'links', 新成员小时: 'newmemberhours' };
const VALUE_ALIASES: Record<string, string> = { 关: 'off', 关闭: 'off', 开: 'on', 开启: 'on' };

const intIn = (raw: string, [min, max]: readonly [number, number]): number | undefined => {
  if (!/^\d{1,6}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
};

/**
 * `flood=8/10 repeat=3 mentions=5 links=off newMemberHours=24` (names as the
 * config spells them; `repeats`, `off` for 0 also read) → the overrides,
 * starting from `current`. `links=on` goes back to the config's hours (or
 * 24 when the config has links off). Strict: one bad setting refuses all.
 */
export function parseSpamSettings(raw: string, current: SpamOverrideValues, config: SpamRules): { ok: true; value: SpamOverrideValues } | ({ ok: false } & SpamSettingError) {
  const out = { ...current };
  const range = (l: readonly [number, number]): string => `${l[0]}–${l[1]}`;
  for (const part of raw.split(/\s+/).filter(Boolean)) {
    const eq = part.search(/[=＝]/);
    if (eq <= 0) return { ok: false, problem: 'format', key: part, value: '', expected: 'name=value' };
    const key = KEY_ALIASES[part.slice(0, eq).toLowerCase()] ?? part.slice(0, eq).toLowerCase();
    const rawValue = part.slice(eq + 1).toLowerCase();
    const value = VALUE_ALIASES[rawValue] ?? rawValue;
    const off = value === 'off' || value === '0';
    const pair = /^(\d{1,6})\/(\d{1,6})$/.exec(value);
    if (key === 'flood') {
      if (off) out.flood_messages = 0;
      else {
        const messages = pair ? intIn(pair[1] as string, LIMITS.floodMessages) : intIn(value, LIMITS.floodMessages);
        const seconds = pair ? intIn(pair[2] as string, LIMITS.floodSeconds) : out.flood_seconds ?? config.flood.seconds;
        if (messages === undefined || seconds === undefined) return { ok: false, problem: 'range', key, value, expected: `${range(LIMITS.floodMessages)}/${range(LIMITS.floodSeconds)}` };
        out.flood_messages = messages;
        out.flood_seconds = seconds;
      }
    } else if (key === 'repeat' || key === 'repeats') {
      if (off) out.repeat_count = 0;
      else {
        const count = pair ? intIn(pair[1] as string, LIMITS.repeatCount) : intIn(value, LIMITS.repeatCount);
        const seconds = pair ? intIn(pair[2] as string, LIMITS.repeatSeconds) : out.repeat_seconds ?? config.repeats.seconds;
        if (count === undefined || count === 1 || seconds === undefined) return { ok: false, problem: 'range', key, value, expected: `2–100/${range(LIMITS.repeatSeconds)}` };
        out.repeat_count = count;
        out.repeat_seconds = seconds;
      }
    } else if (key === 'mentions') {
      const n = off ? 0 : intIn(value, LIMITS.mentions);
      if (n === undefined) return { ok: false, problem: 'range', key, value, expected: range(LIMITS.mentions) };
      out.mentions = n;
    } else if (key === 'links') {
      if (value === 'off') out.new_member_hours = 0;
      else if (value === 'on') out.new_member_hours = config.links.newMemberHours > 0 ? null : 24;
      else return { ok: false, problem: 'format', key, value, expected: 'on|off' };
    } else if (key === 'newmemberhours') {
      const n = intIn(value, LIMITS.newMemberHours);
      if (n === undefined) return { ok: false, problem: 'range', key: 'newMemberHours', value, expected: range(LIMITS.newMemberHours) };
      out.new_member_hours = n;
    } else {
      return { ok: false, problem: 'unknown', key, value, expected: '' };
    }
  }
  return { ok: true, value: out };
}
