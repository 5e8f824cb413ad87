import { isBrokenCircuitError } from '@bulwark/breaker';
import { isEmailError } from './errors/email-error.js';
import type { EmailMessage } from './message.js';

/**
 * Whether a failed send may be handed to the next provider: retryable codes and open
 * circuits, never a possibly-sent one (`maybeSent`, e.g. a timeout), with or without an
 * idempotency key: keys are per provider, so the next provider would send it again.
 *
 * @param error - What the provider (or its breaker) threw.
 * @param _message - The message being sent (its `idempotencyKey` does not change the answer).
 * @example
 * ```ts
 * canFailOver(timeoutError, { ...message, idempotencyKey: 'order-42' }); // false: it may have been sent
 * ```
 */
export function canFailOver(error: unknown, _message: Pick<EmailMessage, 'idempotencyKey'>): boolean {
  if (isBrokenCircuitError(error)) return true;
  // A message that may have been sent never moves to another provider: an idempotency key is
  // honoured by the provider that saw it (Resend), not by the next one, which would send again.
  return isEmailError(error) && error.retryable && !error.maybeSent;
}
