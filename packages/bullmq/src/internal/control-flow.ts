/** BullMQ's rate-limit sentinel message (`Worker.RateLimitError()`). */
const RATE_LIMIT_MESSAGE = 'bullmq:rateLimitExceeded';
const CONTROL_FLOW_NAMES: ReadonlySet<string> = new Set(['DelayedError', 'WaitingError', 'WaitingChildrenError']);

/**
 * Whether `error` is one of BullMQ's control-flow signals (the job moved itself to delayed,
 * waiting or waiting-children, or hit the queue's manual rate limit): not a failure, passed on
 * untouched, never counted by a breaker. Matched by name and message as BullMQ itself does, so a
 * second copy of bullmq is recognised too. @internal
 */
export function isControlFlowError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  return (typeof name === 'string' && CONTROL_FLOW_NAMES.has(name)) || message === RATE_LIMIT_MESSAGE;
}
