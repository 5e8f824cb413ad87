/** One signed POST to make. */
export interface TransportRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Give up (with `delivery_timeout`) after this many milliseconds. */
  readonly timeoutMs: number;
  /** Aborts the request (shutdown); the transport rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
}

/** What the receiver answered. Any status is a response; only transport failures throw. */
export interface TransportResponse {
  readonly status: number;
  /** The `Retry-After` header, if any. */
  readonly retryAfter: string | null;
  /** The body, truncated to the transport's byte cap. */
  readonly body: string;
}

/**
 * Sends one delivery. Resolves with the response for every HTTP status (redirects are
 * returned, never followed); rejects with a `DeliveryError` (`delivery_timeout`,
 * `delivery_network_error`, `delivery_egress_refused`, `delivery_insecure_url`).
 */
export interface Transport {
  /** `real` transports reach the network; `simulated` ones do not (metrics get `.simulated`). */
  readonly mode: 'real' | 'simulated';
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Frees pooled connections. */
  close(): Promise<void>;
}

/**
 * A transport that never touches the network and answers `200` to everything: what the
 * dispatcher uses when `WEBHOOK_REAL` is off. Deliveries, attempts and metrics (`*.simulated`)
 * are recorded as usual.
 *
 * @example
 * ```ts
 * const dispatcher = createDispatcher({ store, transport: createSimulatedTransport() });
 * ```
 */
export function createSimulatedTransport(): Transport {
  return Object.freeze({
    mode: 'simulated' as const,
    async send(request: TransportRequest): Promise<TransportResponse> {
      if (request.signal?.aborted) throw request.signal.reason;
      return { status: 200, retryAfter: null, body: 'simulated' };
    },
    async close() {},
  });
}
