/**
 * The load generator of bench/scale.ts, run as its own process (never inside
 * a bot's event loop): `/checkin` messages POSTed to the playground API of
 * one or more bot processes, `concurrency` always in flight, request i sent to
 * url i % urls.length (round robin). A warm-up phase, then the measured
 * phase; the line `measure` on stdout marks the start of the measured phase
 * (the parent reads CPU counters then) and the last line is the result as
 * JSON (ScaleLoadResult). Member i is `u<i>` of community `bench<i % communities>`
 * and is never sent twice, so every request is one check-in.
 *
 * Usage: node --import tsx bench/scale-load.ts '<ScaleLoadOptions as JSON>'
 */
import { Agent, request } from 'node:http';
import { percentile } from './harness.js';

export interface ScaleLoadOptions {
  urls: string[];
  concurrency: number;
  communities: number;
  /** Members u0..u<members-1>: the load stops early when it runs out. */
  members: number;
  warmupSeconds: number;
  seconds: number;
  /** Distinct per run: delivery ids must never repeat on one database. */
  tag: string;
}

export interface ScaleLoadResult {
  done: number;
  ok: number;
  /** Answers that were not a check-in (the apology after the last retry, or an HTTP error). */
  failures: number;
  seconds: number;
  /** Successful check-ins per second in the measured phase. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  ranOut: boolean;
  warmup: { done: number; failures: number };
  /** The first answer that was not a check-in, to show what went wrong. */
  example?: string;
  /** This process's CPU over the measured phase (user + system, seconds). */
  cpuSeconds: number;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as ScaleLoadOptions;
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const targets = o.urls.map((u) => new URL(u));
  let example: string | undefined;

  const send = (i: number): Promise<boolean> =>
    new Promise((resolve) => {
      const target = targets[i % targets.length] as URL;
      const body = JSON.stringify({ communityId: `bench${i % o.communities}`, userId: `u${i}`, userName: `Member ${i}`, text: '/checkin', messageId: `${o.tag}-${i}` });
      const req = request(
        { host: target.hostname, port: target.port, method: 'POST', path: '/playground/api/messages', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            // A check-in's reply, in either language; the apology and refusals are not.
            const ok = res.statusCode === 200 && (text.includes('签到成功') || text.includes(' checked in! '));
            if (!ok) example ??= `${res.statusCode} ${text.slice(0, 200)}`;
            resolve(ok);
          });
          res.on('error', () => resolve(false));
        },
      );
      req.on('error', (err) => {
        example ??= String(err);
        resolve(false);
      });
      req.end(body);
    });

  let next = 0;
  const phase = async (seconds: number, lat?: number[]) => {
    let done = 0;
    let failures = 0;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (next < o.members && performance.now() < end) {
          const t0 = performance.now();
          const ok = await send(next++);
          lat?.push(performance.now() - t0);
          done++;
          if (!ok) failures++;
        }
      }),
    );
    return { done, failures };
  };

  const warmup = await phase(o.warmupSeconds);
  process.stdout.write('measure\n');
  const cpu0 = process.cpuUsage();
  const lat: number[] = [];
  const start = performance.now();
  const measured = await phase(o.seconds, lat);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  const result: ScaleLoadResult = {
    done: measured.done,
    ok: measured.done - measured.failures,
    failures: measured.failures,
    seconds,
    rate: (measured.done - measured.failures) / seconds,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    ranOut: next >= o.members,
    warmup,
    ...(example ? { example } : {}),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
