import type { TimerProvider } from '@bulwark/core';
import { idempotencyErrors } from '../errors/codes.js';

const UNREF = Object.freeze({ unref: true });

/**
 * Races a store call against `deadlineMs` and the caller's signal. A store error or a missed
 * deadline rejects with `idempotency_store_unavailable` (the store error as `cause`); an abort
 * rejects with `signal.reason`. The timer and listener are removed when the race settles.
 * @internal
 */
export function withDeadline<T>(
  call: () => Promise<T>,
  deadlineMs: number,
  timers: TimerProvider,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      timers.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(signal?.reason);
    };
    const unavailable = (detail: string, cause: unknown): void => {
      if (finish()) reject(idempotencyErrors.err('idempotency_store_unavailable', { detail, cause }));
    };
    const timer = timers.setTimeout(
      () => unavailable(`The idempotency store did not answer ${what} within ${deadlineMs} ms`, undefined),
      deadlineMs,
      UNREF,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      unavailable(`The idempotency store failed ${what}`, error);
      return;
    }
    pending.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => unavailable(`The idempotency store failed ${what}`, error),
    );
  });
}
