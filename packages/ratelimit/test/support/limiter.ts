import { FakeClock } from '@bulwark/testing';
import { createRateLimiter, type Decision, type RateLimiterOptions } from '../../src/index.js';

/** A limiter on a fake clock starting at a minute boundary, with a silent logger. */
export function fakeLimiter(options: RateLimiterOptions, start = 1_699_999_980_000) {
  const clock = new FakeClock(start);
  const warnings: string[] = [];
  const limiter = createRateLimiter({ clock, timers: clock, logger: { warn: (m) => warnings.push(m) }, ...options });
  return { clock, limiter, warnings };
}

/** Calls `limit` n times and returns how many were allowed. */
export async function allowedCount(
  limiter: { limit(key: string, o?: { cost?: number }): Promise<Decision> },
  key: string,
  n: number,
  cost = 1,
): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < n; i++) if ((await limiter.limit(key, { cost })).allowed) allowed++;
  return allowed;
}
