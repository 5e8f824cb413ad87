import { defineErrors } from '@bulwark/errors';

/**
 * The catalog of `@bulwark/email` codes, registered process-wide with `@bulwark/errors`.
 * `status` is the HTTP status a host should answer with when it turns the error into a
 * problem response; the provider's own HTTP status is on {@link EmailError.providerStatus}.
 */
export const emailErrors = defineErrors({
  email_rate_limited: {
    status: 429,
    title: 'Email Provider Rate Limited',
    retryable: true,
    description:
      'The provider refused the request because of a rate limit or a sending quota; `retryAfterMs` says when to try again and `quota` flags a daily/monthly quota.',
  },
  email_invalid_recipient: {
    status: 422,
    title: 'Invalid Email Recipient',
    description: 'The provider rejected a recipient address as invalid or non-existent.',
  },
  email_suppressed: {
    status: 422,
    title: 'Email Recipient Suppressed',
    description:
      'The recipient is on the provider suppression list (hard bounce, complaint or manual suppression), e.g. Postmark 406.',
  },
  email_auth_failed: {
    status: 502,
    title: 'Email Provider Authentication Failed',
    description: 'The provider rejected the credentials, or the account/sender is not allowed to send.',
  },
  email_invalid_request: {
    status: 422,
    title: 'Invalid Email Request',
    description:
      'The message failed validation, locally or at the provider (missing field, limit exceeded, bad sender).',
  },
  email_provider_unavailable: {
    status: 503,
    title: 'Email Provider Unavailable',
    retryable: true,
    description: 'The provider answered 5xx or could not be reached.',
  },
  email_timeout: {
    status: 504,
    title: 'Email Provider Timeout',
    retryable: true,
    description:
      'The provider did not answer in time. The message may have been sent (`maybeSent: true`): retry only with an idempotency key the provider honours.',
  },
  email_unknown: {
    status: 502,
    title: 'Unknown Email Provider Error',
    description: 'The provider answered in a way no mapping covers, e.g. an HTML 403 page from a firewall.',
  },
  email_webhook_signature_invalid: {
    status: 401,
    title: 'Email Webhook Signature Invalid',
    description: 'The webhook request could not be authenticated (signature, credentials, IP, timestamp or replay).',
  },
  email_webhook_malformed: {
    status: 400,
    title: 'Email Webhook Malformed',
    description: 'The webhook request was authentic but its body or headers could not be parsed.',
  },
  email_webhook_replay_unavailable: {
    status: 503,
    title: 'Email Webhook Replay Store Unavailable',
    retryable: true,
    description:
      'The replay store could not be asked whether this signed webhook was seen before (e.g. Redis down), so it was refused: fail closed. The provider retries.',
  },
  email_config_invalid: {
    status: 500,
    title: 'Email Configuration Invalid',
    description: 'The email configuration (environment variables or options) is missing or invalid.',
  },
});

/** Codes an email send can fail with. */
export type EmailErrorCode =
  | 'email_rate_limited'
  | 'email_invalid_recipient'
  | 'email_suppressed'
  | 'email_auth_failed'
  | 'email_invalid_request'
  | 'email_provider_unavailable'
  | 'email_timeout'
  | 'email_unknown';

/** Codes webhook ingestion can fail with. */
export type EmailWebhookErrorCode =
  | 'email_webhook_signature_invalid'
  | 'email_webhook_malformed'
  | 'email_webhook_replay_unavailable';
