let shared: AbortSignal | undefined;

/**
 * One signal that never aborts, handed to calls with no caller signal and no timeout, so the
 * fast path allocates no AbortController. Created on first use (no work at import time).
 * @internal
 */
export function neverAbortedSignal(): AbortSignal {
  shared ??= new AbortController().signal;
  return shared;
}
