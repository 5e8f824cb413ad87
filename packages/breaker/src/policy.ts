/** Per-call options of `execute` (breakers, bulkheads, timeouts, `wrap`). */
export interface ExecuteOptions {
  /** The caller's signal: aborting it rejects the call with its reason and records nothing. */
  signal?: AbortSignal | undefined;
}

/** Anything that runs a function under a policy: breakers, bulkheads, timeouts, retries and `wrap()` results. */
export interface Policy {
  /**
   * Runs `fn` under the policy. `fn` receives a signal that aborts when the caller aborts or
   * the policy gives up on the call (timeout); pass it on to the I/O. A circuit breaker with
   * `timeoutMs` creates that signal only for a function that declares the parameter
   * (`fn.length > 0`); a function declared as `() => …` gets the caller's signal or one that
   * never aborts.
   */
  execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, options?: ExecuteOptions): Promise<T>;
}
