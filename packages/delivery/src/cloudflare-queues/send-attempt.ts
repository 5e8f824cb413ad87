import { isBrokenCircuitError } from '@bulwark/breaker';
import { linkSignals } from '@bulwark/core';
import type { EndpointCircuit } from '../policies.js';
import type { ResolvedConsumerOptions } from './consumer-options.js';

/** What one POST came to: refused by the open circuit, or sent (with its error, `null` for 2xx). @internal */
export type SendResult =
  | { readonly kind: 'open'; readonly retryAfterMs: number }
  | { readonly kind: 'sent'; readonly response: Response | undefined; readonly error: string | null };

/** Carries a non-2xx response through the circuit breaker as a failure. */
class FailedResponse extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}

/**
 * POSTs one signed delivery under the endpoint's circuit (when there is one) and a timeout,
 * without following redirects, and classifies it as the Node worker does: non-2xx is a breaker
 * failure recorded as `http_<status>`, an abort by the timeout `delivery_timeout`, anything
 * else `delivery_network_error`. The response body is discarded.
 * @internal
 */
export async function sendAttempt(
  o: ResolvedConsumerOptions,
  circuit: EndpointCircuit | undefined,
  request: { readonly url: string; readonly headers: Record<string, string>; readonly body: string },
): Promise<SendResult> {
  let timedOut = false;
  const send = async (policySignal?: AbortSignal): Promise<Response> => {
    const controller = new AbortController();
    const linked = linkSignals([controller.signal, policySignal]);
    const timer = o.timers.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, o.timeoutMs);
    try {
      const response = await o.fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: linked.signal,
      });
      await response.body?.cancel();
      if (response.status < 200 || response.status >= 300) throw new FailedResponse(response);
      return response;
    } finally {
      o.timers.clearTimeout(timer);
      linked.dispose();
    }
  };
  try {
    const response = circuit ? await circuit.execute((signal) => send(signal)) : await send();
    return { kind: 'sent', response, error: null };
  } catch (cause) {
    if (isBrokenCircuitError(cause)) return { kind: 'open', retryAfterMs: cause.retryAfterMs };
    if (cause instanceof FailedResponse) {
      return { kind: 'sent', response: cause.response, error: `http_${cause.response.status}` };
    }
    const code = (cause as { code?: unknown; name?: unknown } | undefined)?.code;
    const timeout = timedOut || code === 'call_timeout' || (cause as { name?: unknown })?.name === 'AbortError';
    return { kind: 'sent', response: undefined, error: timeout ? 'delivery_timeout' : 'delivery_network_error' };
  }
}
