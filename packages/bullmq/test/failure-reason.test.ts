import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFailureReason, MAX_FAILURE_MESSAGE_LENGTH, parseFailureCode } from '../src/failure-reason.js';

describe('formatFailureReason', () => {
  it('round-trips the code through the stored reason (property)', () => {
    const code = fc.stringMatching(/^[a-z][a-z0-9]{0,10}(?:_[a-z0-9]{1,8}){0,3}$/);
    fc.assert(
      fc.property(code, fc.string(), (c, message) => {
        expect(parseFailureCode(formatFailureReason(c, message))).toBe(c);
      }),
    );
  });

  it('masks secrets and caps the message', () => {
    const reason = formatFailureReason('internal_error', 'auth failed for Bearer abc.def.ghi');
    expect(reason).not.toContain('abc.def');
    const long = formatFailureReason('internal_error', 'x'.repeat(10_000));
    expect(long.length).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_LENGTH + 20);
  });

  it('finds no code in reasons written by other processors', () => {
    for (const reason of ['boom', '[Not_Code] x', '[code]x', undefined, 42, '[a__b] x']) {
      expect(parseFailureCode(reason)).toBeUndefined();
    }
  });
});
