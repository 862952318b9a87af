import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutageLog } from '../../src/jobs/outage-log.js';

function captured(): { log: pino.Logger; lines: () => Array<{ level: number; msg: string }> } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines: () => out.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

describe('the Redis outage log', () => {
  it('says an outage once, reminds at most once a minute, and says once when Redis is back', () => {
    const { log, lines } = captured();
    let now = 0;
    const outage = new OutageLog(log, () => now);
    // Six connections failing every 200 ms for 150 s.
    for (; now < 150_000; now += 200) for (let c = 0; c < 6; c++) outage.down(new Error('connect ECONNREFUSED'));
    outage.up();
    outage.up();
    const msgs = lines().map((l) => l.msg);
    expect(msgs.filter((m) => m.startsWith('redis unreachable'))).toHaveLength(1);
    expect(msgs.filter((m) => m === 'redis still unreachable')).toHaveLength(2); // at 60 s and 120 s
    expect(msgs.filter((m) => m.startsWith('redis is back'))).toHaveLength(1);
    expect(msgs).toHaveLength(4);
  });

  it('a new outage after a recovery is reported again; nothing is said while shutting down', () => {
    const { log, lines } = captured();
    let now = 0;
    const outage = new OutageLog(log, () => now);
    outage.down(new Error('x'));
    outage.up();
    now = 1000;
    outage.down(new Error('y'));
    outage.stop();
    outage.down(new Error('z'));
    outage.up();
    expect(lines().map((l) => l.msg)).toEqual([expect.stringMatching(/^redis unreachable/), expect.stringMatching(/^redis is back/), expect.stringMatching(/^redis unreachable/)]);
  });
});
