/** Longest header value looked at: real `RateLimit` fields are a few dozen bytes. */
const MAX_FIELD_LENGTH = 1_024;
const DELTA_SECONDS = /^\d{1,10}$/;

interface HeadersLike {
  get(name: string): string | null;
}

/**
 * The wait an exhausted rate limit announces, in ms, from IETF RateLimit fields
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit: "policy";r=0;t=30` (remaining 0, reset in
 * 30 s; several policies: the longest exhausted one wins) or the older `RateLimit-Remaining: 0`
 * with `RateLimit-Reset: 30`. A limit with quota left, a malformed or oversized field gives
 * `undefined`. Strict: only delta-seconds, no dates, no fractions. @internal
 */
export function rateLimitResetMs(headers: HeadersLike | undefined): number | undefined {
  if (headers === undefined) return undefined;
  const structured = field(headers, 'ratelimit');
  if (structured !== undefined) return fromStructured(structured);
  const remaining = field(headers, 'ratelimit-remaining');
  const reset = field(headers, 'ratelimit-reset');
  if (remaining?.trim() !== '0' || reset === undefined) return undefined;
  const trimmed = reset.trim();
  return DELTA_SECONDS.test(trimmed) ? Number(trimmed) * 1_000 : undefined;
}

function field(headers: HeadersLike, name: string): string | undefined {
  let value: unknown;
  try {
    value = headers.get(name);
  } catch {
    return undefined;
  }
  return typeof value === 'string' && value.length <= MAX_FIELD_LENGTH ? value : undefined;
}

function fromStructured(value: string): number | undefined {
  let longest: number | undefined;
  for (const item of value.split(',')) {
    const params = new Map<string, string>();
    for (const part of item.split(';').slice(1)) {
      const eq = part.indexOf('=');
      if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const remaining = params.get('r');
    const reset = params.get('t');
    if (remaining !== '0' || reset === undefined || !DELTA_SECONDS.test(reset)) continue;
    const ms = Number(reset) * 1_000;
    longest = longest === undefined ? ms : Math.max(longest, ms);
  }
  return longest;
}
