// The Worker the breaker's workerd test runs: one breaker and one retry policy at module scope
// (as a Worker keeps them across requests), each handing its signal to a fetch.
import { createRetry } from '@bulwark/retry';
import { createCircuitBreaker } from '../../src/index.js';

const breaker = createCircuitBreaker({ window: { type: 'count', size: 10 }, minimumCalls: 5 });
const retry = createRetry({ retries: 0 });

interface Env {
  readonly TARGET: string;
}

// biome-ignore lint/style/noDefaultExport: workerd runs a module Worker's default export.
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const via = new URL(request.url).pathname;
    try {
      const response =
        via === '/retry'
          ? await retry.execute((signal) => fetch(env.TARGET, { signal }))
          : await breaker.execute((signal) => fetch(env.TARGET, { signal }));
      return new Response(`status ${response.status}`);
    } catch (error) {
      return new Response(`error ${(error as Error).message.slice(0, 80)}`, { status: 500 });
    }
  },
};
