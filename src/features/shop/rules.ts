/**
 * The shop's pure rules: who may redeem what, now, and why not; item names
 * and codes as admins type them. No I/O here (test/unit/shop-rules.test.ts).
 */

/** The most codes one `/shop codes` command takes, and a code's longest length. */
export const MAX_CODES_PER_UPLOAD = 500;
export const MAX_CODE_LENGTH = 100;
export const MAX_NAME_LENGTH = 40;
export const MAX_NOTE_LENGTH = 200;

/** What eligibility looks at for one item and one member, at one instant. */
export interface ItemRules {
  price: number;
  perMember: number | null;
  /** 0-based level index. */
  minLevel: number;
  startsAt: number | null;
  endsAt: number | null;
  /** Units left; null: unlimited. */
  left: number | null;
}

export interface MemberFacts {
  now: number;
  /** 0-based level index. */
  level: number;
  balance: number;
  /** This member's orders of the item that were not refunded. */
  bought: number;
}

export type Ineligible =
  | { reason: 'notStarted'; startsAt: number }
  | { reason: 'ended'; endsAt: number }
  | { reason: 'level'; minLevel: number }
  | { reason: 'limit'; perMember: number }
  | { reason: 'soldOut' }
  | { reason: 'balance'; price: number; balance: number };

/**
 * The first reason the member may not redeem the item now, or undefined.
 * Order: the sale window, the level, the member's own limit, stock, then
 * points: what the member can do least about is said first.
 */
export function ineligibility(item: ItemRules, m: MemberFacts): Ineligible | undefined {
  if (item.startsAt !== null && m.now < item.startsAt) return { reason: 'notStarted', startsAt: item.startsAt };
  if (item.endsAt !== null && m.now >= item.endsAt) return { reason: 'ended', endsAt: item.endsAt };
  if (m.level < item.minLevel) return { reason: 'level', minLevel: item.minLevel };
  if (item.perMember !== null && m.bought >= item.perMember) return { reason: 'limit', perMember: item.perMember };
  if (item.left !== null && item.left <= 0) return { reason: 'soldOut' };
  if (m.balance < item.price) return { reason: 'balance', price: item.price, balance: m.balance };
  return undefined;
}

/** An item's name as looked up: NFKC, lower case, inner spaces collapsed. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export type NameProblem = 'empty' | 'tooLong' | 'numeric' | 'unsafe';

/** Characters that would make a name into markup, a mention or a link, or hide part of it. */
const UNSAFE_NAME = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}<>*`|[\]@\\]/u;

/**
 * A new item name: 1 to 40 characters once trimmed; no control, format or
 * line-separator characters and none of `< > * \` | [ ] @ \` (markup,
 * mentions and links in the replies that show it); and not a number or
 * `#3`, which `/redeem` reads as an item id.
 */
export function checkName(raw: string): { ok: true; name: string } | { ok: false; problem: NameProblem } {
  const unquoted = raw.trim().replace(/^"(.*)"$/s, '$1');
  if (UNSAFE_NAME.test(unquoted)) return { ok: false, problem: 'unsafe' };
  const name = unquoted.replace(/\s+/g, ' ').trim();
  if (name === '') return { ok: false, problem: 'empty' };
  if ([...name].length > MAX_NAME_LENGTH) return { ok: false, problem: 'tooLong' };
  if (/^#?\d+$/.test(name.normalize('NFKC'))) return { ok: false, problem: 'numeric' };
  return { ok: true, name };
}

/** `/redeem 3`, `/redeem #3` (an id), or a name. */
export function itemRef(raw: string): { id: number } | { key: string } {
  const folded = raw.normalize('NFKC').trim().replace(/^"(.*)"$/, '$1');
  const id = /^#?(\d{1,9})$/.exec(folded);
  return id ? { id: Number(id[1]) } : { key: nameKey(folded) };
}

/**
 * Codes as an admin pastes them: separated by spaces, commas (also `，`, `、`)
 * or new lines. Each must be printable with no spaces and at most 100
 * characters; repeats inside one upload are counted once.
 */
export function parseCodes(raw: string): { ok: true; codes: string[]; repeated: number } | { ok: false; problem: 'none' | 'tooMany' | 'tooLong' | 'unprintable'; code?: string } {
  const parts = raw.split(/[\s,，、;；]+/u).filter((p) => p !== '');
  if (parts.length === 0) return { ok: false, problem: 'none' };
  if (parts.length > MAX_CODES_PER_UPLOAD) return { ok: false, problem: 'tooMany' };
  for (const p of parts) {
    if ([...p].length > MAX_CODE_LENGTH) return { ok: false, problem: 'tooLong', code: `${[...p].slice(0, 12).join('')}…` };
    if (!/^[\p{L}\p{N}\p{P}\p{S}]+$/u.test(p)) return { ok: false, problem: 'unprintable' };
  }
  const codes = [...new Set(parts)];
  return { ok: true, codes, repeated: parts.length - codes.length };
}

/** A Discord role as an admin writes it: its id, or its mention `<@&id>`; undefined when it is neither. */
export function parseRoleRef(raw: string): string | undefined {
  return /^(?:<@&)?(\d{15,25})>?$/.exec(raw.normalize('NFKC').trim())?.[1];
}
