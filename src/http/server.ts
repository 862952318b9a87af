/**
 * The one HTTP server: WeCom callbacks, health, metrics, the playground. Errors
 * always answer JSON `{error}`: 400 for malformed bodies, 413 for oversized
 * ones, 404 for unknown routes. `GET /` is for a person with a browser:
 * it leads to the playground, or says what runs and where its health is.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logging.js';
import { guard } from './guard.js';

export interface HealthPart {
  name: string;
  /** Required parts turn /healthz into 503 when they are down. */
  required: boolean;
  check(): Promise<'up' | 'down' | 'disabled'> | 'up' | 'down' | 'disabled';
}

export interface HttpServerOptions {
  bodyLimit: number;
  logger: Logger;
  health: () => readonly HealthPart[];
  /** Where `GET /` redirects (the playground); without it, `/` answers a short page naming what runs. */
  home?: string;
  /** `GET /metrics` (Prometheus text format); without it, no such route. */
  metrics?: {
    scrape(): Promise<{ contentType: string; body: string }>;
    /** METRICS_TOKEN: required as a bearer token when set; unset, loopback clients only. */
    token: string | undefined;
  };
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request lines are noise at chat rates; refusals and failures are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    trustProxy: false,
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    else req.log.info({ url: req.url, status, reason: err.code ?? err.message }, 'request refused');
    void reply.status(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((_req, reply) => void reply.status(404).send({ error: 'not found' }));

  app.get('/healthz', async (_req, reply) => {
    const { status, states } = await checkHealth(options.health());
    return reply.status(status === 'down' ? 503 : 200).send({ status, ...states });
  });

  const { metrics } = options;
  if (metrics) {
    app.get('/metrics', { onRequest: async (req, reply) => guard(req, reply, { token: metrics.token, what: '/metrics', tokenEnv: 'METRICS_TOKEN' }) }, async (_req, reply) => {
      const { contentType, body } = await metrics.scrape();
      return reply.type(contentType).send(body);
    });
  }

  app.get('/', async (req, reply) => {
    if (options.home) {
      // The query goes along: the playground's ?token= when PLAYGROUND_TOKEN is set.
      const query = req.url.indexOf('?');
      return reply.redirect(options.home + (query >= 0 ? req.url.slice(query) : ''), 302);
    }
    const { status, states } = await checkHealth(options.health());
    return reply.type('text/html; charset=utf-8').send(homePage(status, states));
  });

  return app;
}

async function checkHealth(parts: readonly HealthPart[]): Promise<{ status: 'ok' | 'degraded' | 'down'; states: Record<string, string> }> {
  const states: Record<string, string> = {};
  let down = false;
  let degraded = false;
  for (const part of parts) {
    let state: 'up' | 'down' | 'disabled';
    try {
      state = await part.check();
    } catch {
      state = 'down';
    }
    states[part.name] = state;
    if (state === 'down') {
      if (part.required) down = true;
      else degraded = true;
    }
  }
  return { status: down ? 'down' : degraded ? 'degraded' : 'ok', states };
}

/** What a person sees opening the server's address in a browser when there is no playground. */
function homePage(status: string, states: Record<string, string>): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const parts = Object.entries(states)
    .filter(([, state]) => state !== 'disabled')
    .map(([name, state]) => `<li><code>${esc(name)}</code>: ${esc(state)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>qunbot</title>
<style>body{font:15px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d2330}code{background:#eef1f6;padding:0 4px;border-radius:4px}</style>
</head>
<body>
<h1>qunbot</h1>
<p>qunbot is running (status: <b>${esc(status)}</b>). It serves the chat platforms it is configured for; there is no web page here. Health as JSON: <a href="/healthz">/healthz</a>. The playground is off (it runs when no platform is configured, or with <code>playground.enabled: true</code>).</p>
<p lang="zh-CN">qunbot 正在运行（状态：<b>${esc(status)}</b>）。机器人在已配置的聊天平台上工作，这里没有网页。健康检查（JSON）：<a href="/healthz">/healthz</a>。体验页面（playground）未开启：未配置任何平台时自动开启，或设置 <code>playground.enabled: true</code>。</p>
<ul>${parts}</ul>
</body>
</html>`;
}
