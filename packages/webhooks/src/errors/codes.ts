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
    description: 'A required signature, timestamp or id/nonce header is absent or empty.',
  },
  webhook_header_malformed: {
    status: 400,
    title: 'Webhook Header Malformed',
    description: 'A webhook header does not follow its grammar (signature list, nonce/id, duplicate values).',
  },
  webhook_timestamp_invalid: {
    status: 400,
    title: 'Webhook Timestamp Invalid',
    description: 'The timestamp header is not 1-10 ASCII digits of Unix seconds (milliseconds are rejected).',
  },
  webhook_timestamp_too_old: {
    status: 400,
    title: 'Webhook Timestamp Too Old',
    description: 'The timestamp is further in the past than the tolerance allows.',
  },
  webhook_timestamp_in_future: {
    status: 400,
    title: 'Webhook Timestamp In Future',
    description: 'The timestamp is further in the future than the tolerance allows.',
  },
  webhook_signature_mismatch: {
    status: 401,
    title: 'Webhook Signature Mismatch',
    description: 'No signature in the header matches any live key for the received body.',
  },
  webhook_replayed: {
    status: 409,
    title: 'Webhook Replayed',
    description: 'A message with this id/nonce was already accepted within the tolerance window.',
  },
  webhook_body_unsupported: {
    status: 400,
    title: 'Webhook Body Unsupported',
    description: 'The body is not raw bytes or a string (for example a parsed JSON object).',
  },
  webhook_replay_store_timeout: {
    status: 503,
    title: 'Webhook Replay Store Timeout',
    retryable: true,
    description:
      'The replay store did not answer within its deadline; the webhook was not accepted (fail closed) and the sender should retry.',
  },
  webhook_replay_store_unavailable: {
    status: 503,
    title: 'Webhook Replay Store Unavailable',
    retryable: true,
    description:
      'The replay store failed (connection refused or closed, error reply); the webhook was not accepted (fail closed) and the sender should retry.',
  },
  webhook_url_unavailable: {
    status: 500,
    title: 'Webhook URL Unavailable',
    description:
      'The scheme signs the request URL (and method), but the verifier was not given an absolute URL: pass `url` with the webhook or set `publicOrigin`. A server configuration problem, not a bad request.',
  },
  webhook_secret_malformed: {
    status: 500,
    title: 'Webhook Secret Malformed',
    description:
      'A configured secret or key is malformed: not strict base64 of an accepted length (whsec_ secrets), or an empty, oversized or misshapen provider secret.',
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
