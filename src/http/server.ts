/**
 * The one HTTP server: WeCom callbacks, health, the playground. Errors
 * always answer JSON `{error}`: 400 for malformed bodies, 413 for oversized
 * ones, 404 for unknown routes.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logging.js';

export interface HealthPart {
  name: string;
  /** Required parts turn /healthz into 503 when they are down. */
  required: boolean;
  check(): Promise<'up' | 'down' | 'disabled'> | 'up' | 'down' | 'disabled';
}

export function createHttpServer(options: { bodyLimit: number; logger: Logger; health: () => readonly HealthPart[] }): FastifyInstance {
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
    const parts = options.health();
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
    const status = down ? 'down' : degraded ? 'degraded' : 'ok';
    return reply.status(down ? 503 : 200).send({ status, ...states });
  });

  return app;
}
