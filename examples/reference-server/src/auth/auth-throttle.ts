import type { Clock } from '@bulwark/core';
import { createMemoryStore, createRateLimiter } from '@bulwark/ratelimit';

/** Throttles failed authentication per source address. */
export interface AuthThrottle {
  /** Ms the address must wait before its credentials are even checked; 0 when it may try. */
  blockedForMs(address: string): number;
  /** Records a failed attempt; returns the wait now imposed (0 while under the limit). */
  recordFailure(address: string): Promise<number>;
}

const MAX_TRACKED = 10_000;

/**
 * `limit` failures per address per `windowMs`; past it, the address is refused without a check
 * until its window frees a slot, so guessing costs time no matter how fast the client is.
 */
export function createAuthThrottle(options: { clock: Clock; limit?: number; windowMs?: number }): AuthThrottle {
  const { clock } = options;
  const limiter = createRateLimiter({
    limit: options.limit ?? 10,
    windowMs: options.windowMs ?? 60_000,
    algorithm: 'sliding-window',
    store: createMemoryStore({ clock, maxKeys: MAX_TRACKED }),
    clock,
  });
  const blockedUntil = new Map<string, number>();
  return {
    blockedForMs(address) {
      const until = blockedUntil.get(address);
      if (until === undefined) return 0;
      const left = until - clock.now();
      if (left > 0) return left;
      blockedUntil.delete(address);
      return 0;
    },
    async recordFailure(address) {
      const decision = await limiter.limit(`auth:${address}`);
      if (decision.allowed) return 0;
      if (blockedUntil.size >= MAX_TRACKED) blockedUntil.delete(blockedUntil.keys().next().value as string);
      const wait = Math.max(decision.retryAfterMs, 1_000);
      blockedUntil.set(address, clock.now() + wait);
      return wait;
    },
  };
}
