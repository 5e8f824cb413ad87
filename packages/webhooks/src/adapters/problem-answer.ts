import { type BulwarkError, isBulwarkError } from '@bulwark/errors';
import { isWebhookReplayStoreError } from '../errors/webhook-error.js';

/**
 * Whether an adapter answers `error` with problem+json itself: client errors (4xx) and a replay
 * store that could not be asked (503, retryable: the sender should redeliver). Anything else is
 * the application's and propagates.
 * @internal
 */
export function answersWithProblem(error: unknown): error is BulwarkError {
  return isBulwarkError(error) && (error.status < 500 || isWebhookReplayStoreError(error));
}
