import { fromBase64, toBase64 } from '../internal/bytes.js';

/** A response as the HTTP middleware stores and replays it. */
export interface ResponseParts {
  readonly status: number;
  /** Lower-case names; only the replayed ones (see {@link DEFAULT_REPLAY_HEADERS}). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array;
}

/**
 * Response headers stored with an outcome and replayed: what describes the representation and
 * the created resource. `set-cookie` is never stored, even when listed (a replay must not hand
 * one client's session to another request, and cookies do not belong at rest).
 */
export const DEFAULT_REPLAY_HEADERS: readonly string[] = Object.freeze([
  'content-type',
  'content-language',
  'content-encoding',
  'content-location',
  'location',
  'etag',
  'last-modified',
  'link',
  'cache-control',
  'vary',
]);

/** The header that marks a replayed response. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * The default outcome policy: 2xx, 3xx and 4xx responses are stored and replayed, except 408,
 * 409, 425 and 429 (they say "try again", so a retry must run again); 1xx and 5xx are never
 * stored, so a retry after a server error executes again.
 *
 * @example
 * ```ts
 * isStoredStatus(201); // true
 * isStoredStatus(503); // false
 * ```
 */
export function isStoredStatus(status: number): boolean {
  if (status < 200 || status >= 500) return false;
  return status !== 408 && status !== 409 && status !== 425 && status !== 429;
}

/** Keeps the allowed headers, lower-cased, never `set-cookie`. @internal */
export function pickHeaders(
  entries: Iterable<readonly [string, string]>,
  allowed: ReadonlySet<string>,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (lower !== 'set-cookie' && allowed.has(lower)) out.push([lower, value]);
  }
  return out;
}

interface StoredShape {
  readonly s: number;
  readonly h: Array<[string, string]>;
  readonly b: string;
}

/** The JSON-safe form of a response. @internal */
export function toStored(parts: ResponseParts): StoredShape {
  return { s: parts.status, h: parts.headers.map(([n, v]) => [n, v]), b: toBase64(parts.body) };
}

/** A response back from its stored form, marked as replayed. @internal */
export function fromStored(stored: StoredShape): ResponseParts {
  return {
    status: stored.s,
    headers: [...stored.h, [REPLAYED_HEADER, 'true']],
    body: fromBase64(stored.b),
  };
}
