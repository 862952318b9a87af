/**
 * A sliding-window limiter per target in Redis (one Lua call, atomic across
 * processes). `take` answers 0 when the send may go now (and counts it), or
 * how many milliseconds to wait.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimit } from '../core/sender.js';

const SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

export class RateLimiter {
  private sequence = 0;
  /** Two processes on two machines may share a pid: the window's members stay distinct. */
  private readonly origin = randomBytes(6).toString('hex');

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async take(limit: RateLimit, now: number): Promise<number> {
    const member = `${now}-${this.origin}-${++this.sequence}`;
    const wait = await this.redis.eval(SCRIPT, 1, `${this.prefix}:ratelimit:${limit.key}`, now, limit.windowMs, limit.limit, member);
    return Number(wait);
  }
}
