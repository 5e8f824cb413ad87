import type { TimerHandle } from '@bulwark/core';
import type { DispatcherEvents, Emitter } from './events.js';
import { PendingSet } from './internal/pending-set.js';
import type { DeliveryMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import type { DeliveryStore } from './store.js';

/** Deliveries deleted per store call: each batch is one short transaction or Lua script. */
export const PRUNE_BATCH_SIZE = 1_000;

/** What the pruner needs; assembled and validated by `createDispatcher`. */
export interface RetentionConfig
  extends Pick<ResolvedOptions, 'clock' | 'timers' | 'retainSucceededMs' | 'pruneIntervalMs'> {
  readonly store: DeliveryStore;
  readonly metrics: DeliveryMetrics;
  readonly events: Emitter<DispatcherEvents>;
  /** @defaultValue PRUNE_BATCH_SIZE */
  readonly batchSize?: number | undefined;
}

/**
 * Retention of succeeded deliveries: every `pruneIntervalMs` a started pruner deletes those
 * last updated more than `retainSucceededMs` ago, in batches until a batch comes back short.
 * Each batch is its own store call, so publishes, claims and completions interleave with a
 * long prune instead of waiting behind it. Dead, pending and inflight deliveries are kept.
 */
export class RetentionPruner {
  readonly #c: RetentionConfig;
  readonly #batchSize: number;
  readonly #runs = new PendingSet();
  #timer: TimerHandle | undefined;
  #running = false;
  #closed = false;

  constructor(config: RetentionConfig) {
    this.#c = config;
    this.#batchSize = config.batchSize ?? PRUNE_BATCH_SIZE;
  }

  /** Schedules pruning every `pruneIntervalMs`; a no-op when retention is disabled (`Infinity`). */
  start(): void {
    if (this.#running || this.#closed || this.#c.retainSucceededMs === Number.POSITIVE_INFINITY) return;
    this.#running = true;
    this.#schedule();
  }

  /**
   * Deletes succeeded deliveries last updated more than `olderThanMs` ago; resolves with how
   * many. Reports the total as the `webhook.pruned` observation when it is not zero.
   */
  prune(olderThanMs: number): Promise<number> {
    return this.#runs.track(this.#pruneAll(olderThanMs));
  }

  /** Stops the schedule and waits for a prune in progress (it stops after its current batch). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#running = false;
    if (this.#timer !== undefined) this.#c.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#runs.settled();
  }

  #schedule(): void {
    // Unref'd: retention alone must not keep a process alive (the worker's poll timer does).
    this.#timer = this.#c.timers.setTimeout(() => this.#tick(), this.#c.pruneIntervalMs, { unref: true });
  }

  #tick(): void {
    this.#timer = undefined;
    this.prune(this.#c.retainSucceededMs)
      .catch((error: unknown) => this.#c.events.emit('error', error))
      .finally(() => {
        if (this.#running) this.#schedule();
      });
  }

  async #pruneAll(olderThanMs: number): Promise<number> {
    if (olderThanMs === Number.POSITIVE_INFINITY) return 0;
    const before = this.#c.clock.now() - olderThanMs;
    let total = 0;
    for (;;) {
      const deleted = await this.#c.store.prune({ before, limit: this.#batchSize });
      total += deleted;
      if (deleted < this.#batchSize || this.#closed) break;
    }
    if (total > 0) this.#c.metrics.observe('webhook.pruned', total);
    return total;
  }
}
