import { type HttpHandler, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** One request seen by the test server. */
export interface RecordedCall {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What {@link createTestServer} returns. */
export interface TestServer {
  /** Requests received, in order, since the last reset. */
  readonly calls: RecordedCall[];
  /** Replaces handlers for the current test only. */
  use(...handlers: HttpHandler[]): void;
}

/**
 * Starts an msw server for the surrounding test file with `onUnhandledRequest: 'error'`,
 * records every request, and resets handlers and calls after each test.
 *
 * @example
 * ```ts
 * const server = createTestServer([http.post('https://api.resend.com/emails', () => HttpResponse.json({ id: '1' }))]);
 * it('sends', async () => { await send(); expect(server.calls).toHaveLength(1); });
 * ```
 */
export function createTestServer(handlers: HttpHandler[] = []): TestServer {
  const calls: RecordedCall[] = [];
  const recorder = http.all('*', async ({ request }) => {
    calls.push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers.entries()),
      body: await request.clone().text(),
    });
    return undefined;
  });
  const server = setupServer(recorder, ...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    calls.length = 0;
  });
  afterAll(() => server.close());
  return {
    calls,
    use: (...extra) => server.use(recorder, ...extra),
  };
}
