import { redactString } from '@bulwark/errors';

/** Longest message kept in a failure reason (BullMQ stores it in Redis as `failedReason`). */
export const MAX_FAILURE_MESSAGE_LENGTH = 1_000;

const CODE_PREFIX = /^\[([a-z][a-z0-9]*(?:_[a-z0-9]+)*)\] /;

/**
 * The message of the error the processor wrapper hands to BullMQ, which stores it as the job's
 * `failedReason`: `[<code>] <message>`, with secret-shaped substrings masked and the message
 * cut at {@link MAX_FAILURE_MESSAGE_LENGTH} characters. The code survives in Redis, so a job that
 * failed while no process was listening still lands in the dead-letter queue with its code.
 *
 * @param code - The classified error code.
 * @param message - The original error message.
 * @example
 * ```ts
 * formatFailureReason('validation_failed', 'amount must be positive'); // '[validation_failed] amount must be positive'
 * ```
 */
export function formatFailureReason(code: string, message: string): string {
  const text =
    message.length > MAX_FAILURE_MESSAGE_LENGTH ? `${message.slice(0, MAX_FAILURE_MESSAGE_LENGTH)}…` : message;
  return `[${code}] ${redactString(text)}`;
}

/**
 * The code in a failure reason written by {@link formatFailureReason}, or `undefined` when the
 * reason has none (a job failed by a processor that was not wrapped).
 *
 * @param reason - A job's `failedReason` (any value; non-strings give `undefined`).
 * @example
 * ```ts
 * parseFailureCode('[circuit_open] Circuit `payments` is open'); // 'circuit_open'
 * parseFailureCode('boom'); // undefined
 * ```
 */
export function parseFailureCode(reason: unknown): string | undefined {
  if (typeof reason !== 'string') return undefined;
  return CODE_PREFIX.exec(reason.slice(0, 80))?.[1];
}
