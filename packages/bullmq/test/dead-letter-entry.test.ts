import { err } from '@bulwark/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadLetterEntrySchema, deadLetterId, type FailedJob, toDeadLetterEntry } from '../src/dead-letter-entry.js';

const failed = (overrides: Partial<FailedJob> = {}): FailedJob => ({
  id: '42',
  name: 'charge',
  data: { amount: 5 },
  opts: { attempts: 3, backoff: { type: 'bulwark', delay: 100 }, jobId: '42', delay: 5 },
  queueName: 'invoices',
  attemptsMade: 3,
  failedReason: '[not_found] no such customer',
  finishedOn: 1_700_000_000_000,
  ...overrides,
});

describe('toDeadLetterEntry', () => {
  it('keeps the job, its code from the failure reason and only the options a requeue needs', () => {
    const entry = toDeadLetterEntry(failed());
    expect(entry).toEqual({
      v: 1,
      queue: 'invoices',
      jobId: '42',
      name: 'charge',
      data: { amount: 5 },
      opts: { attempts: 3, backoff: { type: 'bulwark', delay: 100 } },
      code: 'not_found',
      failedReason: '[not_found] no such customer',
      attemptsMade: 3,
      failedAt: 1_700_000_000_000,
    });
    expect(deadLetterEntrySchema.safeParse(entry).success).toBe(true);
  });

  it("prefers the error's own registered code, and falls back to internal_error", () => {
    expect(toDeadLetterEntry(failed(), err('forbidden'))?.code).toBe('forbidden');
    expect(toDeadLetterEntry(failed(), { code: 'ECONNRESET' })?.code).toBe('not_found');
    const foreign = toDeadLetterEntry(failed({ failedReason: 'socket hang up' }));
    expect(foreign?.code).toBe('internal_error');
    expect(foreign?.failedReason).toBe('[internal_error] socket hang up');
    expect(toDeadLetterEntry(failed({ failedReason: '[made_up_code] x' }))?.code).toBe('internal_error');
  });

  it('is undefined for a job that may still be retried or has no id', () => {
    expect(toDeadLetterEntry(failed({ finishedOn: undefined }))).toBeUndefined();
    expect(toDeadLetterEntry(failed({ id: undefined }))).toBeUndefined();
    expect(toDeadLetterEntry(failed({ id: '' }))).toBeUndefined();
  });

  it('drops options it cannot vouch for instead of storing them unchecked', () => {
    expect(toDeadLetterEntry(failed({ opts: { attempts: -1, priority: 3 } }))?.opts).toEqual({});
    expect(toDeadLetterEntry(failed({ opts: { removeOnFail: { age: 60, count: 10 }, lifo: true } }))?.opts).toEqual({
      removeOnFail: { age: 60, count: 10 },
      lifo: true,
    });
  });

  it('gives every job and failure time a valid, colon-free BullMQ custom id (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.nat(), (jobId, failedAt) => {
        const id = deadLetterId({ jobId, failedAt });
        expect(id.includes(':')).toBe(false);
        expect(`${Number.parseInt(id, 10)}`).not.toBe(id);
        expect(deadLetterId({ jobId, failedAt })).toBe(id);
      }),
    );
  });

  it('rejects stored entries that are not exactly version 1 (property)', () => {
    const entry = toDeadLetterEntry(failed());
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.anything(), (key, value) => {
        const tampered = { ...entry, [key]: value };
        const valid = deadLetterEntrySchema.safeParse(tampered).success;
        if (!(key in (entry as object))) expect(valid).toBe(false);
      }),
    );
    expect(deadLetterEntrySchema.safeParse({ ...entry, v: 2 }).success).toBe(false);
    expect(deadLetterEntrySchema.safeParse({ ...entry, code: 'Not A Code' }).success).toBe(false);
  });
});
