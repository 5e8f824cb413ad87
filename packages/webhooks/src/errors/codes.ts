import { defineErrors } from '@bulwark/errors';

/**
 * The error catalog of `@bulwark/webhooks`, registered with `@bulwark/errors`. Match on these
 * codes (`error.code`), never on messages.
 *
 * @example
 * ```ts
 * webhookErrors.has('webhook_replayed'); // true
 * ```
 */
export const webhookErrors = defineErrors({
  webhook_header_missing: {
    status: 400,
    title: 'Webhook Header Missing',
  },
  webhook_header_malformed: {
    status: 400,
    title: 'Webhook Header Malformed',
  },
  webhook_timestamp_invalid: {
    status: 400,
    title: 'Webhook Timestamp Invalid',
  },
  webhook_timestamp_too_old: {
    status: 400,
    title: 'Webhook Timestamp Too Old',
  },
  webhook_timestamp_in_future: {
    status: 400,
    title: 'Webhook Timestamp In Future',
  },
  webhook_signature_mismatch: {
    status: 401,
    title: 'Webhook Signature Mismatch',
  },
  webhook_replayed: {
    status: 409,
    title: 'Webhook Replayed',
  },
  webhook_body_unsupported: {
    status: 400,
    title: 'Webhook Body Unsupported',
  },
  webhook_replay_store_timeout: {
    status: 503,
    title: 'Webhook Replay Store Timeout',
    retryable: true,
  },
  webhook_replay_store_unavailable: {
    status: 503,
    title: 'Webhook Replay Store Unavailable',
    retryable: true,
  },
  webhook_url_unavailable: {
    status: 500,
    title: 'Webhook URL Unavailable',
  },
  webhook_secret_malformed: {
    status: 500,
    title: 'Webhook Secret Malformed',
  },
});

/** Every code of {@link webhookErrors}. */
export type WebhookErrorCode = keyof typeof webhookErrors.definitions;

/** Codes of a replay store that could not be asked (503, retryable): the webhook was not accepted. */
export type WebhookReplayStoreErrorCode = 'webhook_replay_store_timeout' | 'webhook_replay_store_unavailable';

/** Codes a verification failure can carry (not a malformed configured secret, not a failed replay store). */
export type WebhookVerificationErrorCode = Exclude<
  WebhookErrorCode,
  'webhook_secret_malformed' | WebhookReplayStoreErrorCode
>;
