import { parseRetryAfter } from '@bulwark/core';

/**
 * Reads how long to wait from `Retry-After` (the strict core grammar: whole seconds or an HTTP-date), then `ratelimit-reset`
 * (seconds from now, IETF draft), then `x-ratelimit-reset` (epoch seconds, or seconds when
 * small). Returns milliseconds, or `undefined` when no header says. @internal
 */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), nowMs);
  if (retryAfter !== undefined) return retryAfter;
  const reset = headers.get('ratelimit-reset')?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.round(Number(reset) * 1000);
  const xReset = headers.get('x-ratelimit-reset')?.trim();
  if (xReset && /^\d+(\.\d+)?$/.test(xReset)) {
    const value = Number(xReset);
    // Epoch seconds are ~1.7e9; anything below a year's worth of seconds is a delta.
    return value > 31_536_000 ? Math.max(0, Math.round(value * 1000 - nowMs)) : Math.round(value * 1000);
  }
  return undefined;
}
