import { type CircuitBreaker, createCircuitBreaker } from '@bulwark/breaker';

/**
 * A breaker around the outbound API, one per isolate: five calls minimum, opens at 50 % failures
 * (a 5xx answer or a network error) for 30 s, each call cut off after 2 s. While open, calls fail
 * at once with `circuit_open` (503 problem with `Retry-After`) and the API is not called.
 */
export function createUpstream(url: string) {
  const breaker: CircuitBreaker = createCircuitBreaker({
    name: 'upstream',
    window: { type: 'count', size: 10 },
    minimumCalls: 5,
    failureRateThreshold: 50,
    openWaitMs: 30_000,
    halfOpenPermits: 1,
    timeoutMs: 2_000,
    isFailureResult: (result) => (result as Response).status >= 500,
  });
  return {
    breaker,
    /** GETs the API under the breaker; answers its JSON, or its status as a problem. */
    async quote(): Promise<Response> {
      const response = await breaker.execute((signal) => fetch(url, { signal, redirect: 'manual' }));
      const body = await response.text();
      return new Response(body, {
        status: response.ok ? 200 : 502,
        headers: { 'content-type': response.headers.get('content-type') ?? 'application/json' },
      });
    },
  };
}
