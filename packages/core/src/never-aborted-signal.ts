let shared: AbortSignal | undefined;

/**
 * One signal that never aborts, for work started with no caller signal and no timeout, so
 * the fast path allocates no `AbortController`. Created on first use (no work at import time,
 * which Cloudflare Workers forbids). workerd binds a signal to the request that created it and
 * throws when another request reads it, so a signal that cannot be read is replaced: one
 * allocation per request there, none elsewhere.
 *
 * @example
 * ```ts
 * const signal = options.signal ?? neverAbortedSignal();
 * await fn(signal);
 * ```
 */
export function neverAbortedSignal(): AbortSignal {
  if (shared === undefined || !readable(shared)) shared = new AbortController().signal;
  return shared;
}

/** False when reading the signal throws: workerd, a signal created by another request. */
function readable(signal: AbortSignal): boolean {
  try {
    return !signal.aborted;
  } catch {
    return false;
  }
}
