import { assertNumberOption, delay } from '@bulwark/core';
import { idempotencyErrors } from './errors/codes.js';
import { type Execution, ExecutionImpl } from './execution.js';
import { randomToken, sha256Parts } from './internal/bytes.js';
import { withDeadline } from './internal/deadline.js';
import { decodeOutcome } from './internal/envelope.js';
import { type IdempotencyOptions, type ResolvedOptions, resolveOptions } from './internal/options.js';
import type { BeginOutcome } from './store.js';

/** Waiting for an in-progress call with the same key instead of failing at once (opt-in). */
export interface WaitOptions {
  /** Longest wait; past it the call fails with `idempotency_request_in_progress`. */
  readonly timeoutMs: number;
  /** Interval between store reads. @defaultValue 50 */
  readonly pollMs?: number | undefined;
}

/** Per-call options of {@link Idempotency.begin} and {@link Idempotency.run}. */
export interface BeginOptions {
  /**
   * Identifies the request's content (see `fingerprintOf`, `requestFingerprint`). A key reused
   * with another fingerprint fails with `idempotency_key_reused`. @defaultValue '' (no check)
   */
  readonly fingerprint?: string | undefined;
  /**
   * Whose key this is (account, API client, tenant): keys are scoped by it, so two principals
   * never share a record. @defaultValue '' (one global scope)
   */
  readonly principal?: string | undefined;
  /** Wait for an in-progress call with the same key rather than failing with 409. */
  readonly wait?: WaitOptions | undefined;
  /** Aborts waiting and store calls (rejects with `signal.reason`); handed on to the operation. */
  readonly signal?: AbortSignal | undefined;
}

/** Per-call options of {@link Idempotency.run}. */
export interface RunOptions<T> extends BeginOptions {
  /** Whether to store this value (otherwise the lock is released and a retry runs again). @defaultValue always */
  readonly shouldStore?: ((value: T) => boolean) | undefined;
}

/** A stored outcome returned instead of running the operation. */
export interface Replay<T> {
  readonly replayed: true;
  /** The stored value (JSON round-tripped). */
  readonly value: T;
}

/** What {@link Idempotency.begin} returns: a replay, or the lock to run the operation under. */
export type Claim<T> = Replay<T> | Execution;

/** What {@link Idempotency.run} resolves to. */
export interface RunResult<T> {
  readonly value: T;
  /** `true` when `value` is a stored outcome and the operation did not run. */
  readonly replayed: boolean;
}

/** Context handed to the operation by {@link Idempotency.run}. */
export interface RunContext {
  /** Aborts on the caller's signal or when the lock expires; see {@link Execution.signal}. */
  readonly signal: AbortSignal;
}

/** Runs operations at most once per key. Created by {@link createIdempotency}. */
export interface Idempotency {
  /** The store's name. */
  readonly storeName: string;
  /**
   * Claims `key` atomically: resolves to the stored outcome ({@link Replay}), or to an
   * {@link Execution} that holds the lock and must be completed, failed or released.
   *
   * @throws {idempotency_key_invalid} for an empty, non-string or over-long key.
   * @throws {idempotency_key_reused} when the key has a record with another fingerprint (422).
   * @throws {idempotency_request_in_progress} while another call holds the key's lock (409).
   * @throws {idempotency_store_unavailable} when the store fails or misses `deadlineMs` (503).
   * @throws A stored error outcome (see `storeErrors`), rebuilt as a `BulwarkError`.
   */
  begin<T = unknown>(key: string, options?: BeginOptions): Promise<Claim<T>>;
  /**
   * Runs `operation` at most once per key: stores its value (JSON) and replays it to later
   * calls with the same key and fingerprint. When it throws, the lock is released (so a retry
   * runs again) and the error is rethrown, unless `storeErrors` keeps it.
   *
   * @throws Everything {@link Idempotency.begin} throws, and the operation's own errors.
   */
  run<T>(
    key: string,
    operation: (context: RunContext) => T | Promise<T>,
    options?: RunOptions<T>,
  ): Promise<RunResult<T>>;
}

/**
 * Creates an idempotency guard over a store (memory by default): at most one execution per key,
 * stored outcomes replayed for `ttlMs` (24 h), the same key with another fingerprint refused,
 * concurrent calls refused (or waiting, opt-in), in-progress locks that expire after `lockTtlMs`
 * so a crashed owner never leaves a key stuck, and every store call bounded by `deadlineMs`
 * (fail closed: the operation never runs when the store cannot confirm the claim).
 *
 * @param options - Store, TTLs, deadline, clock and timers.
 * @throws {TypeError | RangeError} when an option is invalid; the message names it.
 * @example
 * ```ts
 * const idempotency = createIdempotency();
 * const { value, replayed } = await idempotency.run('order-42', () => chargeCard(4200), {
 *   principal: 'acct_1',
 *   fingerprint: await fingerprintOf({ amount: 4200 }),
 * });
 * ```
 */
export function createIdempotency(options: IdempotencyOptions = {}): Idempotency {
  const resolved = resolveOptions(options);

  async function begin<T>(key: string, callOptions: BeginOptions = {}): Promise<Claim<T>> {
    const { store, clock, timers, deadlineMs, lockTtlMs, emit } = resolved;
    const { signal, wait } = callOptions;
    signal?.throwIfAborted();
    const storageKey = await storageKeyOf(resolved, key, callOptions.principal ?? '');
    const fingerprint = callOptions.fingerprint ?? '';
    if (typeof fingerprint !== 'string') throw new TypeError('Expected `fingerprint` to be a string');
    if (wait) {
      assertNumberOption('wait.timeoutMs', wait.timeoutMs, { min: 0, max: 2_147_483_647 });
      if (wait.pollMs !== undefined) assertNumberOption('wait.pollMs', wait.pollMs, { min: 1 });
    }
    const waitUntil = wait ? clock.now() + wait.timeoutMs : 0;
    for (;;) {
      const token = randomToken();
      let outcome: BeginOutcome;
      let sent: Promise<BeginOutcome> | undefined;
      try {
        outcome = await withDeadline(
          () => {
            const now = clock.now();
            sent = store.begin({ key: storageKey, fingerprint, token, now, lockExpiresAt: now + lockTtlMs });
            return sent;
          },
          deadlineMs,
          timers,
          signal,
          'begin',
        );
      } catch (error) {
        if (sent) releaseLateClaim(resolved, sent, storageKey, token);
        if (!signal?.aborted) emit({ type: 'store_unavailable', key: storageKey, store: store.name, cause: error });
        throw error;
      }
      if (outcome.status === 'acquired') {
        emit({ type: 'acquired', key: storageKey, store: store.name, recovered: outcome.recovered });
        return new ExecutionImpl(resolved, storageKey, token, outcome.recovered, signal);
      }
      if (outcome.fingerprint !== fingerprint) {
        emit({ type: 'reused', key: storageKey, store: store.name });
        throw idempotencyErrors.err('idempotency_key_reused', {
          detail: 'This idempotency key was already used with a different request',
        });
      }
      if (outcome.status === 'completed') {
        emit({ type: 'replayed', key: storageKey, store: store.name });
        return { replayed: true, value: decodeOutcome(outcome.result) as T };
      }
      const now = clock.now();
      if (!wait || now >= waitUntil) {
        emit({ type: 'in_progress', key: storageKey, store: store.name });
        throw idempotencyErrors.err('idempotency_request_in_progress', {
          detail: 'A request with this idempotency key is still being processed',
          extensions: { retryAfterMs: Math.max(0, Math.min(1_000, outcome.lockExpiresAt - now)) },
        });
      }
      const pause = Math.min(wait.pollMs ?? 50, waitUntil - now, Math.max(1, outcome.lockExpiresAt - now));
      await delay(pause, { signal, timers, unref: true });
    }
  }

  async function run<T>(
    key: string,
    operation: (context: RunContext) => T | Promise<T>,
    callOptions: RunOptions<T> = {},
  ): Promise<RunResult<T>> {
    const claim = await begin<T>(key, callOptions);
    if (claim.replayed) return { value: claim.value, replayed: true };
    let value: T;
    try {
      // The signal is created only if the operation reads it.
      value = await operation({
        get signal() {
          return claim.signal;
        },
      });
    } catch (error) {
      await claim.fail(error);
      throw error;
    }
    if (callOptions.shouldStore && !callOptions.shouldStore(value)) await claim.release();
    else await claim.complete(value);
    return { value, replayed: false };
  }

  return Object.freeze({ storeName: resolved.store.name, begin, run });
}

/**
 * A claim the caller gave up on (deadline or abort) may still be executed by a store that was only
 * slow, leaving a lock nobody will finish: once it lands, release it, so retries proceed at once
 * instead of getting 409 until `lockTtlMs`. The operation never ran, so nothing can run twice.
 */
function releaseLateClaim(options: ResolvedOptions, sent: Promise<BeginOutcome>, key: string, token: string): void {
  sent.then(
    (outcome) => {
      if (outcome.status !== 'acquired') return;
      options.store.release(key, token).then(
        () => options.emit({ type: 'released', key, store: options.store.name }),
        () => {
          // The lock expires on its own after lockTtlMs.
        },
      );
    },
    () => {
      // The store failed: nothing was claimed.
    },
  );
}

async function storageKeyOf(options: ResolvedOptions, key: string, principal: string): Promise<string> {
  if (typeof key !== 'string' || key.length === 0) {
    throw idempotencyErrors.err('idempotency_key_invalid', {
      detail: 'The idempotency key must be a non-empty string',
    });
  }
  if (key.length > options.maxKeyLength) {
    throw idempotencyErrors.err('idempotency_key_invalid', {
      detail: `The idempotency key is longer than ${options.maxKeyLength} characters`,
    });
  }
  if (typeof principal !== 'string') {
    throw idempotencyErrors.err('idempotency_key_invalid', { detail: 'The principal must be a string' });
  }
  return sha256Parts(['idempotency-key', principal, key]);
}
