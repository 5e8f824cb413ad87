import type { WebhookVerificationErrorCode } from '../errors/codes.js';
import { type WebhookErrorOptions, WebhookVerificationError } from '../errors/webhook-error.js';

const errorConstructor = Error as { stackTraceLimit?: number | undefined };

/**
 * Creates the {@link WebhookVerificationError} a verification failure throws, without stack
 * frames. A verification error describes the request, not the code path (its frames would all be
 * the verifier's own), and capturing frames costs more than the MAC of a small body: a forged
 * request must not cost more than a valid one. The global limit is restored before returning.
 * @internal
 */
export function verificationError(
  code: WebhookVerificationErrorCode,
  options?: WebhookErrorOptions,
): WebhookVerificationError {
  const limit = errorConstructor.stackTraceLimit;
  errorConstructor.stackTraceLimit = 0;
  try {
    return new WebhookVerificationError(code, options);
  } finally {
    errorConstructor.stackTraceLimit = limit;
  }
}
