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
  readonly signal: AbortSignal;
  readonly #options: ResolvedOptions;
  readonly #key: string;
  readonly #token: string;
  readonly #linked: LinkedSignal;
  readonly #timer: TimerHandle;
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
    const lock = new AbortController();
    this.#linked = linkSignals([signal, lock.signal]);
    this.signal = this.#linked.signal;
    this.#timer = options.timers.setTimeout(
      () =>
        lock.abort(
          idempotencyErrors.err('idempotency_lock_expired', {
            detail: `The operation ran longer than its ${options.lockTtlMs} ms lock`,
          }),
        ),
      options.lockTtlMs,
      { unref: true },
    );
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
    this.#linked.dispose();
    return true;
  }
}
