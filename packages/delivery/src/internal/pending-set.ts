/** Promises still running, tracked so a `close()` can wait for them to settle. @internal */
export class PendingSet {
  readonly #pending = new Set<Promise<unknown>>();

  /** Tracks `promise` until it settles; returns it. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const untrack = (): void => {
      this.#pending.delete(promise);
    };
    promise.then(untrack, untrack);
    return promise;
  }

  /** Resolves once every promise tracked now has settled (fulfilled or rejected). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#pending);
  }
}
