import { FakeClock, flushMicrotasks } from '@bulwark/testing';
import { type CircuitBreaker, type CircuitBreakerOptions, createCircuitBreaker } from '../src/index.js';

export const boom = (): Promise<never> => Promise.reject(new Error('boom'));
export const ok = (): Promise<string> => Promise.resolve('ok');

/** A promise with its resolve/reject exposed. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = string>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A breaker on a fake clock with small, test-friendly thresholds. */
export function makeBreaker(options: CircuitBreakerOptions = {}): { breaker: CircuitBreaker; clock: FakeClock } {
  const clock = new FakeClock(1_000_000);
  const breaker = createCircuitBreaker({
    name: 'test',
    window: { type: 'count', size: 10 },
    minimumCalls: 4,
    failureRateThreshold: 50,
    openWaitMs: 1_000,
    halfOpenPermits: 2,
    clock,
    timers: clock,
    ...options,
  });
  return { breaker, clock };
}

/** Settles `promise` (ignoring its outcome) so assertions can follow. */
export async function settle(promise: Promise<unknown>): Promise<void> {
  await promise.catch(() => {});
}

/** Drives the breaker to OPEN with failures. */
export async function openBreaker(breaker: CircuitBreaker, failures = 4): Promise<void> {
  for (let i = 0; i < failures; i++) await settle(breaker.execute(boom));
  await flushMicrotasks();
}
