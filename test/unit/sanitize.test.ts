import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat-event.js';
import { cleanName, isCleanId, MAX_NAME_LENGTH, sanitizeEvent, wellFormed } from '../../src/core/identity/sanitize.js';

describe('display names are cleaned', () => {
  it.each([
    ['NUL and newlines', 'Al\u0000ice\nBob\r\n', 'Alice Bob'],
    ['right-to-left override', '\u202Eadmin', 'admin'],
    ['bidi isolates and embeddings', '\u2066Carol\u2069 \u2067x\u2068y\u202Az\u202C', 'Carol xyz'],
    ['zero-width characters and BOM', 'a\u200Bd\u200Cm\u200Di\uFEFFn\u2060', 'admin'],
    ['lone surrogates', 'E\uDFFFve\uD800', 'Eve'],
    ['tabs and runs of spaces', '  Alice \t  爱丽丝  ', 'Alice 爱丽丝'],
    ['ideographic and no-break spaces', 'Bob\u3000鲍勃\u00A0!', 'Bob 鲍勃 !'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a b c'],
    ['only invisible characters', '\u202E\u200B\u0000', ''],
  ])('%s', (_label, raw, clean) => {
    expect(cleanName(raw)).toBe(clean);
  });

  it('keeps ordinary text, emoji and accents', () => {
    expect(cleanName('Zoë 🎉 张三')).toBe('Zoë 🎉 张三');
    expect(cleanName('😀'.repeat(3))).toBe('😀😀😀');
    // Decomposed é is stored composed.
    expect(cleanName('Ze\u0301')).toBe('Z\u00E9');
  });

  it('caps the length without splitting a character', () => {
    expect([...cleanName('x'.repeat(500))]).toHaveLength(MAX_NAME_LENGTH);
    const emoji = cleanName('😀'.repeat(100));
    expect([...emoji]).toHaveLength(MAX_NAME_LENGTH);
    expect(emoji).toBe(wellFormed(emoji));
    // A letter with its accent is kept whole or dropped whole.
    expect(cleanName(`${'a'.repeat(63)}e\u0301\u0301`)).toBe('a'.repeat(63));
  });
});

describe('ids with control, format or space characters are refused', () => {
  it.each([
    ['1234567890', true],
    ['wecom:张三', true],
    ['msg:abc-DEF_1', true],
    ['', false],
    ['a\u0000b', false],
    ['a\nb', false],
    ['\u202Eadmin', false],
    ['a\u2066b', false],
    ['a\u200Bb', false],
    ['\uFEFFa', false],
    ['a\u2060b', false],
    ['a\uD800', false],
    ['a b', false],
    ['a\u3000b', false],
    ['x'.repeat(257), false],
  ])('%j → %s', (id, ok) => {
    expect(isCleanId(id)).toBe(ok);
  });
});

describe('events on ingress', () => {
  const base: ChatEvent = {
    type: 'message',
    deliveryId: 'm-1',
    community: { platform: 'playground', externalId: 'demo', name: 'Demo\u202E' },
    actor: { platformUserId: 'u1', displayName: '\u202Enimda', isAdmin: false },
    text: '/points \uD83D',
    addressed: true,
  };

  it('names are cleaned and text is made well-formed', () => {
    const result = sanitizeEvent(base);
    expect(result.ok).toBe(true);
    if (!result.ok || result.event.type !== 'message') throw new Error('expected a message');
    expect(result.event.actor.displayName).toBe('nimda');
    expect(result.event.community.name).toBe('Demo');
    expect(result.event.text).toBe('/points \uFFFD');
  });

  it('structured options and action commands are made well-formed too', () => {
    const command = sanitizeEvent({ ...base, type: 'command', path: ['grant'], options: { reason: 'x\uDC00', points: 5 } });
    expect(command.ok && command.event.type === 'command' && command.event.options).toEqual({ reason: 'x\uFFFD', points: 5 });
    const action = sanitizeEvent({ ...base, type: 'action', command: 'lottery join 1\uD800' });
    expect(action.ok && action.event.type === 'action' && action.event.command).toBe('lottery join 1\uFFFD');
  });

  it.each([
    ['community', { community: { platform: 'playground', externalId: 'demo\u0000' } }],
    ['user', { actor: { platformUserId: '\u202Eadmin', displayName: 'x', isAdmin: false } }],
    ['message', { deliveryId: 'm\n1' }],
    ['channel', { channelId: 'c\u200B' }],
  ] as const)('a bad %s id is named', (field, patch) => {
    expect(sanitizeEvent({ ...base, ...patch } as ChatEvent)).toEqual({ ok: false, field });
  });
});
