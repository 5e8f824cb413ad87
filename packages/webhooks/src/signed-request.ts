import type { BodyInput } from './internal/body.js';
import { normalizeBody } from './internal/body.js';
import { sign, type WebhookSignerOptions } from './sign.js';

/** Options of {@link createSignedRequest}. */
export interface SignedRequestOptions extends WebhookSignerOptions {
  /** Target URL. Type: `string`. Default: `'http://127.0.0.1/webhooks'`. */
  url?: string;
  /** The body to sign and send. */
  body: BodyInput;
  /** Unix seconds or a Date. Default: from `clock`. */
  timestamp?: number | Date;
  /** Nonce / webhook-id. Default: random. */
  id?: string;
  /** Extra headers (e.g. `content-type`). Default: `{ 'content-type': 'application/json' }`. */
  headers?: Record<string, string>;
}

/**
 * Test helper: a signed Fetch `Request`, ready for your receiver's tests (Fetch handlers, Hono
 * `app.request()`, or `fetch()` against a local server).
 *
 * @example
 * ```ts
 * const request = await createSignedRequest({ body: JSON.stringify(fixture), secrets: TEST_SECRET });
 * const response = await app.fetch(request);
 * ```
 */
export async function createSignedRequest(options: SignedRequestOptions): Promise<Request> {
  const {
    url = 'http://127.0.0.1/webhooks',
    headers = { 'content-type': 'application/json' },
    ...signOptions
  } = options;
  const signed = await sign(signOptions);
  const body = normalizeBody(options.body);
  return new Request(url, {
    method: 'POST',
    headers: { ...headers, ...signed },
    body: body as BodyInit,
  });
}
