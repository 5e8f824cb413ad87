import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import { DEFAULT_MAX_KEY_LENGTH } from '../idempotency-key.js';
import { createMemoryStore } from '../memory-store.js';
import type { IdempotencyStore } from '../store.js';

/** What {@link createIdempotency} reports through `onEvent`. */
export interface IdempotencyEvent {
  /**
   * - `acquired`: this call holds the lock and runs the operation (`recovered` when it took over
   *   a lock whose owner died).
   * - `stored` / `not_stored`: the outcome was kept, or was not (not storable, store failed,
   *   lock lost: `cause` says which).
   * - `released`: the operation failed and its lock was released.
   * - `replayed`: a stored outcome was returned.
   * - `reused`: 422, another fingerprint. `in_progress`: 409. `store_unavailable`: 503.
   */
  readonly type:
    | 'acquired'
    | 'stored'
    | 'not_stored'
    | 'released'
    | 'replayed'
    | 'reused'
    | 'in_progress'
    | 'store_unavailable';
  /** The storage key (a hash; never the caller's key or principal). */
  readonly key: string;
  /** The store's name. */
  readonly store: string;
  /** For `acquired`: the previous owner's lock had expired. */
  readonly recovered?: boolean | undefined;
  /** For `not_stored` and `store_unavailable`: why. */
  readonly cause?: unknown;
}

/** Options of {@link createIdempotency}. */
export interface IdempotencyOptions {
  /** Where records live. @defaultValue a {@link createMemoryStore} with its defaults */
  readonly store?: IdempotencyStore | undefined;
  /** How long a completed outcome is kept and replayed, from completion. @defaultValue 86400000 (24 h) */
  readonly ttlMs?: number | undefined;
  /**
   * How long an in-progress lock lives. A process that dies mid-operation leaves a lock that
   * expires after this, so a retry proceeds; keep it above the operation's longest run (the
   * operation's `signal` aborts with `idempotency_lock_expired` when it is reached).
   * @defaultValue 60000
   */
  readonly lockTtlMs?: number | undefined;
  /** Longest wait for one store call before failing closed (`idempotency_store_unavailable`). @defaultValue 1000 */
  readonly deadlineMs?: number | undefined;
  /** Longest key accepted, in characters. @defaultValue 255 */
  readonly maxKeyLength?: number | undefined;
  /**
   * Which errors thrown by an operation are stored and replayed (as a `BulwarkError` with the same
   * code, status, title and detail). Only `BulwarkError`s can be stored; others always release
   * the lock so a retry runs again. @defaultValue none: every failure releases the lock
   */
  readonly storeErrors?: ((error: unknown) => boolean) | undefined;
  /** Time source for locks and expiry. @defaultValue the system clock */
  readonly clock?: Clock | undefined;
  /** Timers for deadlines, waits and lock expiry. @defaultValue the global timers, looked up lazily */
  readonly timers?: TimerProvider | undefined;
  /** Called on every state change; exceptions from it are ignored. */
  readonly onEvent?: ((event: IdempotencyEvent) => void) | undefined;
}

/** Options after validation and defaults. @internal */
export interface ResolvedOptions {
  readonly store: IdempotencyStore;
  readonly ttlMs: number;
  readonly lockTtlMs: number;
  readonly deadlineMs: number;
  readonly maxKeyLength: number;
  readonly storeErrors: (error: unknown) => boolean;
  readonly clock: Clock;
  readonly timers: TimerProvider;
  readonly emit: (event: IdempotencyEvent) => void;
}

const MAX_TIMER_MS = 2_147_483_647;

/** Validates the options once, with messages naming the option. @internal */
export function resolveOptions(options: IdempotencyOptions): ResolvedOptions {
  const store = options.store ?? createMemoryStore();
  if (
    typeof store?.begin !== 'function' ||
    typeof store.complete !== 'function' ||
    typeof store.release !== 'function'
  ) {
    throw new TypeError('Expected `store` to implement begin, complete and release');
  }
  const ttlMs = options.ttlMs ?? 86_400_000;
  assertNumberOption('ttlMs', ttlMs, { min: 1, integer: true });
  const lockTtlMs = options.lockTtlMs ?? Math.min(60_000, ttlMs);
  assertNumberOption('lockTtlMs', lockTtlMs, { min: 1, max: Math.min(ttlMs, MAX_TIMER_MS), integer: true });
  const deadlineMs = options.deadlineMs ?? 1_000;
  assertNumberOption('deadlineMs', deadlineMs, { min: 1, max: 60_000 });
  const maxKeyLength = options.maxKeyLength ?? DEFAULT_MAX_KEY_LENGTH;
  assertNumberOption('maxKeyLength', maxKeyLength, { min: 1, max: 8192, integer: true });
  const onEvent = options.onEvent;
  return Object.freeze({
    store,
    ttlMs,
    lockTtlMs,
    deadlineMs,
    maxKeyLength,
    storeErrors: options.storeErrors ?? (() => false),
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
    emit: (event: IdempotencyEvent) => {
      if (!onEvent) return;
      try {
        onEvent(Object.freeze(event));
      } catch {
        // A listener's failure must not change the outcome.
      }
    },
  });
}
