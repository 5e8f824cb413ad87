import { afterEach, describe, expect, it, vi } from 'vitest';
import { retry } from '../src/index.js';

/** AbortControllers whose signals throw when read once `foreign` is set, as workerd does for another request's signal. */
function workerdLikeControllers() {
  const state = { foreign: false, created: 0 };
  class RequestBoundController {
    readonly signal: AbortSignal;
    constructor() {
      state.created++;
      const born = state.foreign;
      this.signal = {
        get aborted(): boolean {
          if (state.foreign !== born) throw new Error('Cannot perform I/O on behalf of a different request.');
          return false;
        },
      } as AbortSignal;
    }
  }
  vi.stubGlobal('AbortController', RequestBoundController);
  return state;
}

describe('the signal of attempts without a caller signal', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is reused, and replaced once when it belongs to another Workers request', async () => {
    const state = workerdLikeControllers();
    const seen: AbortSignal[] = [];
    const run = () => retry(({ signal }) => seen.push(signal));
    await run();
    await run();
    expect(seen[1]).toBe(seen[0]);
    const before = state.created;
    state.foreign = true;
    await run();
    await run();
    expect(seen[2] === seen[0]).toBe(false); // not .not.toBe: its diff would read the foreign signal
    expect(seen[3]).toBe(seen[2]);
    expect(state.created).toBe(before + 1);
  });
});
