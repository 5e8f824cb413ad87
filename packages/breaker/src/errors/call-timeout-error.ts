import { BulwarkError, brandError, createErrorGuard } from '@bulwark/errors';
import { breakerErrors } from './codes.js';

/**
 * Rejection of a call that did not settle within `timeoutMs`. The per-call signal passed to
 * the function was aborted with this error, and the call's late result is ignored.
 * Code `call_timeout`, status 504, `retryable: true`.
 *
 * @example
 * ```ts
 * if (isCallTimeoutError(error)) log.warn({ timeoutMs: error.timeoutMs }, 'upstream too slow');
 * ```
 */
export class CallTimeoutError extends BulwarkError<'call_timeout'> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'CallTimeoutError');

  declare name: 'CallTimeoutError';
  /** The limit that was exceeded. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, source?: string) {
    const definition = breakerErrors.definitions.call_timeout;
    super({
      code: 'call_timeout',
      status: definition.status,
      title: definition.title,
      retryable: true,
      detail: `${source === undefined ? 'Call' : `Call through \`${source}\``} did not settle within ${timeoutMs} ms`,
      extensions: { timeoutMs },
    });
    this.name = 'CallTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Reports whether `value` is a {@link CallTimeoutError}, from any copy of this package.
 *
 * @example
 * ```ts
 * if (isCallTimeoutError(error)) metrics.timeouts.inc();
 * ```
 */
export const isCallTimeoutError = /* @__PURE__ */ createErrorGuard<CallTimeoutError>('CallTimeoutError');
