import type { deliveryErrors } from './codes.js';

/**
 * When each {@link deliveryErrors} code is raised: the "when" column of the generated error reference,
 * docs/errors.md. Documentation, not behaviour: it stays out of the runtime catalog (and so out of
 * every bundle); only the docs generator (`pnpm docs:errors`) imports this module, and it fails
 * when a code has no description here.
 *
 * @internal
 */
export const deliveryErrorDescriptions: Readonly<Record<keyof typeof deliveryErrors.definitions, string>> = {
  delivery_invalid_endpoint: 'An endpoint definition failed validation (URL, event types, rate limit or timeout).',
  delivery_invalid_event: 'A published event failed validation (type, id or a payload that is not JSON-serializable).',
  delivery_endpoint_not_found: 'No endpoint with this id exists in the store.',
  delivery_message_not_found: 'No delivery exists for this message id.',
  delivery_endpoint_disabled:
    'The endpoint is disabled (by hand, after 410 Gone, or after failing too long); its deliveries go to the DLQ.',
  delivery_egress_refused:
    'The endpoint URL resolves to a loopback, private, link-local, metadata or otherwise non-public address and is not allowlisted (SSRF guard).',
  delivery_insecure_url: 'The endpoint URL is not https and `allowHttp` is off.',
  delivery_timeout: 'The receiver did not answer within the endpoint `timeoutMs`.',
  delivery_network_error: 'The connection to the receiver failed (DNS, refused, reset, TLS).',
  delivery_http_error:
    'The receiver answered with a non-2xx status (redirects are not followed and count as failures).',
  delivery_store_timeout:
    'The store did not answer within its deadline (`deadlineMs`): unreachable, stalled or not connected yet. The call may still be applied later.',
  delivery_store_unavailable:
    'The connection to the store failed or is closed, or (Redis `waitReplicas`) a write was not confirmed by enough replicas in time: it may or may not survive a failover, and retrying is idempotent.',
  delivery_closed: 'The dispatcher was closed; it no longer accepts events or claims deliveries.',
};
