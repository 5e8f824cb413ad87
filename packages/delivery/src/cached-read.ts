/**
 * One value read from a store and kept for a TTL. Callers that miss it at the same time share
 * one read (a burst of publishes or attempts as the TTL expires reads the store once, not once
 * each). {@link set} and {@link drop} (a write) also drop a read in flight, so a read that starts
 * after a write never joins one that started before it, and a read that ends after a write
 * never replaces the write's fresher value. A failed read is not kept.
 * @internal
 */
export class CachedRead<T> {
  #hit: { readonly value: T; readonly at: number } | undefined;
  #loading: Promise<T> | undefined;

  /** The value as last read or set within `ttlMs` of `now`, else `load()`'s (shared while it runs). */
  read(now: number, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.#hit;
    if (hit && now - hit.at < ttlMs) return Promise.resolve(hit.value);
    if (!this.#loading) {
      const loading = load().then(
        (value) => {
          if (this.#loading === loading) {
            this.#hit = { value, at: now };
            this.#loading = undefined;
          }
          return value;
        },
        (error: unknown) => {
          if (this.#loading === loading) this.#loading = undefined;
          throw error;
        },
      );
      this.#loading = loading;
    }
    return this.#loading;
  }

  /** Keeps `value`, written at `at`, in place of whatever was cached or being read. */
  set(value: T, at: number): void {
    this.#hit = { value, at };
    this.#loading = undefined;
  }

  /** Forgets the value and any read in flight. */
  drop(): void {
    this.#hit = undefined;
    this.#loading = undefined;
  }
}
