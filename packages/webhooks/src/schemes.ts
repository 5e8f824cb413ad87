/** The signature schemes: `bulwark` (v1, this package's scheme) and `standard` (Standard Webhooks). */
export type WebhookScheme = 'bulwark' | 'standard';

/**
 * Header names of the Bulwark v1 scheme (see `docs/webhook-signing.md`).
 *
 * @example
 * ```ts
 * request.headers.get(BULWARK_HEADERS.signature);
 * ```
 */
export const BULWARK_HEADERS = /* @__PURE__ */ Object.freeze({
  timestamp: 'bulwark-timestamp',
  nonce: 'bulwark-nonce',
  signature: 'bulwark-signature',
} as const);

/**
 * Header names of Standard Webhooks. On verify, the `svix-*` names (sent by Svix and Resend)
 * are read when the `webhook-*` ones are absent.
 *
 * @example
 * ```ts
 * request.headers.get(STANDARD_HEADERS.id);
 * ```
 */
export const STANDARD_HEADERS = /* @__PURE__ */ Object.freeze({
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const);

/** @internal The legacy Svix names of the Standard Webhooks headers. */
export const SVIX_HEADERS = /* @__PURE__ */ Object.freeze({
  id: 'svix-id',
  timestamp: 'svix-timestamp',
  signature: 'svix-signature',
} as const);

/** Bulwark nonces: 1-128 characters of the base64url alphabet (no `.`, so the canonical string is unambiguous). */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** Standard Webhooks ids: 1-256 visible ASCII characters, no spaces. */
export const ID_PATTERN = /^[\x21-\x7e]{1,256}$/;
