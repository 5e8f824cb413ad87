import { createHash } from 'node:crypto';
import { type Clock, systemTimers, type TimerProvider } from '@bulwark/core';
import { createMemoryStore, createRateLimiter, type Store } from '@bulwark/ratelimit';
import type { RedisClient } from '../redis-connection.js';
import { withinDeadline } from '../redis-deadline.js';

/** Throttles failed authentication per source address. */
export interface AuthThrottle {
  /** Ms the address must wait before its credentials are even checked; 0 when it may try. */
  blockedForMs(address: string): Promise<number>;
  /** Records a failed attempt; returns the wait now imposed (0 while under the limit). */
  recordFailure(address: string): Promise<number>;
}

/** Where blocked addresses are kept until their wait ends (by the injected clock's time). */
export interface AuthBlocks {
  /** The clock time until which the address is blocked, or undefined. */
  until(address: string): Promise<number | undefined>;
  block(address: string, until: number, waitMs: number): Promise<void>;
}

const MAX_TRACKED = 10_000;

/** Blocks in this process (one instance). */
export function memoryAuthBlocks(): AuthBlocks {
  const blocked = new Map<string, number>();
  return {
    until: async (address) => blocked.get(address),
    async block(address, until) {
      blocked.delete(address);
      if (blocked.size >= MAX_TRACKED) blocked.delete(blocked.keys().next().value as string);
      blocked.set(address, until);
    },
  };
}

/**
 * Blocks in Redis, shared by a fleet: `<prefix>auth-blocked:<SHA-256 of the address>` holds the
 * clock time the block ends, expiring a minute after it. Calls settle within `deadlineMs` or
 * fail with `storage_unavailable` (503): an outage never lets a blocked address through.
 */
export function redisAuthBlocks(options: {
  redis: RedisClient;
  prefix: string;
  deadlineMs: number;
  timers?: TimerProvider;
}): AuthBlocks {
  const { redis, deadlineMs } = options;
  const timers = options.timers ?? systemTimers;
  const keyOf = (address: string) =>
    `${options.prefix}auth-blocked:${createHash('sha256').update(address).digest('hex').slice(0, 32)}`;
  const detail = 'The authentication throttle is unavailable; retry later';
  return {
    until: (address) =>
      withinDeadline(timers, deadlineMs, detail, async () => {
        const value = await redis.get(keyOf(address));
        return value === null ? undefined : Number(value);
      }),
    block: (address, until, waitMs) =>
      withinDeadline(timers, deadlineMs, detail, async () => {
        await redis.set(keyOf(address), String(until), 'PX', waitMs + 60_000);
      }),
  };
}

/**
 * `limit` failures per address per `windowMs`; past it, the address is refused without a check
 * until its window frees a slot, so guessing costs time no matter how fast the client is. With
 * a shared `store` and `blocks` (Redis), the count and the block hold across a fleet.
 */
export function createAuthThrottle(options: {
  clock: Clock;
  limit?: number;
  windowMs?: number;
  store?: Store;
  blocks?: AuthBlocks;
  deadlineMs?: number;
}): AuthThrottle {
  const { clock } = options;
  const limiter = createRateLimiter({
    limit: options.limit ?? 10,
    windowMs: options.windowMs ?? 60_000,
    algorithm: 'sliding-window',
    store: options.store ?? createMemoryStore({ clock, maxKeys: MAX_TRACKED }),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    clock,
  });
  const blocks = options.blocks ?? memoryAuthBlocks();
  return {
    async blockedForMs(address) {
      const until = await blocks.until(address);
      if (until === undefined) return 0;
      return Math.max(0, until - clock.now());
    },
    async recordFailure(address) {
      const decision = await limiter.limit(`auth:${address}`);
      if (decision.allowed) return 0;
      const wait = Math.max(decision.retryAfterMs, 1_000);
      await blocks.block(address, clock.now() + wait, wait);
      return wait;
    },
  };
}
