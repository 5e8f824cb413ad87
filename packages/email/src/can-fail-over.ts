import { isBrokenCircuitError } from '@bulwark/breaker';
import { isEmailError } from './errors/email-error.js';
import type { EmailMessage } from './message.js';

/**
 * Whether a failed send may be handed to the next provider: retryable codes and open
 * circuits, never a possibly-sent timeout without an idempotency key.
 *
 * @param error - What the provider (or its breaker) threw.
 * @param message - The message being sent.
 * @example
 * ```ts
 * canFailOver(timeoutError, { ...message, idempotencyKey: undefined }); // false
 * ```
 */
export function canFailOver(error: unknown, message: Pick<EmailMessage, 'idempotencyKey'>): boolean {
  if (isBrokenCircuitError(error)) return true;
  if (!isEmailError(error) || !error.retryable) return false;
  return !(error.maybeSent && message.idempotencyKey === undefined);
}
