import { UnrecoverableError } from 'bullmq';
import { formatFailureReason } from '../failure-reason.js';
import type { JobErrorClassification } from '../job-error-classification.js';

function messageOf(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return typeof error === 'string' ? error : `Non-error value thrown (${typeof error})`;
  } catch {
    return 'Unreadable error';
  }
}

function framesOf(error: unknown): string {
  try {
    const stack = error instanceof Error ? error.stack : undefined;
    if (typeof stack !== 'string') return '';
    const at = stack.indexOf('\n    at ');
    return at < 0 ? '' : stack.slice(at);
  } catch {
    return '';
  }
}

/**
 * The error handed to BullMQ for a classified failure: its message is the `[code] message`
 * failure reason BullMQ stores; its stack keeps the original frames; `cause` is the original.
 * Non-retryable failures are BullMQ's `UnrecoverableError` (no further attempt); retryable ones
 * carry `retryAfterMs` for the backoff strategy. @internal
 */
export function toJobFailure(error: unknown, classification: JobErrorClassification, retryable: boolean): Error {
  const reason = formatFailureReason(classification.code, messageOf(error));
  const failure = retryable ? new Error(reason) : new UnrecoverableError(reason);
  const extra: Record<string, unknown> = { code: classification.code, retryable, cause: error };
  if (retryable && classification.retryAfterMs !== undefined) extra.retryAfterMs = classification.retryAfterMs;
  for (const [key, value] of Object.entries(extra)) {
    Object.defineProperty(failure, key, { value, enumerable: false, writable: true, configurable: true });
  }
  failure.stack = `${failure.name}: ${reason}${framesOf(error)}`;
  return failure;
}
