interface Queued<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Coalesces the calls made during one event-loop turn into one `flush(items)` at the end of
 * that turn (`setImmediate`): a burst of completions or of concurrent publishes becomes one
 * Redis script call instead of one each. `flush` answers one result per item, in order; when it
 * rejects, every call of the batch rejects with its error. Internal to the Redis store.
 */
export class TickBatch<I, O> {
  readonly #flush: (items: readonly I[]) => Promise<readonly O[]>;
  #queue: Array<Queued<I, O>> = [];

  constructor(flush: (items: readonly I[]) => Promise<readonly O[]>) {
    this.#flush = flush;
  }

  /** Queues `item` for this turn's batch; resolves with its own result. */
  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(() => this.#run());
      this.#queue.push({ item, resolve, reject });
    });
  }

  #run(): void {
    const batch = this.#queue;
    this.#queue = [];
    let flushed: Promise<readonly O[]>;
    try {
      flushed = this.#flush(batch.map((queued) => queued.item));
    } catch (error) {
      flushed = Promise.reject(error);
    }
    flushed.then(
      (results) => {
        batch.forEach((queued, i) => {
          queued.resolve(results[i] as O);
        });
      },
      (error: unknown) => {
        for (const queued of batch) queued.reject(error);
      },
    );
  }
}
