/**
 * The one sanitiser for what platforms send about people and places. Every
 * event passes through `sanitizeEvent` when the router receives it, before
 * anything is stored, so no adapter needs its own copy:
 * - display names (members, communities) lose control and format characters
 *   (Unicode Cc, Cf: bidi overrides and isolates, zero-width characters, BOM)
 *   and lone surrogates; whitespace collapses to one space; capped in length;
 * - ids (platform user, community, message, channel) with such characters
 *   or any whitespace are refused: an id is never silently changed, since two
 *   different ids must never become one;
 * - free text keeps what the member typed, but a lone surrogate becomes
 *   U+FFFD so that only well-formed UTF-8 is stored.
 */
import type { ChatEvent } from '../chat-event.js';

export const MAX_NAME_LENGTH = 64;
const MAX_ID_LENGTH = 256;

/** Line breaks and tabs separate words: they become spaces rather than vanish. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Control, format and lone surrogate code points (a paired surrogate is one astral code point, not Cs). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const BAD_ID = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}\s]/u;
const LONE_SURROGATE = /\p{Cs}/gu;
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** A display name as it may be stored and shown: visible characters, single spaces, at most `max` code points. */
export function cleanName(raw: string, max = MAX_NAME_LENGTH): string {
  const visible = raw.replace(BREAKS, ' ').replace(INVISIBLE, '').normalize('NFC').replace(/\s+/g, ' ').trim();
  return capLength(visible, max);
}

/** Cut at a grapheme boundary so that no letter loses its accents and no emoji is split. */
function capLength(text: string, max: number): string {
  if ([...text].length <= max) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = [...segment].length;
    if (used + size > max) break;
    out += segment;
    used += size;
  }
  return out.trimEnd();
}

/** True when `id` may be stored: not empty, not too long, no control, format, surrogate or space characters. */
export function isCleanId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && !BAD_ID.test(id);
}

/** Lone surrogates replaced by U+FFFD; everything else as typed. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

export type IdField = 'community' | 'user' | 'message' | 'channel';

export type Sanitized = { ok: true; event: ChatEvent } | { ok: false; field: IdField };

/** The event with clean names and well-formed text, or the first id that must be refused. */
export function sanitizeEvent(event: ChatEvent): Sanitized {
  const ids: Array<[IdField, string | undefined]> = [
    ['community', event.community.externalId],
    ['user', event.actor.platformUserId],
    ['message', event.deliveryId],
    ['channel', event.channelId ?? 'none'],
  ];
  for (const [field, id] of ids) {
    if (id === undefined || !isCleanId(id)) return { ok: false, field };
  }
  const community = { ...event.community, ...(event.community.name === undefined ? {} : { name: cleanName(event.community.name) }) };
  const base = { ...event, community, actor: { ...event.actor, displayName: cleanName(event.actor.displayName) } };
  switch (base.type) {
    case 'message':
      return { ok: true, event: { ...base, text: wellFormed(base.text) } };
    case 'action':
      return { ok: true, event: { ...base, command: wellFormed(base.command) } };
    case 'command': {
      const options = Object.fromEntries(Object.entries(base.options).map(([k, v]) => [k, typeof v === 'string' ? wellFormed(v) : v]));
      return { ok: true, event: { ...base, options } };
    }
    default:
      return { ok: true, event: base };
  }
}
