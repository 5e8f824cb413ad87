import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-context.js';

/**
 * Fields that say when the server answered or when a probe last ran, not what the data is: the
 * dashboard computes relative times from its own copy of the server clock, so a body that differs
 * only in these is the same representation (hence a weak validator).
 */
const VOLATILE_KEYS = new Set(['now', 'ageMs', 'checkedAt', 'takenAtMs']);
const HAS_VOLATILE = /"(?:now|ageMs|checkedAt|takenAtMs)":/;
/**
 * A volatile member with a number, null or plain string value. Only a real key can match: inside
 * a JSON string every `"` is escaped, so `"now":` cannot occur there.
 */
const VOLATILE_MEMBER = /"(?:now|ageMs|checkedAt|takenAtMs)":(?:-?\d[\d.eE+-]*|null|"[^"\\]*")/g;

/** The body without its volatile members: cut out by pattern (~20x cheaper than a JSON round trip). */
function stableText(text: string): string {
  if (!HAS_VOLATILE.test(text)) return text;
  const stripped = text.replace(VOLATILE_MEMBER, '');
  if (!HAS_VOLATILE.test(stripped)) return stripped;
  // A volatile key with another kind of value: the slow, exact way.
  return JSON.stringify(JSON.parse(text), (key, value) => (VOLATILE_KEYS.has(key) ? undefined : value));
}

/** The weak ETag of a JSON body: a SHA-256 prefix of the body without its volatile fields. */
export function jsonEtag(text: string): string {
  return `W/"${createHash('sha256').update(stableText(text)).digest('base64url').slice(0, 22)}"`;
}

/** Whether an `If-None-Match` value matches `etag` under the weak comparison (RFC 9110 §13.1.2). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === opaque;
  });
}

/**
 * Conditional GET for polled JSON routes: a 200 JSON answer without its own ETag gets one (see
 * {@link jsonEtag}) and becomes a bodiless 304 when the request's `If-None-Match` matches it.
 * The handler still runs (its data has no version counter); what a poll saves is the body on
 * the wire, its parsing and the page's redraw. Answers that already carry an ETag (the history,
 * static files), non-200 answers and the probes' `application/health+json` (load balancers poll
 * them without validators, `no-store`) pass through untouched.
 *
 * @example
 * ```ts
 * app.use('/admin/*', conditionalGet());
 * ```
 */
export function conditionalGet(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (c.req.method !== 'GET' || res.status !== 200 || res.headers.has('etag')) return;
    if (!res.headers.get('content-type')?.startsWith('application/json')) return;
    const text = await res.text();
    const etag = jsonEtag(text);
    const headers = new Headers(res.headers);
    headers.set('etag', etag);
    if (!headers.has('cache-control')) headers.set('cache-control', 'private, no-cache');
    headers.set('vary', 'authorization');
    if (etagMatches(c.req.header('if-none-match'), etag)) {
      headers.delete('content-type');
      headers.delete('content-length');
      c.res = undefined;
      c.res = new Response(null, { status: 304, headers });
      return;
    }
    c.res = undefined;
    c.res = new Response(text, { status: 200, headers });
  };
}
