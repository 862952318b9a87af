/** A scripted community history for the analytics and dashboard tests: on a fixed clock, every engine sees the same. */
import type { ChatEvent } from '../../src/core/chat-event.js';
import type { FixedClock } from '../../src/core/clock.js';
import type { TestApp } from './app.js';

export const DAY = 86_400_000;
// Monday 2026-11-23, 10:00 in Asia/Shanghai (the default community timezone, day-start 0).
export const T0 = new Date('2026-11-23T02:00:00.000Z');
export const TODAY = '2026-11-23';
export const at = (days: number, ms = 0): Date => new Date(T0.getTime() + days * DAY + ms);

export const join = (t: TestApp, user: string) => t.app.router.handle({ ...t.chat.event(user, ''), type: 'memberJoined' } as ChatEvent);
export const leave = (t: TestApp, user: string) => t.app.router.handle({ ...t.chat.event(user, ''), type: 'memberLeft' } as ChatEvent);
/** Plain group chatter: the bot is not addressed. */
export const chatter = (t: TestApp, user: string, text = 'hello everyone') => t.app.router.handle({ ...t.chat.event(user, text), addressed: false } as ChatEvent);

/**
 * 100 days of a community of 15: staggered joins, chatter on a pattern, check-ins, three members who leave
 * and two who come back, a lottery entry. Deterministic, so every engine sees the same history.
 */
export async function scriptedHistory(t: TestApp, clock: FixedClock): Promise<void> {
  for (let d = -100; d < 0; d++) {
    clock.set(at(d));
    if (d === -100) await chatter(t, 'admin');
    if (d % 7 === 0 && d >= -98) await join(t, `u${(d + 98) / 7}`);
    for (let u = 0; u < 14; u++) if ((u * 3 + d * d) % 5 === 0 && d >= -98 + u * 7) await chatter(t, `u${u}`);
    if (d % 3 === 0 && d >= -90) await t.chat.say('u1', '/checkin');
    if (d === -40 || d === -12) await leave(t, `u${-d % 13}`);
    if (d === -5) await join(t, 'u1');
    // u0 leaves long before the raw records' horizon and comes back after it.
    if (d === -80) await leave(t, 'u0');
    if (d === -30) await join(t, 'u0');
    if (d === -20) {
      await t.chat.say('admin', '/lottery create 键盘 winners=1 ends=+1h');
      await t.chat.say('u2', '/lottery join 1');
    }
  }
  clock.set(T0);
}

