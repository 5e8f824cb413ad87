/** The algorithms a policy can use. */
export type Algorithm = 'gcra' | 'token-bucket' | 'sliding-window' | 'fixed-window';

/** Why a decision came out the way it did. */
export type DecisionReason = 'ok' | 'limited' | 'store_unavailable' | 'store_timeout';

/**
 * A validated policy, as stores see it. Every algorithm is described by a capacity and a
 * period: at most `limit` units per `windowMs` (window algorithms), or a bucket of `limit`
 * units refilled at one unit every `windowMs / limit` ms (GCRA, token bucket).
 */
export interface ResolvedPolicy {
  /** Name used in `RateLimit-Policy` and in store keys. */
  readonly name: string;
  readonly algorithm: Algorithm;
  /** Capacity: requests per window, or the burst size. */
  readonly limit: number;
  /** Window length, or the time to refill `limit` units from empty, in ms. */
  readonly windowMs: number;
}

/** What a store reports for one policy of one decision. */
export interface PolicyOutcome {
  /** Whether this policy alone would allow the request. */
  readonly allowed: boolean;
  /** Units left after this decision (never negative). */
  readonly remaining: number;
  /** Ms until the policy is fully replenished (window end for window algorithms). */
  readonly resetMs: number;
  /** Ms until the same request could be allowed; 0 when allowed. */
  readonly retryAfterMs: number;
}

/** The per-policy detail of a {@link Decision}. */
export interface PolicyDecision extends PolicyOutcome {
  readonly policy: ResolvedPolicy;
}

/**
 * The answer of {@link RateLimiter.limit}. It is always a value, never a thrown error: store
 * failures are denials (or, when configured, fail-open / local decisions) with a reason.
 */
export interface Decision {
  /** Whether the request may proceed. */
  readonly allowed: boolean;
  /** `ok` or `limited` when the store answered; otherwise why it did not. */
  readonly reason: DecisionReason;
  /** True when the store failed and the answer came from the fail-open or local fallback. */
  readonly degraded: boolean;
  /** Capacity of the binding policy. */
  readonly limit: number;
  /** Units left in the binding policy. */
  readonly remaining: number;
  /** Ms until the binding policy is fully replenished. */
  readonly resetMs: number;
  /** Ms until the request could be allowed; 0 when allowed. */
  readonly retryAfterMs: number;
  /** Name of the binding policy: the denying one, else the one with the fewest units left. */
  readonly policy: string;
  /** Every policy's outcome (empty when the store failed and no fallback answered). */
  readonly policies: readonly PolicyDecision[];
}

/**
 * Where rate-limit state lives. A store decides every policy of one key atomically: when any
 * policy denies, no policy consumes. A store may answer synchronously (memory) or with a
 * promise (network); it signals failure by throwing or rejecting; the limiter turns that
 * into a `store_unavailable` decision (`store_timeout` when the error has
 * `reason: 'store_timeout'`) and enforces the deadline itself.
 */
export interface Store {
  /** Short name for logs, e.g. `memory` or `redis`. */
  readonly name: string;
  /**
   * Decides `cost` units for `key` under every policy, atomically.
   *
   * @param deadlineMs - The limiter stops waiting this many ms from now and answers without the
   * store. A store that executes remotely should not consume when it runs after that instant
   * (and reject with `reason: 'store_timeout'` instead), since the caller was already denied.
   * @returns One outcome per policy, in the same order.
   */
  decide(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    deadlineMs?: number,
  ): readonly PolicyOutcome[] | Promise<readonly PolicyOutcome[]>;
  /**
   * Gives back the `cost` units a decision consumed when its allowing answer (`outcomes`, as
   * `decide` returned them) reached the limiter only after the caller had been denied at the
   * deadline or had aborted. Optional; without it such a late charge stands.
   */
  refund?(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    outcomes: readonly PolicyOutcome[],
  ): void | Promise<void>;
  /** Forgets the state of `key` for these policies. */
  reset?(key: string, policies: readonly ResolvedPolicy[]): void | Promise<void>;
}
