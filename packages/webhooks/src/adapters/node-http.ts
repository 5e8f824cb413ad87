import { err } from '@bulwark/errors';
import { concatBytes } from '../internal/encoding.js';
import type { HeaderInput } from '../internal/headers.js';
import type { VerifiedWebhook, WebhookVerifierLike } from '../webhook-verifier.js';

/** A Node `IncomingMessage` (or anything with headers that yields body chunks). */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  readonly headers: HeaderInput;
  /** The path and query (Node `IncomingMessage.url`); URL-signing schemes need it. */
  readonly url?: string | undefined;
  /** The request method (Node `IncomingMessage.method`). */
  readonly method?: string | undefined;
}

/** Options of {@link readRawBody}. */
export interface ReadRawBodyOptions {
  /** Largest accepted body in bytes. Type: `number`. Default: `1_048_576` (1 MiB). */
  limitBytes?: number;
}

const DEFAULT_LIMIT = 1024 * 1024;
const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Reads a request body to bytes exactly as received, without decoding or parsing.
 *
 * @throws {payload_too_large} (`@bulwark/errors`, 413) when the body exceeds `limitBytes`.
 * @example
 * ```ts
 * const body = await readRawBody(req, { limitBytes: 256 * 1024 });
 * ```
 */
export async function readRawBody(
  request: AsyncIterable<Uint8Array | string>,
  options: ReadRawBodyOptions = {},
): Promise<Uint8Array> {
  const limit = options.limitBytes ?? DEFAULT_LIMIT;
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of request) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    length += bytes.length;
    if (length > limit) throw err('payload_too_large', { detail: `The webhook body exceeds ${limit} bytes` });
    chunks.push(bytes);
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

/**
 * Verifies a Node `http` request: reads the raw body, then verifies it with its headers.
 *
 * @throws {WebhookVerificationError} as `verify()`; `payload_too_large` above the limit.
 * @example
 * ```ts
 * http.createServer(async (req, res) => {
 *   try { const event = await verifyNodeRequest(verifier, req); res.end('ok'); } catch (e) { writeProblem(res, e); }
 * });
 * ```
 */
export async function verifyNodeRequest<T = VerifiedWebhook>(
  verifier: WebhookVerifierLike<T>,
  request: NodeRequestLike,
  options: ReadRawBodyOptions = {},
): Promise<T> {
  const body = await readRawBody(request, options);
  return verifier.verify({ headers: request.headers, body, url: request.url, method: request.method });
}
