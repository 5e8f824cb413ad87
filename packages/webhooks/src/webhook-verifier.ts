import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import { constantTimeEqualString } from './constant-time-equal.js';
import type { Ed25519PublicKey, PublicKeyInput } from './ed25519.js';
import { ed25519Verify } from './ed25519.js';
import {
  isWebhookReplayStoreError,
  WebhookReplayStoreError,
  type WebhookVerificationError,
} from './errors/webhook-error.js';
import { type BodyInput, normalizeBody } from './internal/body.js';
import { type Chunk, type CryptoPreference, selectEngine } from './internal/crypto-engine.js';
import { deferredRejection } from './internal/deferred-rejection.js';
import { mismatchDiagnostics } from './internal/diagnostics.js';
import { fromBase64 } from './internal/encoding.js';
import { type HeaderInput, readHeader, requireHeader } from './internal/headers.js';
import { type IdentifiedKey, resolvePublicKeys, resolveSecrets, type SecretsOption } from './internal/key-set.js';
import type { MaybePromise } from './internal/maybe-async.js';
import { type HeaderSignature, parseBulwarkSignatures, parseStandardSignatures } from './internal/signature-header.js';
import { joinChunks, signedChunks } from './internal/signed-content.js';
import { checkTolerance, parseTimestamp, type Tolerance } from './internal/timestamp.js';
import { verificationError } from './internal/verification-error.js';
import type { ReplayStore } from './replay-store.js';
import {
  BULWARK_HEADERS,
  ID_PATTERN,
  NONCE_PATTERN,
  STANDARD_HEADERS,
  SVIX_HEADERS,
  type WebhookScheme,
} from './schemes.js';
import type { WebhookSecret } from './secret.js';

/** Configuration of a verifier (validated once by {@link createWebhookVerifier}). */
export interface WebhookVerifierOptions {
  /** Signature scheme. Type: `'bulwark' | 'standard'`. Default: `'bulwark'`. */
  scheme?: WebhookScheme;
  /** HMAC secrets: one, a list (rotation; `keyId` is the index unless the secret has an id) or a keyring. */
  secrets?: SecretsOption;
  /** Ed25519 public keys accepted for Standard Webhooks `v1a` signatures. */
  publicKeys?: PublicKeyInput | readonly PublicKeyInput[];
  /** Accepted clock skew. Type: `{ pastSec, futureSec }`. Default: `{ pastSec: 300, futureSec: 300 }`. */
  tolerance?: Tolerance;
  /** Time source. Type: `Clock`. Default: `systemClock`. */
  clock?: Clock;
  /** Rejects a second delivery of the same id/nonce within the tolerance window. Default: none. */
  replayStore?: ReplayStore;
  /** `auto` uses node:crypto when available, else Web Crypto. Type: `'auto' | 'webcrypto'`. Default: `'auto'`. */
  crypto?: CryptoPreference;
}

/** A received webhook: headers and the raw body, byte-exact. */
export interface WebhookInput {
  /** WHATWG `Headers`, Node `IncomingHttpHeaders` or a plain record. */
  readonly headers: HeaderInput;
  /** The raw body: string, `Uint8Array`/`Buffer`, `ArrayBuffer`. Never a parsed object. */
  readonly body: BodyInput;
  /**
   * The request URL (absolute, or a path with the inbound verifier's `publicOrigin`): read only
   * by provider schemes that sign it (Twilio, HubSpot). The adapters pass it.
   */
  readonly url?: string | undefined;
  /** The request method, read only by schemes that sign it (HubSpot). The adapters pass it. */
  readonly method?: string | undefined;
}

/** A Fetch `Request` (or anything with `headers` and `arrayBuffer()`); its body is consumed. */
export interface RequestLike {
  readonly headers: HeaderInput;
  /** The absolute request URL (a Fetch `Request` has it). */
  readonly url?: string | undefined;
  /** The request method (a Fetch `Request` has it). */
  readonly method?: string | undefined;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** What a successful verification reports. */
export interface VerifiedWebhook {
  /** The scheme that verified. */
  readonly scheme: WebhookScheme;
  /** The signature version that matched: `v1` (HMAC) or `v1a` (Ed25519). */
  readonly version: 'v1' | 'v1a';
  /** The nonce (bulwark) or `webhook-id` (standard). */
  readonly id: string;
  /** The signed timestamp, Unix seconds. */
  readonly timestamp: number;
  /** Id of the key that matched, so the old key can be retired once it stops matching. */
  readonly keyId: string;
  /** The raw body as received (string or bytes); parse it yourself, e.g. `JSON.parse`. */
  readonly body: string | Uint8Array;
}

/**
 * Anything the receiver adapters can run: a {@link WebhookVerifier} (resolving
 * {@link VerifiedWebhook}) or a provider verifier from `@bulwark/webhooks/inbound`.
 *
 * @example
 * ```ts
 * const verifiers: WebhookVerifierLike<unknown>[] = [createWebhookVerifier({ secrets: process.env.WEBHOOK_SECRET! })];
 * ```
 */
export interface WebhookVerifierLike<T> {
  verify(input: WebhookInput | RequestLike): Promise<T>;
}

/** A configured verifier. */
export interface WebhookVerifier {
  /**
   * Verifies one webhook.
   * @throws {WebhookVerificationError} with a code of {@link WebhookVerificationErrorCode}.
   */
  verify(input: WebhookInput | RequestLike): Promise<VerifiedWebhook>;
}

const DEFAULT_TOLERANCE_SEC = 300;
const MAX_TOLERANCE_SEC = 7 * 24 * 3600;

/** One message under verification (headers parsed, timestamp within tolerance). */
interface Message {
  readonly names: HeaderNames;
  readonly id: string;
  readonly timestamp: number;
  readonly body: string | Uint8Array;
  readonly signatures: readonly HeaderSignature[];
  readonly nowMs: number;
}

/** A replay store's failure as a typed, retryable 503 (its own typed errors pass through). */
function storeFailure(error: unknown): WebhookReplayStoreError {
  if (isWebhookReplayStoreError(error)) return error;
  return new WebhookReplayStoreError('webhook_replay_store_unavailable', {
    detail: 'The replay store failed; the webhook was not accepted',
    cause: error,
  });
}

/** Whether `mac` equals any v1 signature; every signature is compared, each in constant time. */
function macMatches(mac: string, signatures: readonly HeaderSignature[]): boolean {
  let matched = false;
  for (const signature of signatures) {
    if (signature.version === 'v1') matched = constantTimeEqualString(mac, signature.value) || matched;
  }
  return matched;
}

function isRequestLike(input: WebhookInput | RequestLike): input is RequestLike {
  return typeof (input as RequestLike).arrayBuffer === 'function';
}

interface HeaderNames {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

// Built by a call marked pure: a bundle without the verifier then drops it with its reads of BULWARK_HEADERS.
const BULWARK_NAMES: HeaderNames = /* @__PURE__ */ bulwarkNames();

function bulwarkNames(): HeaderNames {
  return { id: BULWARK_HEADERS.nonce, timestamp: BULWARK_HEADERS.timestamp, signature: BULWARK_HEADERS.signature };
}

/** Standard Webhooks names, or the svix-* ones when only those carry a signature. */
function standardNames(headers: HeaderInput): HeaderNames {
  if (readHeader(headers, STANDARD_HEADERS.signature) !== undefined) return STANDARD_HEADERS;
  return readHeader(headers, SVIX_HEADERS.signature) !== undefined ? SVIX_HEADERS : STANDARD_HEADERS;
}

/**
 * Creates a verifier: options are validated and secrets parsed once, keys cached. On Node the
 * whole check runs synchronously on node:crypto inside one promise.
 *
 * @throws {TypeError|RangeError} for invalid options (naming the option).
 * @throws {webhook_secret_malformed} for an invalid secret or public key.
 * @example
 * ```ts
 * const verifier = createWebhookVerifier({ secrets: process.env.WEBHOOK_SECRET!, replayStore: createMemoryReplayStore() });
 * const { id, keyId, body } = await verifier.verify(request);
 * ```
 */
export function createWebhookVerifier(options: WebhookVerifierOptions): WebhookVerifier {
  const scheme = options.scheme ?? 'bulwark';
  if (scheme !== 'bulwark' && scheme !== 'standard') {
    throw new TypeError(`Expected \`scheme\` to be 'bulwark' or 'standard', got ${String(scheme)}`);
  }
  const pastSec = options.tolerance?.pastSec ?? DEFAULT_TOLERANCE_SEC;
  const futureSec = options.tolerance?.futureSec ?? DEFAULT_TOLERANCE_SEC;
  assertNumberOption('tolerance.pastSec', pastSec, { min: 0, max: MAX_TOLERANCE_SEC, integer: true });
  assertNumberOption('tolerance.futureSec', futureSec, { min: 0, max: MAX_TOLERANCE_SEC, integer: true });
  if (options.secrets === undefined && options.publicKeys === undefined) {
    throw new TypeError('Expected `secrets` (HMAC) or `publicKeys` (Ed25519) to be given');
  }
  if (options.publicKeys !== undefined && scheme !== 'standard') {
    throw new TypeError("Expected `publicKeys` only with `scheme: 'standard'` (Ed25519 is Standard Webhooks v1a)");
  }
  const secretsAt = options.secrets === undefined ? () => [] : resolveSecrets(options.secrets);
  const publicKeys: readonly IdentifiedKey<Ed25519PublicKey>[] =
    options.publicKeys === undefined ? [] : resolvePublicKeys(options.publicKeys);
  const clock = options.clock ?? systemClock;
  const replayStore = options.replayStore;
  const engine = selectEngine(options.crypto ?? 'auto');
  const replayTtlMs = (pastSec + futureSec) * 1000;
  const bulwark = scheme === 'bulwark';
  const idPattern = bulwark ? NONCE_PATTERN : ID_PATTERN;
  const parseSignatures = bulwark ? parseBulwarkSignatures : parseStandardSignatures;
  const encoding = bulwark ? 'hex' : 'base64';

  /** The id of the first key whose MAC equals a v1 signature; synchronous on node:crypto. */
  function matchHmac(
    keys: readonly IdentifiedKey<WebhookSecret>[],
    signatures: readonly HeaderSignature[],
    chunks: readonly Chunk[],
    from = 0,
  ): MaybePromise<string | undefined> {
    for (let i = from; i < keys.length; i++) {
      const entry = keys[i]!;
      const mac = engine.hmacSha256(entry.key, chunks, encoding);
      if (typeof mac !== 'string') {
        return mac.then((m) => (macMatches(m, signatures) ? entry.keyId : matchHmac(keys, signatures, chunks, i + 1)));
      }
      if (macMatches(mac, signatures)) return entry.keyId;
    }
    return undefined;
  }

  async function matchEd25519(
    signatures: readonly HeaderSignature[],
    chunks: readonly Chunk[],
  ): Promise<string | undefined> {
    const message = joinChunks(chunks);
    for (const { key, keyId } of publicKeys) {
      for (const signature of signatures) {
        if (signature.version !== 'v1a') continue;
        if (await ed25519Verify(key, fromBase64(signature.value) as Uint8Array, message)) return keyId;
      }
    }
    return undefined;
  }

  function accept(message: Message, version: 'v1' | 'v1a', keyId: string): MaybePromise<VerifiedWebhook> {
    const { id, timestamp, body } = message;
    const result: VerifiedWebhook = Object.freeze({ scheme, version, id, timestamp, keyId, body });
    if (!replayStore) return result;
    let claimed: MaybePromise<boolean>;
    try {
      claimed = replayStore.claim(`${scheme}:${id}`, replayTtlMs, message.nowMs);
    } catch (error) {
      throw storeFailure(error);
    }
    const decide = (fresh: boolean): VerifiedWebhook => {
      if (fresh) return result;
      throw verificationError('webhook_replayed', {
        detail: `Message ${message.names.id} was already accepted within the tolerance window`,
      });
    };
    return claimed instanceof Promise
      ? claimed.then(decide, (error: unknown) => {
          throw storeFailure(error);
        })
      : decide(claimed);
  }

  function afterHmac(
    message: Message,
    chunks: readonly Chunk[],
    keyId: string | undefined,
  ): MaybePromise<VerifiedWebhook> {
    if (keyId !== undefined) return accept(message, 'v1', keyId);
    const { signatures, names } = message;
    if (publicKeys.length > 0 && signatures.some((s) => s.version === 'v1a')) {
      return matchEd25519(signatures, chunks).then((edKeyId) => {
        if (edKeyId === undefined) throw mismatchDiagnostics(signatures.length, names.signature);
        return accept(message, 'v1a', edKeyId);
      });
    }
    // Returned, not thrown: unwinding the stack costs a forged request more than its MAC did; and
    // rejected once the caller listens (see deferredRejection).
    return deferredRejection(mismatchDiagnostics(signatures.length, names.signature));
  }

  function afterChunks(message: Message, chunks: readonly Chunk[]): MaybePromise<VerifiedWebhook> {
    const keyId = matchHmac(secretsAt(message.nowMs), message.signatures, chunks);
    return keyId instanceof Promise
      ? keyId.then((k) => afterHmac(message, chunks, k))
      : afterHmac(message, chunks, keyId);
  }

  /** Adds a hint to `webhook_header_missing` when the other scheme's signature header is present. */
  function withSchemeHint(error: WebhookVerificationError, headers: HeaderInput): WebhookVerificationError {
    if (error.code !== 'webhook_header_missing') return error;
    const other = bulwark
      ? (readHeader(headers, STANDARD_HEADERS.signature) ?? readHeader(headers, SVIX_HEADERS.signature))
      : readHeader(headers, BULWARK_HEADERS.signature);
    if (other === undefined) return error;
    const otherScheme = bulwark ? 'standard' : 'bulwark';
    return verificationError('webhook_header_missing', {
      detail: `${error.detail}; the request carries ${bulwark ? 'Standard Webhooks' : 'Bulwark'} headers: verify it with scheme '${otherScheme}'`,
      extensions: { hint: `scheme_${otherScheme}` },
    });
  }

  function check(headers: HeaderInput, body: string | Uint8Array): MaybePromise<VerifiedWebhook> {
    const names = bulwark ? BULWARK_NAMES : standardNames(headers);
    let rawTimestamp: string;
    let id: string;
    let rawSignature: string;
    try {
      rawTimestamp = requireHeader(headers, names.timestamp);
      id = requireHeader(headers, names.id);
      rawSignature = requireHeader(headers, names.signature);
    } catch (error) {
      throw withSchemeHint(error as WebhookVerificationError, headers);
    }
    const timestamp = parseTimestamp(rawTimestamp, names.timestamp);
    if (!idPattern.test(id)) {
      throw verificationError('webhook_header_malformed', {
        detail: bulwark
          ? `Header ${names.id} must be 1-128 characters of A-Z a-z 0-9 _ -`
          : `Header ${names.id} must be 1-256 visible ASCII characters`,
      });
    }
    const signatures = parseSignatures(rawSignature, names.signature);
    const nowMs = clock.now();
    checkTolerance(timestamp, nowMs, pastSec, futureSec);
    const message: Message = { names, id, timestamp, body, signatures, nowMs };
    // The raw header equals String(timestamp): the grammar admits no other spelling.
    const chunks = signedChunks(engine, scheme, id, rawTimestamp, body);
    return chunks instanceof Promise ? chunks.then((c) => afterChunks(message, c)) : afterChunks(message, chunks);
  }

  function verify(input: WebhookInput | RequestLike): Promise<VerifiedWebhook> {
    try {
      if (typeof input !== 'object' || input === null) {
        throw verificationError('webhook_body_unsupported', {
          detail: 'Expected `{ headers, body }` or a Request',
        });
      }
      if (isRequestLike(input)) {
        return input.arrayBuffer().then((buffer) => check(input.headers, new Uint8Array(buffer)));
      }
      return Promise.resolve(check(input.headers, normalizeBody(input.body)));
    } catch (error) {
      return deferredRejection(error);
    }
  }

  return Object.freeze({ verify });
}
