import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountWindow } from '../src/count-window.js';
import { OUTCOME_FAILURE, OUTCOME_SLOW } from '../src/sliding-window.js';

describe('CountWindow', () => {
  it('holds the last `size` outcomes', () => {
    const window = new CountWindow(3);
    window.record(OUTCOME_FAILURE);
    window.record(OUTCOME_FAILURE | OUTCOME_SLOW);
    window.record(0);
    window.record(0);
    expect(window.read()).toMatchObject({ calls: 3, failures: 1, slow: 1 });
  });

  it('forgets everything on reset and refills from scratch', () => {
    const window = new CountWindow(2);
    window.record(OUTCOME_FAILURE);
    window.record(OUTCOME_FAILURE);
    window.reset();
    expect(window.read()).toMatchObject({ calls: 0, failures: 0, slow: 0 });
    window.record(0);
    window.record(OUTCOME_SLOW);
    window.record(0);
    expect(window.read()).toMatchObject({ calls: 2, failures: 0, slow: 1 });
  });

  it('matches a naive model for any sequence of outcomes and resets (property)', () => {
    const step = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('reset' as const));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(step, { maxLength: 200 }), (size, steps) => {
        const window = new CountWindow(size);
        let model: number[] = [];
        for (const s of steps) {
          if (s === 'reset') {
            window.reset();
            model = [];
          } else {
            window.record(s);
            model = [...model, s].slice(-size);
          }
          const totals = window.read();
          expect(totals.calls).toBe(model.length);
          expect(totals.failures).toBe(model.filter((o) => o & OUTCOME_FAILURE).length);
          expect(totals.slow).toBe(model.filter((o) => o & OUTCOME_SLOW).length);
        }
      }),
    );
  });
});
