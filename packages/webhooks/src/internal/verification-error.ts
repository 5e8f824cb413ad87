import type { WebhookVerificationErrorCode } from '../errors/codes.js';
import { type WebhookErrorOptions, WebhookVerificationError } from '../errors/webhook-error.js';

/**
 * Creates the {@link WebhookVerificationError} a verification failure throws, without stack
 * frames (`captureStack: false`). A verification error describes the request, not the code path
 * (its frames would all be the verifier's own), and capturing frames costs more than the MAC of a
 * small body: a forged request must not cost more than a valid one.
 * @internal
 */
export function verificationError(
  code: WebhookVerificationErrorCode,
  options: WebhookErrorOptions,
): WebhookVerificationError {
  return new WebhookVerificationError(code, {
    detail: options.detail,
    extensions: options.extensions,
    cause: options.cause,
    captureStack: false,
  });
}
