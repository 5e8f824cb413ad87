import type { webhookErrors } from './codes.js';

/**
 * When each {@link webhookErrors} code is raised: the "when" column of the generated error reference,
 * docs/errors.md. Documentation, not behaviour: it stays out of the runtime catalog (and so out of
 * every bundle); only the docs generator (`pnpm docs:errors`) imports this module, and it fails
 * when a code has no description here.
 *
 * @internal
 */
export const webhookErrorDescriptions: Readonly<Record<keyof typeof webhookErrors.definitions, string>> = {
  webhook_header_missing: 'A required signature, timestamp or id/nonce header is absent or empty.',
  webhook_header_malformed:
    'A webhook header does not follow its grammar (signature list, nonce/id, duplicate values).',
  webhook_timestamp_invalid:
    'The timestamp header is not 1-10 ASCII digits of Unix seconds (milliseconds are rejected).',
  webhook_timestamp_too_old: 'The timestamp is further in the past than the tolerance allows.',
  webhook_timestamp_in_future: 'The timestamp is further in the future than the tolerance allows.',
  webhook_signature_mismatch: 'No signature in the header matches any live key for the received body.',
  webhook_replayed: 'A message with this id/nonce was already accepted within the tolerance window.',
  webhook_body_unsupported: 'The body is not raw bytes or a string (for example a parsed JSON object).',
  webhook_replay_store_timeout:
    'The replay store did not answer within its deadline; the webhook was not accepted (fail closed) and the sender should retry.',
  webhook_replay_store_unavailable:
    'The replay store failed (connection refused or closed, error reply); the webhook was not accepted (fail closed) and the sender should retry.',
  webhook_url_unavailable:
    'The scheme signs the request URL (and method), but the verifier was not given an absolute URL: pass `url` with the webhook or set `publicOrigin`. A server configuration problem, not a bad request.',
  webhook_secret_malformed:
    'A configured secret or key is malformed: not strict base64 of an accepted length (whsec_ secrets), or an empty, oversized or misshapen provider secret.',
};
