import type { TimerProvider } from '@bulwark/core';
import { serverErrors } from './server-errors.js';

/** Retry-After of an unreachable shared store: about a Redis failover. */
const RETRY_AFTER_MS = 5_000;

/**
 * Runs one store call that must settle within `deadlineMs`: a rejection or no answer in time
 * becomes `storage_unavailable` (503, retryable, `detail` as given), so a Redis that refuses,
 * drops or stalls a call fails it closed instead of hanging the request.
 */
export function withinDeadline<T>(
  timers: TimerProvider,
  deadlineMs: number,
  detail: string,
  work: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const fail = (cause: unknown) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      reject(serverErrors.err('storage_unavailable', { detail, cause, extensions: { retryAfterMs: RETRY_AFTER_MS } }));
    };
    const timer = timers.setTimeout(() => fail(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs, {
      unref: true,
    });
    let pending: Promise<T>;
    try {
      pending = work();
    } catch (error) {
      fail(error);
      return;
    }
    pending.then((value) => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      resolve(value);
    }, fail);
  });
}
