import type { BackoffStrategy, Job, Processor, Queue, Worker } from 'bullmq';
import { describe, expectTypeOf, it } from 'vitest';
import { createBackoffStrategy } from '../src/backoff-strategy.js';
import { createProcessor } from '../src/processor.js';
import type { QueueLike, WorkerLike } from '../src/queue-like.js';

describe('types against bullmq', () => {
  it('a wrapped processor is a BullMQ Processor and keeps the job and result types', () => {
    const processor = createProcessor(async (job: Job<{ amount: number }>) => job.data.amount * 2);
    expectTypeOf(processor).toMatchTypeOf<Processor<{ amount: number }, number>>();
    expectTypeOf(processor).returns.resolves.toEqualTypeOf<number>();
  });

  it("BullMQ's Queue and Worker fit the dead-letter queue's structural types", () => {
    expectTypeOf<Queue>().toMatchTypeOf<QueueLike>();
    expectTypeOf<Worker>().toMatchTypeOf<WorkerLike>();
  });

  it('the backoff strategy fits WorkerOptions.settings.backoffStrategy', () => {
    expectTypeOf(createBackoffStrategy()).toMatchTypeOf<BackoffStrategy>();
  });
});
