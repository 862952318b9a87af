/**
 * Access to the bot's own pages and APIs (the playground, /metrics): with a
 * token configured, any address that presents it (`Authorization: Bearer
 * <token>`); without one, loopback clients only.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface GuardOptions {
  token: string | undefined;
  /** What is guarded, in the refusals ("the playground"). */
  what: string;
  /** The environment variable that sets the token, named in the loopback refusal. */
  tokenEnv: string;
  /** Where else a request may carry the token (the playground page's `?token=`). */
  tokenFrom?: (req: FastifyRequest) => string | undefined;
}

/** Answers 403 (not loopback, no token configured) or 401 (missing or wrong token) and returns the reply; undefined: let it through. */
export function guard(req: FastifyRequest, reply: FastifyReply, options: GuardOptions): FastifyReply | undefined {
  if (!options.token) {
    if (!isLoopback(req.socket.remoteAddress)) return reply.status(403).send({ error: `${options.what} answers loopback only; set ${options.tokenEnv} to open it` });
    return undefined;
  }
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : (options.tokenFrom?.(req) ?? '');
  if (!safeEqual(given, options.token)) return reply.status(401).send({ error: `missing or wrong ${options.tokenEnv.toLowerCase().replace('_', ' ')}` });
  return undefined;
}

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/** Compares secrets in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
