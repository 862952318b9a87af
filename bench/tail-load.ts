/**
 * The load generator of bench/tail.ts, run as its own process (never inside
 * the server's, whose event loop it would share): prebuilt signed, encrypted
 * `签到` callbacks POSTed to `<url>/wecom/bot`, first as a saturating burst
 * (`connections` requests always in flight, for `burstSeconds`), then at a
 * fixed rate for `steadySeconds`. Steady latencies are measured from each
 * request's scheduled send time, so a stall of the server shows up in full
 * (no coordinated omission). Prints one JSON line (TailLoadResult) on stdout.
 *
 * Usage: node --import tsx bench/tail-load.ts '<TailLoadOptions as JSON>'
 */
import { Agent, request } from 'node:http';
import { buildBotCallback, openBotReply } from '../test/fakes/wecom/client.js';
import { percentile } from './harness.js';

export interface TailLoadOptions {
  url: string;
  token: string;
  key: string;
  /** Distinct per run: msgids and member ids must never repeat on one database. */
  tag: string;
  connections: number;
  burstSeconds: number;
  /** Prebuilt requests for the burst (it stops early when they run out). */
  burstMax: number;
  rate: number;
  steadySeconds: number;
}

export interface TailLoadResult {
  burst: { done: number; seconds: number; rate: number; failures: number; ranOut: boolean };
  steady: { done: number; failures: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; sendLagP99Ms: number };
  /** Sampled replies that decrypt to a check-in (签到成功), of those sampled. */
  checked: { ok: number; sampled: number; example?: string };
}

interface Prebuilt {
  path: string;
  body: string;
}

function prebuild(o: TailLoadOptions, phase: string, count: number): Prebuilt[] {
  const list = new Array<Prebuilt>(count);
  for (let i = 0; i < count; i++) {
    const payload = { msgid: `tail-${o.tag}-${phase}-${i}`, aibotid: 'AIBOT', chatid: 'wrTailGroup', chattype: 'group', from: { userid: `${o.tag}${phase}${i}` }, msgtype: 'text', text: { content: '@qunbot 签到' } };
    const req = buildBotCallback({ token: o.token, key: o.key, payload });
    list[i] = { path: `/wecom/bot?${req.search}`, body: JSON.stringify(req.body) };
  }
  return list;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as TailLoadOptions;
  const target = new URL(o.url);
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections * 4 });
  const checked: TailLoadResult['checked'] = { ok: 0, sampled: 0 };

  const send = (r: Prebuilt): Promise<boolean> =>
    new Promise((resolve) => {
      const req = request({ host: target.hostname, port: target.port, method: 'POST', path: r.path, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const ok = res.statusCode === 200 && body !== '';
          if (ok && checked.sampled < 20 && Math.random() < 0.01) {
            checked.sampled++;
            const reply = openBotReply({ token: o.token, key: o.key, reply: body }) as { stream?: { content?: string } };
            const text = reply.stream?.content ?? '';
            if (text.includes('签到成功')) checked.ok++;
            else checked.example = text;
          }
          resolve(ok);
        });
        res.on('error', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      req.end(r.body);
    });

  const burstList = prebuild(o, 'b', o.burstMax);
  const steadyList = prebuild(o, 's', Math.ceil(o.rate * o.steadySeconds));

  // Burst: `connections` loops, each sending the next request when its previous one answered.
  let next = 0;
  let burstFailures = 0;
  const burstStart = performance.now();
  const burstEnd = burstStart + o.burstSeconds * 1000;
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (next < burstList.length && performance.now() < burstEnd) {
        if (!(await send(burstList[next++] as Prebuilt))) burstFailures++;
      }
    }),
  );
  const burstSeconds = (performance.now() - burstStart) / 1000;

  // Steady: request i is due at start + i / rate; its latency counts from that moment.
  const latencies: number[] = [];
  const lags: number[] = [];
  let steadyFailures = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let i = 0;
  while (i < steadyList.length) {
    const now = performance.now();
    while (i < steadyList.length && start + (i * 1000) / o.rate <= now) {
      const due = start + (i * 1000) / o.rate;
      lags.push(now - due);
      const r = steadyList[i++] as Prebuilt;
      inFlight.push(
        send(r).then((ok) => {
          latencies.push(performance.now() - due);
          if (!ok) steadyFailures++;
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  agent.destroy();

  const result: TailLoadResult = {
    burst: { done: next, seconds: burstSeconds, rate: next / burstSeconds, failures: burstFailures, ranOut: next >= burstList.length },
    steady: { done: latencies.length, failures: steadyFailures, p50Ms: percentile(latencies, 50), p90Ms: percentile(latencies, 90), p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies), sendLagP99Ms: percentile(lags, 99) },
    checked,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
