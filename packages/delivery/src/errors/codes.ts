import { defineErrors } from '@bulwark/errors';

/**
 * The error catalog of `@bulwark/delivery`. Match on `code`, never on the message.
 *
 * @example
 * ```ts
 * deliveryErrors.has('delivery_egress_refused'); // true
 * ```
 */
export const deliveryErrors = defineErrors({
  delivery_invalid_endpoint: {
    status: 422,
    title: 'Invalid Endpoint',
    description: 'An endpoint definition failed validation (URL, event types, rate limit or timeout).',
  },
  delivery_invalid_event: {
    status: 422,
    title: 'Invalid Event',
    description: 'A published event failed validation (type, id or a payload that is not JSON-serializable).',
  },
  delivery_endpoint_not_found: {
    status: 404,
    title: 'Endpoint Not Found',
    description: 'No endpoint with this id exists in the store.',
  },
  delivery_message_not_found: {
    status: 404,
    title: 'Message Not Found',
    description: 'No delivery exists for this message id.',
  },
  delivery_endpoint_disabled: {
    status: 409,
    title: 'Endpoint Disabled',
    description:
      'The endpoint is disabled (by hand, after 410 Gone, or after failing too long); its deliveries go to the DLQ.',
  },
  delivery_egress_refused: {
    status: 403,
    title: 'Egress Refused',
    description:
      'The endpoint URL resolves to a loopback, private, link-local, metadata or otherwise non-public address and is not allowlisted (SSRF guard).',
  },
  delivery_insecure_url: {
    status: 422,
    title: 'Insecure Endpoint URL',
    description: 'The endpoint URL is not https and `allowHttp` is off.',
  },
  delivery_timeout: {
    status: 504,
    title: 'Delivery Timed Out',
    retryable: true,
    description: 'The receiver did not answer within the endpoint `timeoutMs`.',
  },
  delivery_network_error: {
    status: 502,
    title: 'Delivery Network Error',
    retryable: true,
    description: 'The connection to the receiver failed (DNS, refused, reset, TLS).',
  },
  delivery_http_error: {
    status: 502,
    title: 'Receiver Returned An Error',
    retryable: true,
    description: 'The receiver answered with a non-2xx status (redirects are not followed and count as failures).',
  },
  delivery_store_timeout: {
    status: 503,
    title: 'Delivery Store Timeout',
    retryable: true,
    description:
      'The store did not answer within its deadline (`deadlineMs`): unreachable, stalled or not connected yet. The call may still be applied later.',
  },
  delivery_store_unavailable: {
    status: 503,
    title: 'Delivery Store Unavailable',
    retryable: true,
    description:
      'The connection to the store failed or is closed, or (Redis `waitReplicas`) a write was not confirmed by enough replicas in time: it may or may not survive a failover, and retrying is idempotent.',
  },
  delivery_closed: {
    status: 503,
    title: 'Dispatcher Closed',
    description: 'The dispatcher was closed; it no longer accepts events or claims deliveries.',
  },
});

/** A code of {@link deliveryErrors}. */
export type DeliveryErrorCode = keyof typeof deliveryErrors.definitions & string;
