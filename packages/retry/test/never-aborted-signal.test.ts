import { neverAbortedSignal } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { retry } from '../src/index.js';

// The shared signal's replacement per Workers request is core's (core/test/never-aborted-signal.test.ts).
describe('the signal of attempts without a caller signal', () => {
  it("is core's shared never-aborted signal: no AbortController per call", async () => {
    const seen: AbortSignal[] = [];
    await retry(({ signal }) => seen.push(signal));
    await retry(({ signal }) => seen.push(signal));
    expect(seen[0]).toBe(neverAbortedSignal());
    expect(seen[1]).toBe(seen[0]);
  });

  it('is the caller signal when one is given', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    await retry(({ signal }) => seen.push(signal), { signal: controller.signal });
    expect(seen[0]).toBe(controller.signal);
  });
});
