import { createBreakerRegistry } from '@bulwark/breaker';
import { BulwarkError, baseErrors, defineErrors, err } from '@bulwark/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyJobError, FOREIGN_ERROR_CODE } from '../src/job-error-classification.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const payments = defineErrors({
  bullmq_test_card_declined: { status: 402, title: 'Card Declined', description: 'Test code.' },
  bullmq_test_gateway_busy: { status: 503, title: 'Gateway Busy', retryable: true, description: 'Test code.' },
});

describe('classifyJobError', () => {
  it('keeps a Bulwark error code and its retryability', () => {
    expect(classifyJobError(err('validation_failed'), NOW)).toEqual({
      code: 'validation_failed',
      retryable: false,
      retryAfterMs: undefined,
    });
    expect(classifyJobError(payments.err('bullmq_test_gateway_busy'), NOW).retryable).toBe(true);
  });

  it('honours a per-occurrence retryable override', () => {
    expect(classifyJobError(err('conflict', { retryable: true }), NOW).retryable).toBe(true);
  });

  it('classifies an open breaker as retryable after its wait', async () => {
    const breaker = createBreakerRegistry().get('payments');
    breaker.forceOpen();
    const rejection = await breaker.execute(() => 1).catch((error: unknown) => error);
    const classified = classifyJobError(rejection, NOW);
    expect(classified.code).toBe('circuit_open');
    expect(classified.retryable).toBe(true);
    expect(classified.retryAfterMs).toBeTypeOf('number');
  });

  it('maps unregistered codes to unknown_error so metrics stay bounded', () => {
    const rogue = new BulwarkError({ code: 'user_42_failed', retryable: true });
    expect(classifyJobError(rogue, NOW)).toMatchObject({ code: 'unknown_error', retryable: true });
    const custom = classifyJobError(new Error('x'), NOW, {
      classify: () => ({ code: 'no such code', retryable: false }),
    });
    expect(custom.code).toBe('unknown_error');
  });

  it('asks the custom classifier first and falls back when it declines or throws', () => {
    const classify = (error: unknown) =>
      error instanceof Error && error.message === 'declined'
        ? { code: 'bullmq_test_card_declined', retryable: false }
        : undefined;
    expect(classifyJobError(new Error('declined'), NOW, { classify }).code).toBe('bullmq_test_card_declined');
    expect(classifyJobError(new Error('other'), NOW, { classify }).code).toBe(FOREIGN_ERROR_CODE);
    const throwing = () => {
      throw new Error('classifier bug');
    };
    expect(classifyJobError(err('not_found'), NOW, { classify: throwing }).code).toBe('not_found');
  });

  it("never retries BullMQ's UnrecoverableError, keeping a [code] prefix", () => {
    const unrecoverable = Object.assign(new Error('[not_found] gone'), { name: 'UnrecoverableError' });
    expect(classifyJobError(unrecoverable, NOW)).toMatchObject({ code: 'not_found', retryable: false });
    const plain = Object.assign(new Error('gone'), { name: 'UnrecoverableError' });
    expect(classifyJobError(plain, NOW)).toMatchObject({ code: FOREIGN_ERROR_CODE, retryable: false });
  });

  it('retries foreign errors unless told otherwise, and never errors flagged retryable: false', () => {
    expect(classifyJobError(new TypeError('x'), NOW).retryable).toBe(true);
    expect(classifyJobError(new TypeError('x'), NOW, { retryUnknownErrors: false }).retryable).toBe(false);
    expect(classifyJobError(Object.assign(new Error('x'), { retryable: false }), NOW).retryable).toBe(false);
  });

  it('carries a hint only on retryable failures', () => {
    const limited = Object.assign(new Error('429'), { headers: new Headers({ 'retry-after': '3' }) });
    expect(classifyJobError(limited, NOW).retryAfterMs).toBe(3_000);
    const fatal = err('forbidden', { extensions: { retryAfterMs: 5_000 } });
    expect(classifyJobError(fatal, NOW).retryAfterMs).toBeUndefined();
  });

  it('never throws, and always yields a registered code (property)', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(classifyJobError(hostile, NOW).code).toBe(FOREIGN_ERROR_CODE);
    fc.assert(
      fc.property(fc.anything(), fc.string(), fc.boolean(), (value, code, retryable) => {
        const thrown = [value, Object.assign(new Error(String(code)), { code, retryable, retryAfterMs: value })];
        for (const error of thrown) {
          const result = classifyJobError(error, NOW, { classify: () => ({ code, retryable }) });
          expect(
            result.code === 'unknown_error' ||
              baseErrors.has(result.code) ||
              payments.has(result.code) ||
              result.code === code,
          ).toBe(true);
          if (!result.retryable) expect(result.retryAfterMs).toBeUndefined();
        }
      }),
    );
  });
});
