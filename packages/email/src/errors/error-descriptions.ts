import type { emailErrors } from './codes.js';

/**
 * When each {@link emailErrors} code is raised: the "when" column of the generated error reference,
 * docs/errors.md. Documentation, not behaviour: it stays out of the runtime catalog (and so out of
 * every bundle); only the docs generator (`pnpm docs:errors`) imports this module, and it fails
 * when a code has no description here.
 *
 * @internal
 */
export const emailErrorDescriptions: Readonly<Record<keyof typeof emailErrors.definitions, string>> = {
  email_rate_limited:
    'The provider refused the request because of a rate limit or a sending quota; `retryAfterMs` says when to try again and `quota` flags a daily/monthly quota.',
  email_invalid_recipient: 'The provider rejected a recipient address as invalid or non-existent.',
  email_suppressed:
    'The recipient is on the provider suppression list (hard bounce, complaint or manual suppression), e.g. Postmark 406.',
  email_auth_failed: 'The provider rejected the credentials, or the account/sender is not allowed to send.',
  email_invalid_request:
    'The message failed validation, locally or at the provider (missing field, limit exceeded, bad sender).',
  email_provider_unavailable: 'The provider answered 5xx or could not be reached.',
  email_timeout:
    'The provider did not answer in time. The message may have been sent (`maybeSent: true`): retry only with an idempotency key the provider honours.',
  email_unknown: 'The provider answered in a way no mapping covers, e.g. an HTML 403 page from a firewall.',
  email_webhook_signature_invalid:
    'The webhook request could not be authenticated (signature, credentials, IP, timestamp or replay).',
  email_webhook_malformed: 'The webhook request was authentic but its body or headers could not be parsed.',
  email_webhook_replay_unavailable:
    'The replay store could not be asked whether this signed webhook was seen before (e.g. Redis down), so it was refused: fail closed. The provider retries.',
  email_config_invalid: 'The email configuration (environment variables or options) is missing or invalid.',
};
