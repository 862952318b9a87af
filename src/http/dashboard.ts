/**
 * The dashboard's routes (features/dashboard holds the rules and the data):
 *
 * - `GET /dashboard/login?t=<link>` (from `/dashboard`) or `?token=<DASHBOARD_TOKEN>`:
 *   sets the session cookie (HttpOnly, SameSite=Strict, Path=/dashboard) and
 *   sends the browser on to the page. A bad or expired link is a 401.
 * - `GET /dashboard`, `/dashboard/c/<id>`: the page (a shell; its script reads the API).
 * - `GET /dashboard/api/communities`, `/dashboard/api/<id>/data`, `/dashboard/api/<id>/daily.csv`.
 * - `GET /dashboard/assets/…`: the page's script and style, and ECharts from node_modules (never a CDN).
 *
 * Access is the session cookie or `Authorization: Bearer <DASHBOARD_TOKEN>`.
 * Without it every page and API answers 401 and names no community; a
 * community the session does not cover answers 403 whether or not it exists.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { covers, MAX_DAYS, type DashboardScope, type DashboardService } from '../features/dashboard/index.js';
import { safeEqual } from './guard.js';
import { DASHBOARD_CSS, DASHBOARD_SCRIPT, dashboardPage, refusalPage, continuePage } from './dashboard-page.js';

export interface DashboardRouteOptions {
  service: DashboardService;
  /** DASHBOARD_TOKEN: an operator's access to every community. */
  operatorToken: string | undefined;
  now: () => Date;
  /** Mark the cookie Secure (the public URL is https). */
  secureCookie: boolean;
}

const COOKIE = 'qunbot_dashboard';
// Scripts from this server only (no inline script, no CDN); ECharts sets inline styles on the elements it draws.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** ECharts' prebuilt bundle, read once from node_modules when first asked for. */
let echartsBundle: string | undefined;
function echarts(): string {
  echartsBundle ??= readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');
  return echartsBundle;
}

export function registerDashboard(app: FastifyInstance, options: DashboardRouteOptions): void {
  const { service } = options;

  const access = (req: FastifyRequest): DashboardScope | undefined => {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) return options.operatorToken !== undefined && safeEqual(header.slice(7), options.operatorToken) ? { all: true } : undefined;
    const session = cookieValue(req.headers.cookie, COOKIE);
    return session === undefined ? undefined : service.verifySession(session, options.now());
  };
  const deny = (req: FastifyRequest, reply: FastifyReply, status: 401 | 403): FastifyReply => {
    if (req.url.startsWith('/dashboard/api/')) return reply.status(status).send({ error: status === 401 ? 'not signed in' : 'not allowed' });
    return reply.status(status).type('text/html; charset=utf-8').send(refusalPage(status));
  };
  /** The community of `/…/<id>/…` when the caller's scope covers it; otherwise the refusal has been sent. */
  const community = (req: FastifyRequest, reply: FastifyReply): number | undefined => {
    const scope = access(req);
    if (!scope) return void deny(req, reply, 401);
    const raw = (req.params as { id?: string }).id ?? '';
    const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id) || !covers(scope, id)) return void deny(req, reply, 403);
    return id;
  };
  const daysOf = (req: FastifyRequest): number | undefined => {
    const raw = (req.query as Record<string, unknown> | undefined)?.days;
    const n = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : undefined;
    return n === undefined ? undefined : Math.min(Math.max(n, 1), MAX_DAYS);
  };

  app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply, payload) => {
      void reply.header('Content-Security-Policy', CSP);
      void reply.header('X-Content-Type-Options', 'nosniff');
      // The login address carries a token: never pass it on as a referrer, never keep it in a cache.
      void reply.header('Referrer-Policy', 'no-referrer');
      if (!reply.hasHeader('Cache-Control')) void reply.header('Cache-Control', 'no-store');
      return payload;
    });

    scope.get('/dashboard/login', async (req, reply) => {
      const query = (req.query ?? {}) as Record<string, unknown>;
      const now = options.now();
      let granted: DashboardScope | undefined;
      if (typeof query.t === 'string') granted = service.verifyLink(query.t, now);
      else if (typeof query.token === 'string' && options.operatorToken !== undefined && safeEqual(query.token, options.operatorToken)) granted = { all: true };
      if (!granted) return reply.status(401).type('text/html; charset=utf-8').send(refusalPage(401));
      const session = service.session(granted, now);
      const target = granted.all ? '/dashboard' : `/dashboard/c/${granted.communityId}`;
      void reply.header('Set-Cookie', `${COOKIE}=${session.value}; Max-Age=${session.maxAge}; Path=/dashboard; HttpOnly; SameSite=Strict${options.secureCookie ? '; Secure' : ''}`);
      // Not a 302: a browser that arrives from a chat app (another site) would not send a SameSite=Strict
      // cookie on a redirect of that navigation; a refresh from this page is a same-site navigation, and it does.
      return reply.type('text/html; charset=utf-8').send(continuePage(target));
    });

    scope.get('/dashboard/assets/echarts.min.js', async (_req, reply) => reply.header('Cache-Control', 'public, max-age=86400').type('text/javascript; charset=utf-8').send(echarts()));
    scope.get('/dashboard/assets/dashboard.js', async (_req, reply) => reply.header('Cache-Control', 'no-cache').type('text/javascript; charset=utf-8').send(DASHBOARD_SCRIPT));
    scope.get('/dashboard/assets/dashboard.css', async (_req, reply) => reply.header('Cache-Control', 'no-cache').type('text/css; charset=utf-8').send(DASHBOARD_CSS));

    const page = async (req: FastifyRequest, reply: FastifyReply) => {
      if (!access(req)) return deny(req, reply, 401);
      return reply.type('text/html; charset=utf-8').send(dashboardPage());
    };
    scope.get('/dashboard', page);
    scope.get('/dashboard/', page);
    scope.get('/dashboard/c/:id', async (req, reply) => (community(req, reply) === undefined ? reply : page(req, reply)));

    scope.get('/dashboard/api/communities', async (req, reply) => {
      const granted = access(req);
      if (!granted) return deny(req, reply, 401);
      return { communities: await service.communities(granted), labels: await service.listLabels(granted) };
    });
    scope.get('/dashboard/api/:id/data', async (req, reply) => {
      const id = community(req, reply);
      if (id === undefined) return reply;
      const data = await service.data(id, options.now(), daysOf(req));
      return data ?? reply.status(404).send({ error: 'no such community' });
    });
    scope.get('/dashboard/api/:id/daily.csv', async (req, reply) => {
      const id = community(req, reply);
      if (id === undefined) return reply;
      const csv = await service.dailyCsv(id, options.now(), daysOf(req));
      if (csv === undefined) return reply.status(404).send({ error: 'no such community' });
      return reply.header('Content-Disposition', `attachment; filename="qunbot-${id}-daily.csv"`).type('text/csv; charset=utf-8').send(csv);
    });
  });
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
