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
  },
  email_invalid_recipient: {
    status: 422,
    title: 'Invalid Email Recipient',
  },
  email_suppressed: {
    status: 422,
    title: 'Email Recipient Suppressed',
  },
  email_auth_failed: {
    status: 502,
    title: 'Email Provider Authentication Failed',
  },
  email_invalid_request: {
    status: 422,
    title: 'Invalid Email Request',
  },
  email_provider_unavailable: {
    status: 503,
    title: 'Email Provider Unavailable',
    retryable: true,
  },
  email_timeout: {
    status: 504,
    title: 'Email Provider Timeout',
    retryable: true,
  },
  email_unknown: {
    status: 502,
    title: 'Unknown Email Provider Error',
  },
  email_webhook_signature_invalid: {
    status: 401,
    title: 'Email Webhook Signature Invalid',
  },
  email_webhook_malformed: {
    status: 400,
    title: 'Email Webhook Malformed',
  },
  email_webhook_replay_unavailable: {
    status: 503,
    title: 'Email Webhook Replay Store Unavailable',
    retryable: true,
  },
  email_config_invalid: {
    status: 500,
    title: 'Email Configuration Invalid',
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
