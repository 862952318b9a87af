/**
 * Property-based tests of the parsers that read what people type: commands,
 * integers, display names and ids, `<when>`, cron patterns, quiz answers.
 * Each either returns a value or a typed error, and never throws.
 * Seed and run counts: see ./support.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberInfo } from '../../src/core/context.js';
import { parseInteger, resolveArgs } from '../../src/core/commands/registry.js';
import { UserError } from '../../src/core/errors.js';
import { MAX_NAME_LENGTH, cleanName, isCleanId, sanitizeEvent } from '../../src/core/identity/sanitize.js';
import { parseCron } from '../../src/core/time/cron.js';
import { MAX_AHEAD_DAYS, parseWhen } from '../../src/core/time/when.js';
import { matchAnswer, normalizeAnswer, parseChoiceLetter, parseNumber } from '../../src/features/quiz/normalize.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { assertCatalogText, commandText, fuzz } from './support.js';

const FILE = 'test/fuzz/parsers.test.ts';
const TIMEZONES = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Europe/London'];
const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });

describe('command parser (registry.parseText, resolveArgs)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = (await makeTestApp());
  });
  afterAll(async () => {
    await t.close();
  });

  it('returns none, unknown, invalid (a UserError with a catalog key) or a command; arguments resolve or refuse with a UserError', async () => {
    const { registry, i18n } = t.app;
    const someone: MemberInfo = { id: 1, communityId: 1, platformUserId: 'alice', displayName: 'Alice', joinedAt: new Date(0) };
    await fuzz(
      FILE,
      fc.asyncProperty(commandText, fc.boolean(), fc.boolean(), async (text, addressed, found) => {
        const parsed = registry.parseText(text, addressed);
        switch (parsed.kind) {
          case 'none':
          case 'unknown':
            return;
          case 'invalid':
            expect(parsed.error).toBeInstanceOf(UserError);
            expect(i18n.has(parsed.error.key)).toBe(true);
            for (const locale of ['zh-CN', 'en'] as const) assertCatalogText([i18n.t(locale, parsed.error.key, parsed.error.params)], text);
            return;
          case 'command': {
            const { invocation } = parsed;
            expect(invocation.path[0]).toBe(invocation.command.name);
            const names = new Set<string>((invocation.leaf.args ?? []).map((a) => a.name));
            for (const key of invocation.raw.keys()) expect(names.has(key)).toBe(true);
            try {
              await resolveArgs(invocation, { member: async () => (found ? someone : undefined), now: new Date('2026-11-30T04:00:00Z'), timezone: 'Asia/Shanghai' });
            } catch (err) {
              if (!(err instanceof UserError)) throw err;
              expect(i18n.has(err.key)).toBe(true);
              for (const locale of ['zh-CN', 'en'] as const) assertCatalogText([i18n.t(locale, err.key, err.params)], text);
            }
          }
        }
      }),
      2000,
    );
  });
});

describe('integer arguments (parseInteger)', () => {
  it('never throws; a value is an integer with the sign it was written with', async () => {
    await fuzz(
      FILE,
      fc.property(fc.oneof(commandText, fc.stringMatching(/^[+\-－＋]?[0-9０-９,，]{0,20}$/)), (raw) => {
        const parsed = parseInteger(raw);
        if (parsed === undefined) return;
        expect(Number.isInteger(parsed.value) || !Number.isFinite(parsed.value)).toBe(true);
        expect(Number.isNaN(parsed.value)).toBe(false);
        if (parsed.sign === '-') expect(parsed.value <= 0).toBe(true);
        else expect(parsed.value >= 0).toBe(true);
      }),
      800,
    );
  });

  it('reads every safe integer as typed: plain, grouped by commas, full-width, signed', async () => {
    const fullWidth = (s: string): string => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xff10 - 0x30)).replace(/,/g, '，');
    await fuzz(
      FILE,
      fc.property(fc.maxSafeInteger(), (n) => {
        const grouped = Math.abs(n).toLocaleString('en-US');
        const sign = n < 0 ? '-' : '';
        for (const text of [String(n), `${sign}${grouped}`, fullWidth(`${sign}${grouped}`), fullWidth(String(n))]) {
          expect(parseInteger(text)?.value, text).toBe(n === 0 ? 0 : n);
        }
        if (n > 0) expect(parseInteger(`+${n}`)).toEqual({ value: n, sign: '+' });
        if (n > 0) expect(parseInteger(`0${n}`), 'leading zero').toBeUndefined();
      }),
      500,
    );
  });
});

describe('display names and ids (sanitize)', () => {
  const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/u;
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'grapheme', maxLength: 120 }), commandText);

  it('cleanName: visible characters, single spaces, at most 64 code points, idempotent', async () => {
    await fuzz(
      FILE,
      fc.property(anyText, (raw) => {
        const name = cleanName(raw);
        expect(INVISIBLE.test(name)).toBe(false);
        expect(name).toBe(name.trim());
        expect(/\s{2}/.test(name)).toBe(false);
        expect([...name].length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        expect(cleanName(name)).toBe(name);
      }),
      800,
    );
  });

  it('sanitizeEvent refuses exactly the ids isCleanId refuses, never throws, and stores only well-formed text', async () => {
    const id = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.stringMatching(/^[a-z0-9_-]{1,12}$/));
    await fuzz(
      FILE,
      fc.property(id, id, id, anyText, anyText, (community, user, delivery, name, text) => {
        const result = sanitizeEvent({
          type: 'message',
          deliveryId: delivery,
          community: { platform: 'playground', externalId: community, name },
          actor: { platformUserId: user, displayName: name, isAdmin: false },
          text,
          addressed: true,
        });
        const clean = isCleanId(community) && isCleanId(user) && isCleanId(delivery);
        expect(result.ok).toBe(clean);
        if (result.ok && result.event.type === 'message') {
          expect(result.event.actor.displayName).toBe(cleanName(name));
          expect(/\p{Cs}/u.test(result.event.text), "lone surrogate kept").toBe(false);
        }
      }),
      600,
    );
  });
});

describe('<when> parser (parseWhen)', () => {
  const WHEN_FRAGMENTS = ['+', '-', ' ', ':', '：', 'T', 'Z', 'd', 'h', 'm', 's', 'min', '后', '以后', '秒', '分钟', '小时', '个小时', '天', '点', '半', '分', '今天', '明天', '后天', 'today', 'tomorrow', '(', ')', '/', ',', 'Asia/Shanghai', 'America/New_York', 'UTC-04:00', '+08:00', '+0800', '2026', '-12-01', '02-29', '9', '21', '30', '59', '60', '24', '25', '99', '0', '00', '366', '367', '１', '２１：３０', '9999999999999'];
  const whenText = fc.oneof(
    fc.array(fc.constantFrom(...WHEN_FRAGMENTS), { maxLength: 8 }).map((p) => p.join('')),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    commandText,
  );

  it('returns a time after now and at most 366 days ahead, or a typed error; never throws', async () => {
    const kinds = new Set(['unrecognized', 'missingTime', 'outOfRange', 'past', 'tooFar']);
    await fuzz(
      FILE,
      fc.property(whenText, instant, fc.constantFrom(...TIMEZONES), (text, now, tz) => {
        const result = parseWhen(text, now, tz);
        if (result.ok) {
          expect(Number.isNaN(result.at.getTime())).toBe(false);
          expect(result.at.getTime()).toBeGreaterThan(now.getTime());
          expect(result.at.getTime()).toBeLessThanOrEqual(now.getTime() + MAX_AHEAD_DAYS * 86_400_000);
        } else {
          expect(kinds.has(result.error.kind)).toBe(true);
        }
      }),
      1000,
    );
  });
});

describe('cron parser (parseCron)', () => {
  const field = fc.oneof(
    fc.constantFrom('*', '?', 'L', '5L', '5#2', 'JAN', 'mon-fri', 'SUN', 'H', '*/0', '*/90', '0-0', '7', '31', '30', '29', '60', '-1', ''),
    fc.tuple(fc.integer({ min: -2, max: 70 }), fc.option(fc.integer({ min: -1, max: 70 })), fc.option(fc.integer({ min: 0, max: 100 }))).map(
      ([a, b, s]) => `${a}${b === null ? '' : `-${b}`}${s === null ? '' : `/${s}`}`,
    ),
    fc.array(fc.integer({ min: 0, max: 61 }), { minLength: 1, maxLength: 4 }).map((xs) => xs.join(',')),
  );
  const cronText = fc.oneof(
    { weight: 4, arbitrary: fc.array(field, { minLength: 4, maxLength: 7 }).map((f) => f.join(' ')) },
    { weight: 1, arbitrary: fc.constantFrom('@yearly', '@monthly', '@weekly', '@daily', '@hourly', '@minutely', '@secondly', '@weekdays', '@weekends', '@reboot', '@DAILY') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  );

  it('returns a schedule whose next runs move forward, or an error naming a field; never throws', async () => {
    const fields = new Set(['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek', 'expression']);
    await fuzz(
      FILE,
      fc.property(cronText, instant, fc.constantFrom(...TIMEZONES), (expr, after, tz) => {
        const result = parseCron(expr, tz);
        if (!result.ok) {
          expect(fields.has(result.error.field)).toBe(true);
          expect(typeof result.error.value).toBe('string');
          return;
        }
        const runs = result.cron.nextN(after, 3);
        let previous = after.getTime();
        for (const run of runs) {
          expect(Number.isNaN(run.getTime())).toBe(false);
          expect(run.getTime()).toBeGreaterThan(previous);
          previous = run.getTime();
        }
      }),
      500,
    );
  });
});

describe('quiz answers (normalize)', () => {
  const answerText = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.array(fc.constantFrom('A', 'b', '选', '答案是', '我觉得', '不是', '或', 'not', 'or', ' ', '１２', '三十四', '个', '万', '零', '-', '.', ',', '1,000', 'é', 'ß', '北京', 'Beijing', '吧', '!', '😀', '\u200b'), { maxLength: 10 }).map((p) => p.join('')),
  );

  it('normalizes, reads numbers and letters, and matches without throwing; an answer matches itself', async () => {
    await fuzz(
      FILE,
      fc.property(answerText, answerText, fc.array(answerText, { maxLength: 4 }), fc.boolean(), (input, answer, choices, numeric) => {
        const normalized = normalizeAnswer(input);
        expect(typeof normalized).toBe('string');
        const n = parseNumber(input);
        if (n !== null) expect(Number.isNaN(n)).toBe(false);
        const letter = parseChoiceLetter(input, choices.length);
        if (letter !== null) expect(letter >= 0 && letter < choices.length).toBe(true);
        expect(typeof matchAnswer(input, { answers: [answer], choices: choices.length >= 2 ? choices : undefined, numeric })).toBe('boolean');
        const self = normalizeAnswer(answer);
        if (self !== '' && self.length <= 200) expect(matchAnswer(answer, { answers: [answer] }), `"${answer}" should match itself`).toBe(true);
      }),
      800,
    );
  });

  it('reads back integers written in digits', async () => {
    await fuzz(
      FILE,
      fc.property(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), (n) => {
        expect(parseNumber(String(n))).toBe(n);
        expect(parseNumber(Math.abs(n).toLocaleString('en-US'))).toBe(Math.abs(n));
      }),
      300,
    );
  });
});
