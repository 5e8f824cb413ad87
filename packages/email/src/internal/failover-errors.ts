import type { RetryContext } from '@bulwark/retry';
import { EmailError, isEmailError } from '../errors/email-error.js';
import type { EmailMessage } from '../message.js';

/** Counts provider trouble as breaker failures, not the caller's bad input. @internal */
export function isProviderFailure(error: unknown): boolean {
  return !isEmailError(error) || error.retryable || error.code === 'email_timeout';
}

/**
 * A spent daily/monthly quota (or Postmark's "out of credits") does not come back within a
 * retry's wait: retrying the same provider only delays the hand-over. @internal
 */
export function isQuotaExhausted(context: RetryContext): boolean {
  return isEmailError(context.error) && context.error.quota;
}

/** A possibly-sent timeout without a key must not be retried either: mark it final. @internal */
export function finalIfMaybeSent(error: unknown, message: EmailMessage): unknown {
  if (!isEmailError(error) || !error.maybeSent || message.idempotencyKey !== undefined || !error.retryable) {
    return error;
  }
  return new EmailError({
    code: error.code,
    provider: error.provider,
    detail: error.detail,
    providerStatus: error.providerStatus,
    providerCode: error.providerCode,
    requestId: error.requestId,
    maybeSent: true,
    retryable: false,
    cause: error,
  });
}

/** Turns whatever a failover send threw into a batch item's EmailError. @internal */
export function asBatchError(error: unknown, provider: string): EmailError {
  return isEmailError(error)
    ? error
    : // Whatever it says stays in the cause: `detail` reaches clients.
      new EmailError({
        code: 'email_provider_unavailable',
        provider,
        detail: 'The send failed unexpectedly',
        cause: error,
      });
}
