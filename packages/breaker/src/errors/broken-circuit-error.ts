import { BulwarkError, brandError, createErrorGuard } from '@bulwark/errors';
import { breakerErrors } from './codes.js';

/** Why a call was short-circuited. */
export type RejectionReason = 'open' | 'half_open_full' | 'forced_open';

/** What {@link BrokenCircuitError} reports. */
export interface BrokenCircuitInit {
  /** The breaker's name. */
  readonly breaker: string;
  /** Why the call was rejected. */
  readonly reason: RejectionReason;
  /** Milliseconds until the breaker may admit calls again (a hint, never negative). */
  readonly retryAfterMs: number;
}

/**
 * Thrown (as a rejection) when a breaker refuses a call: it is open, forced open, or
 * half-open with every trial permit taken. The call was never run and was not counted.
 * Code `circuit_open`, status 503, `retryable: true` (after `retryAfterMs`), but
 * `@bulwark/retry` never retries it immediately.
 *
 * @example
 * ```ts
 * try { await breaker.execute(call); } catch (e) { if (isBrokenCircuitError(e)) wait(e.retryAfterMs); }
 * ```
 */
export class BrokenCircuitError extends BulwarkError<'circuit_open'> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'BrokenCircuitError');

  declare name: 'BrokenCircuitError';
  /** The breaker that rejected the call. */
  readonly breaker: string;
  /** Why the call was rejected. */
  readonly reason: RejectionReason;
  /** Milliseconds until the breaker may admit calls again. */
  readonly retryAfterMs: number;

  constructor(init: BrokenCircuitInit) {
    const definition = breakerErrors.definitions.circuit_open;
    super({
      code: 'circuit_open',
      status: definition.status,
      title: definition.title,
      retryable: true,
      detail: `Circuit \`${init.breaker}\` is ${init.reason === 'half_open_full' ? 'half-open with no free trial permit' : init.reason === 'forced_open' ? 'forced open' : 'open'}`,
      extensions: { breaker: init.breaker, retryAfterMs: init.retryAfterMs },
    });
    this.name = 'BrokenCircuitError';
    this.breaker = init.breaker;
    this.reason = init.reason;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * Reports whether `value` is a {@link BrokenCircuitError}, from any copy of this package.
 *
 * @example
 * ```ts
 * if (isBrokenCircuitError(error)) res.setHeader('retry-after', Math.ceil(error.retryAfterMs / 1000));
 * ```
 */
export const isBrokenCircuitError = /* @__PURE__ */ createErrorGuard<BrokenCircuitError>('BrokenCircuitError');
