/**
 * Typed listeners with isolation and ordering: a listener that throws is skipped (the
 * breaker keeps working), and an event emitted from inside a listener is delivered after the
 * current one has reached every listener, so all listeners see events in the same order.
 * @internal
 */
export class EventHub<M extends object> {
  private listeners: Map<keyof M, Set<(event: never) => void>> | undefined;
  private queue: Array<[keyof M, unknown]> | undefined;

  /** Adds a listener; returns a function that removes it (idempotent). */
  on<K extends keyof M>(event: K, listener: (event: M[K]) => void): () => void {
    this.listeners ??= new Map();
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = (payload: M[K]): void => listener(payload);
    set.add(entry as (event: never) => void);
    return () => {
      set.delete(entry as (event: never) => void);
    };
  }

  /** Whether anyone listens to `event` (lets callers skip building the payload). */
  has(event: keyof M): boolean {
    const set = this.listeners?.get(event);
    return set !== undefined && set.size > 0;
  }

  /** Delivers `payload` to every listener of `event`, in subscription order. */
  emit<K extends keyof M>(event: K, payload: M[K]): void {
    if (this.queue !== undefined) {
      this.queue.push([event, payload]);
      return;
    }
    this.queue = [[event, payload]];
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const [name, value] = this.queue[i] as [keyof M, unknown];
        const set = this.listeners?.get(name);
        if (set === undefined) continue;
        for (const listener of [...set]) {
          try {
            (listener as (event: unknown) => void)(value);
          } catch {
            // Isolation: observers must never break the breaker they observe.
          }
        }
      }
    } finally {
      this.queue = undefined;
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners = undefined;
  }
}
