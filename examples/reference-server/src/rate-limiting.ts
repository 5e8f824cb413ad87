import type { Clock } from '@bulwark/core';
import {
  createMemoryStore,
  createRateLimiter,
  honoRateLimit,
  ipKey,
  type RateLimiter,
  ratelimitErrors,
} from '@bulwark/ratelimit';
import { createRedisStore } from '@bulwark/ratelimit/redis';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { type AppEnv, type AppServices, countError } from './app-context.js';
import type { Config } from './config.js';
import type { RedisClient } from './redis-connection.js';

/**
 * The public API's limiter: per client IP, a per-second and a per-minute policy decided
 * together. Memory store by default, Redis when `REDIS_URL` is set. Fails closed.
 */
export function createApiRateLimiter(config: Config, clock: Clock, logger: Logger, redis?: RedisClient): RateLimiter {
  return createRateLimiter({
    policies: [
      { name: 'per_second', limit: config.RATE_LIMIT_PER_SECOND, windowMs: 1_000 },
      { name: 'per_minute', limit: config.RATE_LIMIT_PER_MINUTE, windowMs: 60_000 },
    ],
    store: redis
      ? createRedisStore({ client: redis, prefix: `${config.REDIS_KEY_PREFIX}rl:` })
      : createMemoryStore({ clock }),
    deadlineMs: config.RATE_LIMIT_DEADLINE_MS,
    clock,
    logger: { warn: (message: string, fields?: unknown) => logger.warn({ ratelimit: fields }, message) },
  });
}

/** Hono middleware for public routes: IETF RateLimit headers, 429/503 problem+json, counted by code. */
export function publicRateLimit(services: AppServices): MiddlewareHandler<AppEnv> {
  // The client address as everywhere else in the server: X-Forwarded-For only from TRUSTED_PROXIES.
  const guard = honoRateLimit(services.rateLimiter, {
    key: ipKey({ trustedProxies: services.config.TRUSTED_PROXIES }),
  });
  return async (c, next) => {
    const denied = await guard(c, next);
    if (denied) {
      const code = denied.status === 429 ? 'rate_limit_exceeded' : 'rate_limiter_unavailable';
      countError(services, ratelimitErrors.err(code));
      return denied;
    }
    return undefined;
  };
}
