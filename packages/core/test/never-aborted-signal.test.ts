import { afterEach, describe, expect, it, vi } from 'vitest';
import { neverAbortedSignal } from '../src/index.js';

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

describe('neverAbortedSignal', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('reuses one signal, and replaces it once when it belongs to another Workers request', () => {
    const state = workerdLikeControllers();
    const first = neverAbortedSignal();
    expect(neverAbortedSignal()).toBe(first);
    expect(state.created).toBe(1);
    state.foreign = true;
    const second = neverAbortedSignal();
    expect(second === first).toBe(false); // not .not.toBe: its diff would read the foreign signal
    expect(second.aborted).toBe(false);
    expect(neverAbortedSignal()).toBe(second);
    expect(state.created).toBe(2);
  });
});
