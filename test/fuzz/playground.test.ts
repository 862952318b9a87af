/**
 * Property-based tests of the playground API (POST /playground/api/messages
 * and /events) with arbitrary JSON bodies, through the real app in-process
 * (`app.http.inject`, real SQLite and Redis): never a 5xx, a refused body
 * (400) changes nothing, and replies show only catalog text.
 * Seed and run counts: see ./support.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/reply.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { ledgerMismatches } from '../helpers/ledger.js';
import { CatalogCheck, chatCommand, fuzz, replyTexts, tableCounts, trace } from './support.js';

const FILE = 'test/fuzz/playground.test.ts';

/** Every string inside a JSON value: what the bot may legitimately echo back. */
function stringsIn(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(stringsIn).join('\n');
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}\n${stringsIn(v)}`).join('\n');
  return String(value);
}

const weirdString = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('', ' ', 'a b', '<x>', 'x'.repeat(65), 'x'.repeat(300), '\u202e', '\u200b', '\ud800'));
const someId = fc.oneof({ weight: 8, arbitrary: fc.constant('admin') }, { weight: 8, arbitrary: fc.constantFrom('alice', 'bob', 'carol', 'zoë', '用户1') }, { weight: 1, arbitrary: weirdString });
const community = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('demo', 'fuzz-2') }, { weight: 1, arbitrary: weirdString });
/** A JSON value that is not what the field expects. */
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }));
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> => fc.oneof({ weight: 20, arbitrary: arb }, { weight: 1, arbitrary: wrongType });
const messageId = fc.option(fc.oneof(fc.constantFrom('m-1', 'm-2', 'm-3'), weirdString), { nil: undefined, freq: 6 });

const messageBody = fc.record(
  { communityId: maybe(community), userId: maybe(someId), userName: maybe(fc.oneof(someId, weirdString)), text: maybe(chatCommand), messageId: maybe(messageId) },
  { requiredKeys: ['communityId', 'userId', 'userName', 'text'] },
);
const eventBody = fc.record(
  {
    communityId: maybe(community),
    userId: maybe(someId),
    userName: maybe(fc.oneof(someId, weirdString)),
    type: maybe(fc.oneof(fc.constantFrom('memberJoined', 'memberLeft', 'message'), weirdString)),
    text: maybe(chatCommand),
    messageId: maybe(messageId),
  },
  { requiredKeys: ['communityId', 'userId', 'userName', 'type'] },
);
/** Shaped bodies (mostly accepted), any JSON at all, or text that is not JSON. */
const body = (shaped: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<{ payload: string; value: unknown }> =>
  fc.oneof(
    { weight: 6, arbitrary: shaped.map((value) => ({ payload: JSON.stringify(value), value })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ payload: JSON.stringify(value), value })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((payload) => ({ payload, value: payload })) },
  );

describe('playground API with arbitrary bodies', () => {
  let t: TestApp;
  const catalog = new CatalogCheck();
  beforeAll(async () => {
    t = (await makeTestApp({ config: { playground: { rateLimit: null } } }));
    await t.app.http.ready();
    // Members and some points to act on.
    for (const u of ['alice', 'bob', 'carol']) await t.chat.say(u, '/checkin');
    await t.chat.say('admin', '/grant alice 50 seed');
  });
  afterAll(async () => {
    await t.close();
  });

  for (const [route, shaped, runs] of [
    ['/playground/api/messages', messageBody, 500],
    ['/playground/api/events', eventBody, 300],
  ] as const) {
    it(`POST ${route}: never 5xx; 400 changes nothing; 200 replies are catalog text`, async () => {
      const sqlite = t.app.store.sql;
      await fuzz(
        FILE,
        fc.asyncProperty(body(shaped), async ({ payload, value }) => {
          catalog.sent(stringsIn(value));
          const before = (await tableCounts(sqlite));
          const res = await t.app.http.inject({ method: 'POST', url: route, payload, headers: { 'content-type': 'application/json' } });
          expect(res.statusCode, res.body).toBeLessThan(500);
          trace(route, res.statusCode, res.body);
          if (res.statusCode === 400) {
            expect((await tableCounts(sqlite))).toEqual(before);
            return;
          }
          expect(res.statusCode, res.body).toBe(200);
          const { replies } = res.json<{ replies: Reply[] }>();
          expect(Array.isArray(replies)).toBe(true);
          for (const reply of replies) {
            expect(typeof reply.text).toBe('string');
            catalog.assert(replyTexts(reply));
          }
          // A retry of a delivery (same message id, same member) gets the same replies and changes nothing.
          if (typeof value === 'object' && value !== null && 'messageId' in value && value.messageId !== undefined) {
            const after = (await tableCounts(sqlite));
            const again = await t.app.http.inject({ method: 'POST', url: route, payload, headers: { 'content-type': 'application/json' } });
            expect(again.statusCode).toBe(200);
            expect(again.json<{ replies: Reply[] }>().replies).toEqual(replies);
            expect((await tableCounts(sqlite))).toEqual(after);
          }
        }),
        runs,
      );
    }, 120_000);
  }

  it('after all of that, every balance is still the sum of its ledger rows', async () => {
    expect((await ledgerMismatches(t.app.store.sql))).toEqual([]);
  });
});
