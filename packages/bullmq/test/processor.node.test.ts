import { createBreakerRegistry } from '@bulwark/breaker';
import { err } from '@bulwark/errors';
import { FakeClock } from '@bulwark/testing';
import { DelayedError, UnrecoverableError } from 'bullmq';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobMetrics } from '../src/job-metrics.js';
import { createProcessor } from '../src/processor.js';
import type { ProcessedJob } from '../src/processor-options.js';

interface FakeJob extends ProcessedJob {
  delayedUntil: number | undefined;
}

function fakeJob(overrides: Partial<ProcessedJob> = {}): FakeJob {
  const job: FakeJob = {
    id: '1',
    name: 'send',
    queueName: 'invoices',
    attemptsMade: 0,
    opts: { attempts: 3 },
    delayedUntil: undefined,
    async moveToDelayed(timestamp: number) {
      job.delayedUntil = timestamp;
    },
    ...overrides,
  };
  return job;
}

function recordingMetrics() {
  const counts: string[] = [];
  const metrics: JobMetrics = {
    increment: (name, labels) => counts.push(`${name} ${JSON.stringify(labels)}`),
    observe: () => {},
    gauge: () => {},
  };
  return { metrics, counts };
}

const failWith = (error: unknown) => async () => {
  throw error;
};

describe('createProcessor', () => {
  it('returns the handler result and counts a completion with its duration', async () => {
    const clock = new FakeClock(1_000);
    const observed: Array<[string, number]> = [];
    const { metrics, counts } = recordingMetrics();
    metrics.observe = (name, value) => observed.push([name, value]);
    const processor = createProcessor(
      async () => {
        clock.advance(25);
        return 'ok';
      },
      { metrics, clock },
    );
    expect(await processor(fakeJob(), 'token')).toBe('ok');
    expect(counts).toEqual(['bullmq.job.completed {"queue":"invoices"}']);
    expect(observed).toEqual([['bullmq.job.duration_ms', 25]]);
  });

  it('fails a non-retryable code at once with UnrecoverableError and a [code] reason', async () => {
    const { metrics, counts } = recordingMetrics();
    const processor = createProcessor(failWith(err('validation_failed', { detail: 'amount < 0' })), { metrics });
    const thrown = await processor(fakeJob(), 'token').catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).message).toBe('[validation_failed] amount < 0');
    expect((thrown as { code?: string }).code).toBe('validation_failed');
    expect(counts).toEqual(['bullmq.job.failed {"queue":"invoices","code":"validation_failed"}']);
  });

  it('rethrows a retryable failure with its hint, counted as retry until the last attempt', async () => {
    const { metrics, counts } = recordingMetrics();
    const limited = Object.assign(new Error('slow down'), { headers: new Headers({ 'retry-after': '4' }) });
    const processor = createProcessor(failWith(limited), { metrics });
    const first = await processor(fakeJob({ attemptsMade: 0 }), 't').catch((error: unknown) => error);
    expect(first).not.toBeInstanceOf(UnrecoverableError);
    expect((first as Error).message).toBe('[internal_error] slow down');
    expect((first as { retryAfterMs?: number }).retryAfterMs).toBe(4_000);
    expect((first as Error).cause).toBe(limited);
    await processor(fakeJob({ attemptsMade: 2 }), 't').catch(() => undefined);
    expect(counts).toEqual([
      'bullmq.job.retry {"queue":"invoices","code":"internal_error"}',
      'bullmq.job.failed {"queue":"invoices","code":"internal_error"}',
    ]);
  });

  it('fails now when the hint is longer than maxRetryAfterMs', async () => {
    const processor = createProcessor(failWith(Object.assign(new Error('quota'), { retryAfterMs: 10_000 })), {
      maxRetryAfterMs: 9_999,
    });
    await expect(processor(fakeJob(), 't')).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('moves a job refused by an open breaker to delayed without running it or spending an attempt', async () => {
    const clock = new FakeClock(50_000);
    const breakers = createBreakerRegistry({ clock });
    breakers.get('invoices').forceOpen();
    const { metrics, counts } = recordingMetrics();
    let runs = 0;
    const processor = createProcessor(
      async () => {
        runs++;
      },
      { breakers, metrics, clock, rejectedDelayMs: 2_000 },
    );
    const job = fakeJob();
    await expect(processor(job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(runs).toBe(0);
    expect(job.delayedUntil).toBeGreaterThanOrEqual(52_000);
    expect(counts).toEqual(['bullmq.job.rejected {"queue":"invoices","breaker":"invoices"}']);
  });

  it('without a lock token, an open breaker is a retryable circuit_open failure', async () => {
    const breakers = createBreakerRegistry();
    breakers.get('invoices').forceOpen();
    const thrown = await createProcessor(async () => 1, { breakers })(fakeJob()).catch((error: unknown) => error);
    expect((thrown as { code?: string }).code).toBe('circuit_open');
    expect(thrown).not.toBeInstanceOf(UnrecoverableError);
  });

  it('names breakers by queue, job name or function', async () => {
    for (const [breakerName, expected] of [
      ['queue', 'invoices'],
      ['job', 'send'],
      [(job: ProcessedJob) => `pay-${job.id}`, 'pay-1'],
      [() => '', 'invoices'],
    ] as const) {
      const breakers = createBreakerRegistry();
      await createProcessor(async () => 1, { breakers, breakerName })(fakeJob(), 't');
      expect(breakers.list().map((breaker) => breaker.name)).toEqual([expected]);
    }
  });

  it('opens the breaker on retryable failures only', async () => {
    const breakers = createBreakerRegistry();
    const breaker = { window: { type: 'count' as const, size: 4 }, minimumCalls: 4 };
    const fatal = createProcessor(failWith(err('not_found')), { breakers, breaker });
    for (let i = 0; i < 8; i++) await fatal(fakeJob(), 't').catch(() => undefined);
    expect(breakers.get('invoices').state).toBe('closed');
    const registry = createBreakerRegistry();
    const flaky = createProcessor(failWith(new Error('ECONNRESET')), { breakers: registry, breaker });
    for (let i = 0; i < 4; i++) await flaky(fakeJob(), 't').catch(() => undefined);
    expect(registry.get('invoices').state).toBe('open');
  });

  it("passes BullMQ's control-flow errors through untouched and uncounted", async () => {
    const { metrics, counts } = recordingMetrics();
    for (const signal of [
      new DelayedError(),
      Object.assign(new Error('bullmq:rateLimitExceeded'), { name: 'RateLimitError' }),
    ]) {
      const thrown = await createProcessor(failWith(signal), { metrics })(fakeJob(), 't').catch(
        (error: unknown) => error,
      );
      expect(thrown).toBe(signal);
    }
    expect(counts).toEqual([]);
  });

  it('keeps outcomes when a metrics hook throws', async () => {
    const metrics: JobMetrics = {
      increment: () => {
        throw new Error('statsd down');
      },
      observe: () => {
        throw new Error('statsd down');
      },
      gauge: () => {},
    };
    expect(await createProcessor(async () => 7, { metrics })(fakeJob(), 't')).toBe(7);
    await expect(createProcessor(failWith(err('forbidden')), { metrics })(fakeJob(), 't')).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
  });

  it('rejects invalid options, naming them', () => {
    const ok = async () => 1;
    expect(() => createProcessor(ok, { rejectedDelayMs: -1 })).toThrow(/`rejectedDelayMs`/);
    expect(() => createProcessor(ok, { maxRetryAfterMs: Number.NaN })).toThrow(/`maxRetryAfterMs`/);
    expect(() => createProcessor(ok, { breakerName: 'dependency' as never })).toThrow(/`breakerName`/);
    expect(() => createProcessor(ok, { classify: 'x' as never })).toThrow(/`classify`/);
    expect(() => createProcessor(ok, { retryUnknownErrors: 'yes' as never })).toThrow(/`retryUnknownErrors`/);
    expect(() => createProcessor('x' as never)).toThrow(/`handler`/);
    expect(() => createProcessor(ok, { clock: {} as never })).toThrow(/`clock.now`/);
    expect(() => createProcessor(ok, { metrics: { increment() {} } as never })).toThrow(/`metrics.observe`/);
    expect(() => createProcessor(ok, { breakers: 'registry' as never })).toThrow(/`breakers`/);
  });

  it('hands BullMQ exactly one of UnrecoverableError (not retryable) or a plain retryable error (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.integer({ min: 0, max: 5 }), async (thrownValue, attemptsMade) => {
        const processor = createProcessor(failWith(thrownValue), { breakers: createBreakerRegistry() });
        const thrown = await processor(fakeJob({ attemptsMade }), 't').then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(thrown).toBeInstanceOf(Error);
        const failure = thrown as Error & { code: string; retryable: boolean };
        expect(failure.message.startsWith(`[${failure.code}] `)).toBe(true);
        expect(failure instanceof UnrecoverableError).toBe(!failure.retryable);
      }),
      { numRuns: 150 },
    );
  });
});
