import { brandError, createErrorGuard } from '@bulwark/errors';
import { DeliveryError } from './delivery-error.js';

/** Why an address was refused by the SSRF guard. */
export type RefusedRange =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'shared'
  | 'insecure-scheme';

/**
 * Thrown (and recorded on the attempt) when an endpoint URL is refused by the egress guard:
 * it resolves to a non-public address that is not allowlisted, or it is plain http while
 * `allowHttp` is off. Never retryable: the delivery goes to the DLQ.
 *
 * @example
 * ```ts
 * if (isEgressRefusedError(error)) console.warn(error.host, error.address, error.range);
 * ```
 */
export class EgressRefusedError extends DeliveryError {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'EgressRefusedError');

  declare name: 'EgressRefusedError';
  /** The URL host that was refused. */
  readonly host: string;
  /** The resolved address that matched a refused range (empty for `insecure-scheme`). */
  readonly address: string;
  /** The refused range. */
  readonly range: RefusedRange;

  constructor(host: string, address: string, range: RefusedRange) {
    const insecure = range === 'insecure-scheme';
    super(insecure ? 'delivery_insecure_url' : 'delivery_egress_refused', {
      detail: insecure
        ? `Refusing plain http to ${host}: set allowHttp to permit it`
        : `Refusing ${host}: it resolves to ${address} (${range})`,
      retryable: false,
    });
    this.name = 'EgressRefusedError';
    this.host = host;
    this.address = address;
    this.range = range;
  }
}

/**
 * Reports whether `value` is an {@link EgressRefusedError}.
 *
 * @example
 * ```ts
 * if (isEgressRefusedError(attemptError)) disableEndpoint();
 * ```
 */
export const isEgressRefusedError = /* @__PURE__ */ createErrorGuard<EgressRefusedError>('EgressRefusedError');
