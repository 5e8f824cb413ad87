const settled = Promise.resolve();

/**
 * A promise that rejects with `error` one microtask from now, for failure paths that return a
 * rejection instead of throwing.
 *
 * `Promise.reject(error)` is rejected before the caller can attach a handler, so the runtime
 * records it as a possibly unhandled rejection and then un-records it when the handler arrives:
 * in Node that bookkeeping (a WeakMap entry, a queue slot, a pass at the end of the tick) cost
 * more than a 1 KiB HMAC, so a forged webhook cost more than a valid one. Rejected after the
 * caller's `then`/`await` is attached, the promise never enters that path. Semantics are
 * unchanged: the rejection still surfaces as unhandled if nobody handles it.
 * @internal
 */
export function deferredRejection(error: unknown): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    settled.then(() => reject(error));
  });
}
