/**
 * Issue #15, spam rules (src/features/moderation/spam.ts): flood and repeat
 * windows driven by the fake clock, mention counts, link hosts and the
 * allow-list.
 */
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { disallowedHost, linkHosts, mentionCount, nextRates, textHash, type RateState, type WindowHit } from '../../src/features/moderation/spam.js';

const rules = { flood: { messages: 3, seconds: 10 }, repeats: { count: 3, seconds: 60 } };

/** Feeds messages one by one at the clock's time; returns each verdict. */
function feed(clock: FixedClock, texts: Array<string | { wait: number }>, r = rules): Array<{ flood: WindowHit; repeat: WindowHit }> {
  let state: RateState | undefined;
  const out: Array<{ flood: WindowHit; repeat: WindowHit }> = [];
  for (const item of texts) {
    if (typeof item !== 'string') {
      clock.advance(item.wait);
      continue;
    }
    const next = nextRates(state, clock.now().getTime(), textHash(item), r);
    state = next.state;
    out.push({ flood: next.flood, repeat: next.repeat });
  }
  return out;
}

describe('flood window', () => {
  it('the message after N within the window crosses, later ones are over, and the window restarts after M seconds', () => {
    const clock = new FixedClock('2026-11-23T02:00:00Z');
    const verdicts = feed(clock, ['a', { wait: 2000 }, 'b', { wait: 2000 }, 'c', { wait: 2000 }, 'd', 'e', { wait: 3999 }, 'f', { wait: 1 }, 'g']);
    expect(verdicts.map((v) => v.flood)).toEqual([undefined, undefined, undefined, 'crossed', 'over', 'over', undefined]);
  });

  it('N messages spread wider than the window never cross', () => {
    const clock = new FixedClock('2026-11-23T02:00:00Z');
    const spaced = Array.from({ length: 12 }, (_, i) => [`m${i}`, { wait: 4000 }]).flat() as Array<string | { wait: number }>;
    expect(feed(clock, spaced).every((v) => v.flood === undefined)).toBe(true);
  });

  it('is off with 0 messages, and a clock that went back starts a new window', () => {
    const clock = new FixedClock('2026-11-23T02:00:00Z');
    expect(feed(clock, ['a', 'b', 'c', 'd', 'e'], { ...rules, flood: { messages: 0, seconds: 10 } }).every((v) => v.flood === undefined)).toBe(true);
    const state: RateState = { floodStart: 10_000, floodCount: 3, repeatHash: 'x', repeatStart: 10_000, repeatCount: 1 };
    expect(nextRates(state, 5_000, 'y', rules).state.floodCount).toBe(1);
  });
});

describe('repeat window', () => {
  it('counts the same normalised text in a row; another message or the end of the window starts again', () => {
    const clock = new FixedClock('2026-11-23T02:00:00Z');
    const verdicts = feed(clock, ['Buy now', { wait: 20_000 }, 'buy-now!', { wait: 20_000 }, 'BUY NOW', 'buy now', 'other', 'buy now', 'buy now', { wait: 61_000 }, 'buy now'], {
      ...rules,
      flood: { messages: 0, seconds: 10 },
    });
    expect(verdicts.map((v) => v.repeat)).toEqual([undefined, undefined, 'crossed', 'over', undefined, undefined, undefined, undefined]);
  });

  it('messages without text (an image, or Discord without the Message Content intent) never repeat each other', () => {
    const clock = new FixedClock('2026-11-23T02:00:00Z');
    const verdicts = feed(clock, ['', '  ', '!!', '', ''], { ...rules, flood: { messages: 0, seconds: 10 } });
    expect(verdicts.every((v) => v.repeat === undefined)).toBe(true);
    expect(textHash('')).toBe('');
  });
});

describe('one-message rules', () => {
  it.each([
    ['hi <@1> <@2> <@!3>', 3],
    ['<@1> <@1> <@!1>', 1],
    ['<@&99> @everyone', 0],
  ])('mentionCount(%j) = %d', (text, count) => {
    expect(mentionCount(text)).toBe(count);
  });

  it.each([
    ['see https://Example.com/a?b', ['example.com']],
    ['www.spam.example/x and http://user@host.test:8080/', ['www.spam.example', 'host.test']],
    ['join discord.gg/abc or discord.com/invite/xyz', ['discord.gg', 'discord.com']],
    ['e.g. this is fine, and so is 3.14', []],
  ])('linkHosts(%j)', (text, hosts) => {
    expect(linkHosts(text)).toEqual(hosts);
  });

  it('the allow-list passes a domain and its subdomains only', () => {
    expect(disallowedHost('https://docs.example.org/x https://example.org', ['example.org'])).toBeUndefined();
    expect(disallowedHost('https://badexample.org', ['example.org'])).toBe('badexample.org');
    expect(disallowedHost('discord.gg/abc', [])).toBe('discord.gg');
  });
});
