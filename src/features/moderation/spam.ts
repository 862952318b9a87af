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
