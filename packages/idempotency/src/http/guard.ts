import { PROBLEM_CONTENT_TYPE, toProblem } from '@bulwark/errors';
import { canonicalJson } from '../canonical-json.js';
import { idempotencyErrors } from '../errors/codes.js';
import type { Execution } from '../execution.js';
import { type FingerprintMode, requestFingerprint } from '../fingerprint.js';
import type { Idempotency, WaitOptions } from '../idempotency.js';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey } from '../idempotency-key.js';
import { utf8 } from '../internal/bytes.js';
import {
  DEFAULT_REPLAY_HEADERS,
  fromStored,
  isStoredStatus,
  pickHeaders,
  type ResponseParts,
  toStored,
} from './stored-response.js';

/** Options shared by every HTTP adapter; `R` is the adapter's request type. */
export interface HttpIdempotencyOptions<R = unknown> {
  /** Methods guarded; others pass through untouched. @defaultValue ['POST', 'PATCH'] */
  readonly methods?: readonly string[] | undefined;
  /** Answer 400 `idempotency_key_missing` when the header is absent (else pass through). @defaultValue true */
  readonly required?: boolean | undefined;
  /**
   * Whose key it is (API client, account). Keys are scoped by it; without one, every client shares
   * one key space. Return `undefined` for an anonymous request.
   */
  readonly principal?: ((request: R) => string | undefined | Promise<string | undefined>) | undefined;
  /**
   * What makes two requests with one key "the same", besides method and path: `raw` (default) the
   * body bytes; `json` canonical JSON when the body parses (see `requestFingerprint`); or a function
   * returning the part of the request that matters (e.g. `(req) => canonicalJson(pick(req.body))`,
   * for payloads with volatile fields such as timestamps).
   */
  readonly fingerprint?: FingerprintMode | ((request: R) => string | Promise<string>) | undefined;
  /** Longest key, in characters. @defaultValue 255 */
  readonly maxKeyLength?: number | undefined;
  /** Which statuses are stored and replayed. @defaultValue {@link isStoredStatus} */
  readonly storeStatus?: ((status: number) => boolean) | undefined;
  /** Response headers stored and replayed (never `set-cookie`). @defaultValue {@link DEFAULT_REPLAY_HEADERS} */
  readonly replayHeaders?: readonly string[] | undefined;
  /** Larger response bodies are not stored (the lock is released). @defaultValue 1048576 */
  readonly maxBodyBytes?: number | undefined;
  /** Wait for a concurrent request with the same key instead of answering 409. */
  readonly wait?: WaitOptions | undefined;
  /** Documentation of the idempotency contract, sent as `Link: <…>; rel="describedby"` on errors. */
  readonly docsUrl?: string | undefined;
}

/** What an adapter knows about a request. @internal */
export interface HttpRequestInfo {
  readonly method: string;
  readonly path: string;
  header(name: string): string | readonly string[] | undefined | null;
  /** The body as bytes, or as a parsed value (fingerprinted as canonical JSON). */
  body(): Promise<Uint8Array | { readonly parsed: unknown }>;
  readonly signal?: AbortSignal | undefined;
}

/** The guard's verdict. @internal */
export type GuardOutcome =
  | { readonly kind: 'pass' }
  | { readonly kind: 'respond'; readonly response: ResponseParts }
  | {
      readonly kind: 'execute';
      /** Stores the response when its status and size allow, else releases; never rejects. */
      finish(response: ResponseParts | undefined): Promise<void>;
    };

/** An error as a problem+json response. @internal */
export function problemParts(error: unknown, docsUrl: string | undefined): ResponseParts {
  const problem = toProblem(error);
  const headers: Array<[string, string]> = [
    ['content-type', PROBLEM_CONTENT_TYPE],
    ['cache-control', 'no-store'],
  ];
  const ms = problem.retryAfterMs;
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)
    headers.push(['retry-after', String(Math.ceil(ms / 1000))]);
  if (docsUrl !== undefined) headers.push(['link', `<${docsUrl}>; rel="describedby"`]);
  return { status: problem.status, headers, body: utf8(JSON.stringify(problem)) };
}

/** Resolves the options once and returns the per-request guard. @internal */
export function createHttpGuard<R>(
  idempotency: Idempotency,
  options: HttpIdempotencyOptions<R>,
): (info: HttpRequestInfo, request: R) => Promise<GuardOutcome> {
  const methods = new Set((options.methods ?? ['POST', 'PATCH']).map((m) => m.toUpperCase()));
  const required = options.required ?? true;
  const mode = options.fingerprint ?? 'raw';
  const storeStatus = options.storeStatus ?? isStoredStatus;
  const allowed = new Set((options.replayHeaders ?? DEFAULT_REPLAY_HEADERS).map((h) => h.toLowerCase()));
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const { docsUrl, wait } = options;
  const parseOptions = { maxLength: options.maxKeyLength };

  const custom = typeof mode === 'function' ? mode : undefined;

  async function fingerprintOf(info: HttpRequestInfo, request: R): Promise<string> {
    if (custom) {
      const selected = await custom(request);
      if (typeof selected !== 'string') throw new TypeError('Expected the `fingerprint` function to return a string');
      return requestFingerprint({ method: info.method, path: info.path, body: selected, mode: 'raw' });
    }
    const body = await info.body();
    if (body instanceof Uint8Array) {
      return requestFingerprint({ method: info.method, path: info.path, body, mode: mode as FingerprintMode });
    }
    const canonical = canonicalJson(body.parsed);
    return requestFingerprint({ method: info.method, path: info.path, body: canonical, mode: 'raw' });
  }

  return async (info, request) => {
    if (!methods.has(info.method.toUpperCase())) return { kind: 'pass' };
    let key: string | undefined;
    try {
      key = parseIdempotencyKey(info.header(IDEMPOTENCY_KEY_HEADER), parseOptions);
      if (key === undefined && required) {
        throw idempotencyErrors.err('idempotency_key_missing', {
          detail: 'This operation requires an Idempotency-Key header',
        });
      }
    } catch (error) {
      return { kind: 'respond', response: problemParts(error, docsUrl) };
    }
    if (key === undefined) return { kind: 'pass' };
    // Outside the problem mapping: a misconfiguration (no body available) must surface as itself.
    const principal = (await options.principal?.(request)) ?? '';
    const fingerprint = await fingerprintOf(info, request);
    let execution: Execution;
    try {
      const claim = await idempotency.begin(key, { principal, fingerprint, wait, signal: info.signal });
      if (claim.replayed)
        return { kind: 'respond', response: fromStored(claim.value as Parameters<typeof fromStored>[0]) };
      execution = claim;
    } catch (error) {
      return { kind: 'respond', response: problemParts(error, docsUrl) };
    }
    return {
      kind: 'execute',
      finish(response) {
        if (!response || !storeStatus(response.status) || response.body.length > maxBodyBytes) {
          return execution.release();
        }
        const stored = { ...response, headers: pickHeaders(response.headers, allowed) };
        return execution.complete(toStored(stored)).then(() => undefined);
      },
    };
  };
}
