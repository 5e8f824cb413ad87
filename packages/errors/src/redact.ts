/** Options of {@link redact}. */
export interface RedactOptions {
  /** Extra key names whose values are masked (case- and separator-insensitive). */
  keys?: readonly string[] | undefined;
  /** Replacement for masked values (default `"[REDACTED]"`). */
  mask?: string | undefined;
  /** Deepest nesting copied; deeper values become `"[Truncated]"` (default 8). */
  maxDepth?: number | undefined;
  /** Longest string kept; longer ones are cut with an ellipsis (default 2048). */
  maxStringLength?: number | undefined;
  /** Most array items / object keys copied per level (default 100). */
  maxEntries?: number | undefined;
}

/** Key names masked by default, compared after lower-casing and removing `-`/`_`. */
export const DEFAULT_SECRET_KEYS: readonly string[] = /* @__PURE__ */ Object.freeze([
  'password',
  'passwd',
  'secret',
  'secrets',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'xapikey',
  'clientsecret',
  'privatekey',
  'signingkey',
  'webhooksecret',
  'credentials',
  'sessionid',
]);

/** String shapes that are secrets wherever they appear, even inside longer text. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bwhsec_[A-Za-z0-9+/=_-]{8,}/g,
  /\bwhpk_[A-Za-z0-9+/=_-]{8,}/g,
  /\bwhsk_[A-Za-z0-9+/=_-]{8,}/g,
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}/g,
  /\bre_[A-Za-z0-9_]{16,}/g,
  /\bSG\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\bkey-[a-f0-9]{24,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  /\b(?:ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{16,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/**
 * Words that follow "bearer" in prose ("Missing bearer token", "bearer tokens must…"): the
 * scheme named in a sentence, not a credential. Any other word after `Bearer` is masked.
 */
const BEARER_PROSE = new Set([
  'token',
  'tokens',
  'auth',
  'authentication',
  'authorization',
  'scheme',
  'header',
  'credential',
  'credentials',
]);

/** `Bearer <b64token>` (RFC 6750), the scheme matched in any case. */
const BEARER = /\bBearer\s+([A-Za-z0-9\-._~+/]+=*)/gi;
/** `Basic <base64>` (RFC 7617): masked only when the value decodes to `user:password`, so "Basic plan" stays. */
const BASIC = /\bBasic\s+([A-Za-z0-9+/]{2,}={0,2})(?![A-Za-z0-9+/=])/gi;

function isBasicCredential(value: string): boolean {
  try {
    return atob(value).includes(':');
  } catch {
    return false;
  }
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s.]/g, '');
}

/**
 * Masks secret-shaped substrings (bearer tokens, Basic credentials, `whsec_` secrets, provider
 * API keys, JWTs, private keys) in a string. Prose that names a scheme ("Missing bearer token",
 * "Basic authentication failed") is kept: only values are masked.
 *
 * @example
 * ```ts
 * redactString('auth failed for Bearer abc.def'); // 'auth failed for [REDACTED]'
 * ```
 */
export function redactString(text: string, mask = '[REDACTED]'): string {
  let out = text
    .replace(BEARER, (match, value: string) => (BEARER_PROSE.has(value.toLowerCase()) ? match : mask))
    .replace(BASIC, (match, value: string) => (isBasicCredential(value) ? mask : match));
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, mask);
  return out;
}

/**
 * Returns a JSON-safe deep copy of `value` with secrets masked: values under secret-looking
 * keys (defaults plus `options.keys`) and secret-shaped strings anywhere. Cycles become
 * `"[Circular]"`, bigints strings, functions and symbols are dropped, and depth, string
 * length and entry counts are capped so a hostile object cannot blow up a log line.
 *
 * @example
 * ```ts
 * redact({ user: 'ana', apiKey: 're_123', nested: { note: 'Bearer xyz' } });
 * // { user: 'ana', apiKey: '[REDACTED]', nested: { note: '[REDACTED]' } }
 * ```
 */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  const mask = options.mask ?? '[REDACTED]';
  const maxDepth = options.maxDepth ?? 8;
  const maxString = options.maxStringLength ?? 2048;
  const maxEntries = options.maxEntries ?? 100;
  const secretKeys = new Set([...DEFAULT_SECRET_KEYS, ...(options.keys ?? []).map(normalizeKey)]);
  const seen = new WeakSet<object>();

  const visit = (input: unknown, depth: number): unknown => {
    if (typeof input === 'string') {
      const cut = input.length > maxString ? `${input.slice(0, maxString)}…` : input;
      return redactString(cut, mask);
    }
    if (typeof input === 'bigint') return input.toString();
    if (typeof input === 'number') return Number.isFinite(input) ? input : String(input);
    if (input === null || typeof input === 'boolean') return input;
    if (typeof input !== 'object') return undefined;
    if (seen.has(input)) return '[Circular]';
    if (depth >= maxDepth) return '[Truncated]';
    seen.add(input);
    try {
      if (input instanceof Date) return Number.isNaN(input.getTime()) ? null : input.toISOString();
      if (input instanceof Error) return visit({ name: input.name, message: input.message }, depth);
      if (Array.isArray(input)) {
        return input.slice(0, maxEntries).map((item) => visit(item, depth + 1) ?? null);
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input).slice(0, maxEntries)) {
        const child = (input as Record<string, unknown>)[key];
        if (secretKeys.has(normalizeKey(key))) {
          out[key] = mask;
          continue;
        }
        const copied = visit(child, depth + 1);
        if (copied !== undefined) out[key] = copied;
      }
      return out;
    } finally {
      seen.delete(input);
    }
  };

  return visit(value, 0);
}
