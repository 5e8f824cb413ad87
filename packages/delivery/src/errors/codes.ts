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
  },
  delivery_invalid_event: {
    status: 422,
    title: 'Invalid Event',
  },
  delivery_endpoint_not_found: {
    status: 404,
    title: 'Endpoint Not Found',
  },
  delivery_message_not_found: {
    status: 404,
    title: 'Message Not Found',
  },
  delivery_endpoint_disabled: {
    status: 409,
    title: 'Endpoint Disabled',
  },
  delivery_egress_refused: {
    status: 403,
    title: 'Egress Refused',
  },
  delivery_insecure_url: {
    status: 422,
    title: 'Insecure Endpoint URL',
  },
  delivery_timeout: {
    status: 504,
    title: 'Delivery Timed Out',
    retryable: true,
  },
  delivery_network_error: {
    status: 502,
    title: 'Delivery Network Error',
    retryable: true,
  },
  delivery_http_error: {
    status: 502,
    title: 'Receiver Returned An Error',
    retryable: true,
  },
  delivery_store_timeout: {
    status: 503,
    title: 'Delivery Store Timeout',
    retryable: true,
  },
  delivery_store_unavailable: {
    status: 503,
    title: 'Delivery Store Unavailable',
    retryable: true,
  },
  delivery_closed: {
    status: 503,
    title: 'Dispatcher Closed',
  },
});

/** A code of {@link deliveryErrors}. */
export type DeliveryErrorCode = keyof typeof deliveryErrors.definitions & string;
