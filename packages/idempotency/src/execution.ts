import { type LinkedSignal, linkSignals, type TimerHandle } from '@bulwark/core';
import { idempotencyErrors } from './errors/codes.js';
import { withDeadline } from './internal/deadline.js';
import { encodeError, encodeValue, isStorableError } from './internal/envelope.js';
import type { ResolvedOptions } from './internal/options.js';

/**
 * A claimed key: this caller holds the lock and must finish with {@link Execution.complete},
 * {@link Execution.fail} or {@link Execution.release}. Until then, other calls with the key get
 * `idempotency_request_in_progress` (or wait, when they asked to).
 */
export interface Execution {
  readonly replayed: false;
  /** The previous owner's lock had expired (it died or overran); this call took the key over. */
  readonly recovered: boolean;
  /**
   * Aborts when the caller's signal aborts, or with `idempotency_lock_expired` when the lock
   * reaches `lockTtlMs` (another attempt may take the key over from then). Pass it to the work.
   */
  readonly signal: AbortSignal;
  /**
   * Stores `value` (JSON-serializable) as the key's outcome and releases the lock. Resolves
   * `false`, never rejects, when it could not be stored (store failure or deadline, lock lost);
   * the caller still has its value.
   */
  complete(value: unknown): Promise<boolean>;
  /**
   * Records a failure: stores it when `storeErrors` accepts it (a `BulwarkError`), otherwise
   * releases the lock so a retry runs again. Never rejects.
   */
  fail(error: unknown): Promise<void>;
  /** Releases the lock without storing anything (a retry runs again). Never rejects. */
  release(): Promise<void>;
}

/** The {@link Execution} behind an `acquired` claim. @internal */
export class ExecutionImpl implements Execution {
  readonly replayed = false as const;
  readonly #options: ResolvedOptions;
  readonly #key: string;
  readonly #token: string;
  readonly #timer: TimerHandle;
  // With a caller signal, the lock's signal is linked to it at once (the first abort wins).
  // Without one, the lock's own signal is the execution's, created only when first read: most
  // operations never read it, and an AbortSignal is costly to create on Node.
  #lock: AbortController | undefined;
  readonly #linked: LinkedSignal | undefined;
  #expired: { readonly reason: unknown } | undefined;
  #done = false;

  constructor(
    options: ResolvedOptions,
    key: string,
    token: string,
    readonly recovered: boolean,
    signal?: AbortSignal,
  ) {
    this.#options = options;
    this.#key = key;
    this.#token = token;
    if (signal) {
      this.#lock = new AbortController();
      this.#linked = linkSignals([signal, this.#lock.signal]);
    }
    this.#timer = options.timers.setTimeout(
      () => {
        const reason = idempotencyErrors.err('idempotency_lock_expired', {
          detail: `The operation ran longer than its ${options.lockTtlMs} ms lock`,
        });
        this.#expired = { reason };
        this.#lock?.abort(reason);
      },
      options.lockTtlMs,
      { unref: true },
    );
  }

  get signal(): AbortSignal {
    if (this.#linked) return this.#linked.signal;
    if (!this.#lock) {
      this.#lock = new AbortController();
      if (this.#expired) this.#lock.abort(this.#expired.reason);
    }
    return this.#lock.signal;
  }

  complete(value: unknown): Promise<boolean> {
    let result: string;
    try {
      result = encodeValue(value);
    } catch (cause) {
      return this.release(cause).then(() => false);
    }
    return this.#store(result);
  }

  fail(error: unknown): Promise<void> {
    if (isStorableError(error) && this.#options.storeErrors(error)) {
      return this.#store(encodeError(error)).then(() => undefined);
    }
    return this.release();
  }

  async release(cause?: unknown): Promise<void> {
    if (!this.#finish()) return;
    const { store, deadlineMs, timers, emit } = this.#options;
    try {
      await withDeadline(() => store.release(this.#key, this.#token), deadlineMs, timers, undefined, 'release');
      emit({ type: cause === undefined ? 'released' : 'not_stored', key: this.#key, store: store.name, cause });
    } catch (error) {
      // The lock expires on its own after lockTtlMs.
      emit({ type: 'not_stored', key: this.#key, store: store.name, cause: error });
    }
  }

  async #store(result: string): Promise<boolean> {
    if (!this.#finish()) return false;
    const { store, deadlineMs, timers, clock, ttlMs, emit } = this.#options;
    const now = clock.now();
    try {
      const stored = await withDeadline(
        () => store.complete({ key: this.#key, token: this.#token, result, now, expiresAt: now + ttlMs }),
        deadlineMs,
        timers,
        undefined,
        'complete',
      );
      emit(
        stored
          ? { type: 'stored', key: this.#key, store: store.name }
          : { type: 'not_stored', key: this.#key, store: store.name, cause: new Error('lock lost') },
      );
      return stored;
    } catch (error) {
      emit({ type: 'not_stored', key: this.#key, store: store.name, cause: error });
      return false;
    }
  }

  #finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.#options.timers.clearTimeout(this.#timer);
    this.#linked?.dispose();
    return true;
  }
}
