/** A signal combined from several, with a `dispose()` that detaches its listeners. */
export interface LinkedSignal {
  /** Aborts when any input signal aborts, with that signal's reason. */
  readonly signal: AbortSignal;
  /** Detaches from the input signals; call once the work using `signal` has settled. */
  dispose(): void;
}

/**
 * Combines signals: the result aborts as soon as any input aborts, with that input's reason.
 * Unlike `AbortSignal.any`, it returns a `dispose()` that removes the listeners it added,
 * so per-call signals derived from one long-lived signal do not accumulate listeners.
 *
 * @param signals - Input signals; `undefined` entries are skipped.
 * @example
 * ```ts
 * const linked = linkSignals([callerSignal, timeoutController.signal]);
 * try { await fn(linked.signal); } finally { linked.dispose(); }
 * ```
 */
export function linkSignals(signals: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController();
  const inputs = signals.filter((s): s is AbortSignal => s !== undefined);
  const already = inputs.find((s) => s.aborted);
  if (already) {
    controller.abort(already.reason);
    return { signal: controller.signal, dispose: () => {} };
  }
  const listeners = inputs.map((input) => {
    const onAbort = (): void => {
      dispose();
      controller.abort(input.reason);
    };
    input.addEventListener('abort', onAbort, { once: true });
    return { input, onAbort };
  });
  function dispose(): void {
    for (const { input, onAbort } of listeners) input.removeEventListener('abort', onAbort);
    listeners.length = 0;
  }
  return { signal: controller.signal, dispose };
}

/**
 * Throws `signal.reason` when the signal is aborted; otherwise does nothing.
 * Equivalent to `signal?.throwIfAborted()`, for runtimes that lack it.
 *
 * @throws The signal's `reason` when aborted.
 * @example
 * ```ts
 * throwIfAborted(options.signal);
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

/**
 * Reports whether `error` is the reason `signal` was aborted with, i.e. the failure was
 * caused by the caller giving up rather than by the work itself.
 *
 * @example
 * ```ts
 * if (isAbortReason(error, options.signal)) return; // caller cancelled: not a failure
 * ```
 */
export function isAbortReason(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason === error;
}
