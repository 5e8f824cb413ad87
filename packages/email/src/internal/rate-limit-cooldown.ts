import type { Clock } from '@bulwark/core';
import { EmailError, isEmailError } from '../errors/email-error.js';

/** Hand-over stand-ins, mapped back to the error the provider threw. */
const originals = new WeakMap<EmailError, unknown>();

/**
 * A rate-limited send that another provider can take must not be retried where it is: it is
 * thrown on as a non-retryable stand-in, so no retry policy (ours or the host's) waits out the
 * limit first. `original` gives the provider's error back. @internal
 */
export function handOverAtOnce(error: unknown): unknown {
  if (!isEmailError(error) || error.code !== 'email_rate_limited' || !error.retryable) return error;
  const standIn = new EmailError({
    code: error.code,
    provider: error.provider,
    detail: error.detail,
    providerStatus: error.providerStatus,
    providerCode: error.providerCode,
    requestId: error.requestId,
    retryAfterMs: error.retryAfterMs,
    quota: error.quota,
    retryable: false,
    cause: error,
  });
  originals.set(standIn, error);
  return standIn;
}

/** The error the provider threw, behind a hand-over stand-in. @internal */
export function original(error: unknown): unknown {
  return isEmailError(error) ? (originals.get(error) ?? error) : error;
}

/**
 * Remembers, per provider, until when it asked not to be called (`retryAfterMs` of a rate
 * limit), so the chain skips it for that long instead of asking again. @internal
 */
export function createCooldowns(clock: Clock) {
  const until = new Map<number, number>();
  return {
    /** Records a rate limit's `retryAfterMs` for the provider at `index`. */
    note(index: number, error: unknown): void {
      if (!isEmailError(error) || error.code !== 'email_rate_limited') return;
      const wait = error.retryAfterMs;
      if (wait === undefined || !Number.isFinite(wait) || wait <= 0) return;
      const end = clock.now() + wait;
      if (end > (until.get(index) ?? 0)) until.set(index, end);
    },
    /** How long the provider at `index` still asked to be left alone, in ms (0: not cooling). */
    remaining(index: number): number {
      const end = until.get(index);
      if (end === undefined) return 0;
      const left = end - clock.now();
      if (left <= 0) until.delete(index);
      return Math.max(0, left);
    },
  };
}
