import { describe, expectTypeOf, it } from 'vitest';
import { createRetry, type RetryAttempt, retry } from '../src/index.js';

describe('retry types', () => {
  it('types the result by the function', () => {
    expectTypeOf(retry(async () => 'x')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(createRetry().execute(async (signal) => signal.aborted)).toEqualTypeOf<Promise<boolean>>();
  });

  it('passes the attempt context', () => {
    void retry((attempt) => {
      expectTypeOf(attempt).toEqualTypeOf<RetryAttempt>();
      return attempt.attemptNumber;
    });
  });

  it('rejects unknown jitter modes', () => {
    // @ts-expect-error: not a jitter mode
    void retry(() => 1, { jitter: 'decorrelated' });
  });
});
