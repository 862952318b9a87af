/**
 * The playground adapter: a local web page and its JSON API (DESIGN.md §3)
 * where a person chats with the bot as several members of a demo community.
 * Loopback only unless PLAYGROUND_TOKEN is set, then the token is required.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ChatEvent } from '../../core/chat-event.js';
import type { AdjustableClock } from '../../core/clock.js';
import type { Router } from '../../core/router.js';
import type { PlaygroundFeed } from './feed.js';
import { playgroundPage } from './page.js';
import { guard } from '../../http/guard.js';

export interface PlaygroundOptions {
  router: Router;
  feed: PlaygroundFeed;
  /** User ids with admin rights (playground.admins). */
  admins: readonly string[];
  token?: string;
  /** Present when the page may move the clock forward (demo of streaks). */
  clock?: AdjustableClock;
  now: () => Date;
}

const id = z.string().trim().min(1).max(64).regex(/^[^\s<>]+$/, 'no spaces or angle brackets');
const name = z.string().trim().min(1).max(64);
const messageBody = z.object({
  communityId: id,
  userId: id,
  userName: name,
  text: z.string().max(2000),
  messageId: id.optional(),
});
const eventBody = z.object({
  communityId: id,
  userId: id,
  userName: name,
  type: z.enum(['memberJoined', 'memberLeft', 'message']),
  text: z.string().max(2000).optional(),
  messageId: id.optional(),
});
const clockBody = z.object({ advanceHours: z.number().int().min(1).max(24 * 366) });

export function registerPlayground(app: FastifyInstance, options: PlaygroundOptions): void {
  // By user id only (DESIGN.md §2.8): a display name is whatever the client typed.
  const admins = new Set(options.admins);
  const isAdmin = (userId: string): boolean => admins.has(userId);

  app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => guard(req, reply, { token: options.token, what: 'the playground', tokenEnv: 'PLAYGROUND_TOKEN', tokenFrom: pageToken }));

    scope.get('/playground', async (_req, reply) => reply.type('text/html; charset=utf-8').send(playgroundPage({ clockControls: options.clock !== undefined, admins: options.admins })));

    scope.post('/playground/api/messages', async (req, reply) => {
      const body = parse(messageBody, req.body, reply);
      if (!body) return reply;
      const event: ChatEvent = {
        type: 'message',
        deliveryId: body.messageId ?? randomUUID(),
        community: { platform: 'playground', externalId: body.communityId, name: body.communityId },
        actor: { platformUserId: body.userId, displayName: body.userName, isAdmin: isAdmin(body.userId) },
        text: body.text,
        addressed: true,
      };
      const result = await options.router.handle(event);
      return { replies: result.replies, duplicate: result.duplicate };
    });

    scope.post('/playground/api/events', async (req, reply) => {
      const body = parse(eventBody, req.body, reply);
      if (!body) return reply;
      const base = {
        deliveryId: body.messageId ?? randomUUID(),
        community: { platform: 'playground' as const, externalId: body.communityId, name: body.communityId },
        actor: { platformUserId: body.userId, displayName: body.userName, isAdmin: isAdmin(body.userId) },
      };
      const event: ChatEvent = body.type === 'message' ? { ...base, type: 'message', text: body.text ?? '', addressed: false } : { ...base, type: body.type };
      const result = await options.router.handle(event);
      return { replies: result.replies, duplicate: result.duplicate };
    });

    scope.get('/playground/api/feed', async (req, reply) => {
      const query = parse(z.object({ communityId: id, after: z.coerce.number().int().min(0).optional() }), req.query, reply);
      if (!query) return reply;
      return { posts: (await options.feed.list(query.communityId, query.after ?? 0)) };
    });

    scope.get('/playground/api/clock', async () => ({ now: options.now().toISOString(), offsetMs: options.clock?.offset ?? 0, adjustable: options.clock !== undefined }));

    scope.post('/playground/api/clock', async (req, reply) => {
      if (!options.clock) return reply.status(403).send({ error: 'clock controls are disabled (playground.clockControls)' });
      const body = parse(clockBody, req.body, reply);
      if (!body) return reply;
      await options.clock.advance(body.advanceHours * 3_600_000);
      return { now: options.now().toISOString(), offsetMs: options.clock.offset, adjustable: true };
    });
  });
}

function parse<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply): T | undefined {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  void reply.status(400).send({ error: issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid request' });
  return undefined;
}

/** The page itself may carry the token in its address (`/playground?token=`), so that a browser can open it. */
function pageToken(req: FastifyRequest): string | undefined {
  const token = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && req.method === 'GET' && req.url.startsWith('/playground?') ? token : undefined;
}
