import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUTCOME_FAILURE, OUTCOME_SLOW } from '../src/sliding-window.js';
import { TimeWindow } from '../src/time-window.js';

describe('TimeWindow', () => {
  it('counts calls of the last sizeMs, in buckets', () => {
    const window = new TimeWindow(3_000, 1_000);
    window.record(OUTCOME_FAILURE, 10_000);
    window.record(0, 11_500);
    window.record(OUTCOME_SLOW, 12_999);
    expect(window.read(12_999)).toMatchObject({ calls: 3, failures: 1, slow: 1 });
  });

  it('drops expired buckets when read, without any timer', () => {
    const window = new TimeWindow(3_000, 1_000);
    window.record(OUTCOME_FAILURE, 10_000);
    window.record(0, 11_000);
    expect(window.read(13_000)).toMatchObject({ calls: 1, failures: 0 });
    expect(window.read(14_000)).toMatchObject({ calls: 0, failures: 0, slow: 0 });
  });

  it('drops expired buckets when written', () => {
    const window = new TimeWindow(2_000, 1_000);
    window.record(OUTCOME_FAILURE, 0);
    window.record(OUTCOME_FAILURE, 5_000);
    expect(window.read(5_000)).toMatchObject({ calls: 1, failures: 1 });
  });

  it('uses one bucket when the bucket is as large as the window', () => {
    const window = new TimeWindow(500, 1_000);
    expect(window.buckets).toBe(1);
    window.record(OUTCOME_FAILURE, 100);
    expect(window.read(999).calls).toBe(1);
    expect(window.read(1_000).calls).toBe(0);
  });

  it('forgets everything on reset', () => {
    const window = new TimeWindow(3_000, 1_000);
    window.read(0);
    window.reset();
    window.record(OUTCOME_FAILURE, 0);
    window.reset();
    expect(window.read(0)).toMatchObject({ calls: 0, failures: 0, slow: 0 });
    window.record(0, 1);
    expect(window.read(1).calls).toBe(1);
  });

  it('matches a naive model of bucketed time (property)', () => {
    const event = fc.record({ gap: fc.integer({ min: 0, max: 1_500 }), outcome: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 50, max: 1_000 }),
        fc.array(event, { maxLength: 150 }),
        (buckets, bucketMs, events) => {
          const window = new TimeWindow(buckets * bucketMs, bucketMs);
          const model: Array<{ index: number; outcome: number }> = [];
          let now = 1_000_000;
          for (const { gap, outcome } of events) {
            now += gap;
            window.record(outcome, now);
            model.push({ index: Math.floor(now / bucketMs), outcome });
            const current = Math.floor(now / bucketMs);
            const live = model.filter((m) => m.index > current - buckets);
            const totals = window.read(now);
            expect(totals.calls).toBe(live.length);
            expect(totals.failures).toBe(live.filter((m) => m.outcome & OUTCOME_FAILURE).length);
            expect(totals.slow).toBe(live.filter((m) => m.outcome & OUTCOME_SLOW).length);
          }
        },
      ),
    );
  });
});
