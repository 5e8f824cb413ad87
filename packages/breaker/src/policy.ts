/** Per-call options of `execute` (breakers, bulkheads, timeouts, `wrap`). */
export interface ExecuteOptions {
  /** The caller's signal: aborting it rejects the call with its reason and records nothing. */
  signal?: AbortSignal | undefined;
}

/** Anything that runs a function under a policy: breakers, bulkheads, timeouts, retries and `wrap()` results. */
export interface Policy {
  /**
   * Runs `fn` under the policy. `fn` receives a signal that aborts when the caller aborts or
   * the policy gives up on the call (timeout); pass it on to the I/O.
   */
  execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, options?: ExecuteOptions): Promise<T>;
}
