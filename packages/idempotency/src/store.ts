/**
 * One atomic claim attempt, sent by {@link Idempotency} to {@link IdempotencyStore.begin}.
 * Times are epoch milliseconds from the idempotency's injected clock, so every store judges
 * expiry the same way (and tests drive it with fake time).
 */
export interface BeginRequest {
  /** The storage key: hex SHA-256 of the principal and the caller's key (never the raw key). */
  readonly key: string;
  /** The request fingerprint to record when the claim succeeds. */
  readonly fingerprint: string;
  /** A random token that identifies this attempt as the lock owner. */
  readonly token: string;
  /** Now. */
  readonly now: number;
  /** When the lock taken by this attempt expires (a dead owner's lock is free again from then). */
  readonly lockExpiresAt: number;
}

/**
 * What {@link IdempotencyStore.begin} found, decided atomically:
 * - `acquired`: no live record existed (none, expired, or an in-progress lock past
 *   `lockExpiresAt`, then `recovered` is true); the store now holds an in-progress record owned
 *   by the request's token.
 * - `in_progress`: another attempt holds a live lock.
 * - `completed`: a stored result, with the fingerprint it was stored under.
 */
export type BeginOutcome =
  | { readonly status: 'acquired'; readonly recovered: boolean }
  | { readonly status: 'in_progress'; readonly fingerprint: string; readonly lockExpiresAt: number }
  | { readonly status: 'completed'; readonly fingerprint: string; readonly result: string };

/** Stores a result, sent to {@link IdempotencyStore.complete}. */
export interface CompleteRequest {
  readonly key: string;
  /** Only the lock owner's token may complete. */
  readonly token: string;
  /** The serialized result. */
  readonly result: string;
  readonly now: number;
  /** When the stored result expires (now + `ttlMs`). */
  readonly expiresAt: number;
}

/**
 * Persistence for idempotency records. Implementations must make {@link IdempotencyStore.begin}
 * atomic (read and claim in one step) and honour the tokens: only the owner of a live lock
 * completes or releases it. The memory store ships here, SQLite in
 * `@bulwark/idempotency/sqlite`, Redis in `@bulwark/idempotency/redis`.
 */
export interface IdempotencyStore {
  /** Short name for logs and events (`memory`, `sqlite`, `redis`). */
  readonly name: string;
  /** Reads the key's record and claims it when free, atomically. */
  begin(request: BeginRequest): Promise<BeginOutcome>;
  /** Turns the owner's in-progress record into a completed one; `false` when the lock was lost. */
  complete(request: CompleteRequest): Promise<boolean>;
  /** Deletes the owner's in-progress record (the operation failed); a no-op for anyone else. */
  release(key: string, token: string): Promise<void>;
}
