import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import { constantTimeEqualString } from '../constant-time-equal.js';
import { isWebhookReplayStoreError, WebhookReplayStoreError } from '../errors/webhook-error.js';
import { normalizeBody } from '../internal/body.js';
import { type CryptoPreference, selectEngine } from '../internal/crypto-engine.js';
import type { Chunk, CryptoEngine } from '../internal/crypto-types.js';
import type { IdentifiedKey } from '../internal/key-set.js';
import type { MaybePromise } from '../internal/maybe-async.js';
import { checkTolerance, type Tolerance } from '../internal/timestamp.js';
import { verificationError } from '../internal/verification-error.js';
import type { ReplayStore } from '../replay-store.js';
import type { WebhookSecret } from '../secret.js';
import type { RequestLike, WebhookInput } from '../webhook-verifier.js';
import type { InboundPreset, InboundProvider, ParsedDelivery } from './preset.js';
import { presetFor } from './presets/index.js';
import { type ProviderSecretsOption, resolveProviderSecrets } from './provider-secrets.js';
import { validatePublicOrigin } from './signed-url.js';

/**
 * Configuration of {@link createInboundVerifier} (validated once).
 *
 * @example
 * ```ts
 * const options: InboundVerifierOptions = {
 *   provider: 'twilio',
 *   secrets: process.env.TWILIO_AUTH_TOKEN!,
 *   publicOrigin: 'https://hooks.example.com', // Twilio signs the URL it called
 * };
 * ```
 */
export interface InboundVerifierOptions {
  /** Which provider's scheme to verify. Type: `'stripe' | 'github' | 'meta' | 'shopify' | 'slack' | 'twilio' | 'hubspot'`. */
  provider: InboundProvider;
  /** The provider's secret(s), exactly as the provider shows them; several during a rotation. */
  secrets: ProviderSecretsOption;
  /**
   * Accepted clock skew, for the schemes that sign a timestamp (Stripe, Slack, HubSpot).
   * Type: `{ pastSec, futureSec }`. Default: `{ pastSec: 300, futureSec: 300 }`. Rejected for the others.
   */
  tolerance?: Tolerance;
  /** Time source. Type: `Clock`. Default: `systemClock`. */
  clock?: Clock;
  /**
   * Rejects a second acceptance of the same signed message (keyed by its MAC). Timestamped
   * schemes keep keys for the tolerance window; the others need `replayTtlSec`. Default: none.
   */
  replayStore?: ReplayStore;
  /**
   * How long a replay store remembers a message of a scheme that signs no timestamp (GitHub,
   * Meta, Shopify, Twilio); required with `replayStore` there, rejected elsewhere. Type: `number`
   * (1-2592000). Default: none.
   */
  replayTtlSec?: number;
  /**
   * The scheme, host and port the provider calls (e.g. `'https://hooks.example.com'`), for the
   * schemes that sign the URL (Twilio, HubSpot) when the server sees another origin (a proxy)
   * or only a path (Node, Express). Type: `string`. Default: the request's own absolute URL.
   */
  publicOrigin?: string;
  /** `auto` uses node:crypto when available, else Web Crypto. Type: `'auto' | 'webcrypto'`. Default: `'auto'`. */
  crypto?: CryptoPreference;
}

/**
 * A webhook a provider preset verified.
 *
 * @example
 * ```ts
 * const { keyId, deliveryId, body }: InboundWebhook = await github.verify(request);
 * ```
 */
export interface InboundWebhook {
  /** The provider whose scheme verified. */
  readonly provider: InboundProvider;
  /** Id of the secret that matched (the entry's `id`, or its index), so an old secret can be retired. */
  readonly keyId: string;
  /** The signed timestamp in Unix ms (Stripe, Slack, HubSpot); undefined for schemes that sign none. */
  readonly timestampMs: number | undefined;
  /**
   * The provider's delivery id header when it sends one (`X-GitHub-Delivery`,
   * `X-Shopify-Webhook-Id`, `I-Twilio-Idempotency-Token`). Not covered by the signature: use it
   * to deduplicate retries, never to trust anything.
   */
  readonly deliveryId: string | undefined;
  /** The raw body as received (string or bytes); parse it yourself. */
  readonly body: string | Uint8Array;
}

/**
 * A configured provider verifier; its `verify` plugs into every receiver adapter.
 *
 * @example
 * ```ts
 * const shopify: InboundVerifier = createInboundVerifier({ provider: 'shopify', secrets: process.env.SHOPIFY_CLIENT_SECRET! });
 * app.post('/webhooks/shopify', expressWebhook(shopify), (req, res) => res.sendStatus(200));
 * ```
 */
export interface InboundVerifier {
  /** The provider this verifier checks. */
  readonly provider: InboundProvider;
  /**
   * Verifies one webhook: `{ headers, body, url?, method? }` or a Fetch `Request`.
   * @throws {WebhookVerificationError} with a stable `code`; {@link WebhookReplayStoreError} (503).
   */
  verify(input: WebhookInput | RequestLike): Promise<InboundWebhook>;
}

const DEFAULT_TOLERANCE_SEC = 300;
const MAX_TOLERANCE_SEC = 7 * 24 * 3600;
const MAX_REPLAY_TTL_SEC = 30 * 24 * 3600;

/** The result, or `webhook_replayed` when the store already held the message. */
function replayDecision(fresh: boolean, result: InboundWebhook): InboundWebhook {
  if (fresh) return result;
  throw verificationError('webhook_replayed', {
    detail: 'This signed message was already accepted within the replay window',
  });
}

function storeFailure(error: unknown): WebhookReplayStoreError {
  if (isWebhookReplayStoreError(error)) return error;
  return new WebhookReplayStoreError('webhook_replay_store_unavailable', {
    detail: 'The replay store failed; the webhook was not accepted',
    cause: error,
  });
}

function isRequestLike(input: WebhookInput | RequestLike): input is RequestLike {
  return typeof (input as RequestLike).arrayBuffer === 'function';
}

/** The first of `macs` equal to a signature; every one is compared. */
function firstEqual(macs: readonly (string | Promise<string>)[], signatures: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const mac of macs as readonly string[]) if (anyEqual(mac, signatures) && found === undefined) found = mac;
  return found;
}

/** Whether `mac` equals any signature; every signature is compared, each in constant time. */
function anyEqual(mac: string, signatures: readonly string[]): boolean {
  let matched = false;
  for (const signature of signatures) matched = constantTimeEqualString(mac, signature) || matched;
  return matched;
}

interface Match {
  readonly keyId: string;
  readonly mac: string;
}

function validateOptions(options: InboundVerifierOptions, preset: InboundPreset): void {
  const timestamped = preset.toleranceSec !== undefined;
  if (options.tolerance !== undefined && !timestamped) {
    throw new TypeError(`Expected no \`tolerance\`: ${preset.provider} signs no timestamp`);
  }
  if (options.replayTtlSec !== undefined) {
    if (timestamped) {
      throw new TypeError(
        `Expected no \`replayTtlSec\`: ${preset.provider} signs a timestamp, so replay keys live for the tolerance window`,
      );
    }
    assertNumberOption('replayTtlSec', options.replayTtlSec, { min: 1, max: MAX_REPLAY_TTL_SEC, integer: true });
  } else if (options.replayStore !== undefined && !timestamped) {
    throw new TypeError(
      `Expected \`replayTtlSec\` with \`replayStore\`: ${preset.provider} signs no timestamp, so say how long a message is remembered`,
    );
  }
  if (options.publicOrigin !== undefined) {
    if (!preset.signsUrl) throw new TypeError(`Expected no \`publicOrigin\`: ${preset.provider} does not sign the URL`);
    validatePublicOrigin(options.publicOrigin);
  }
}

/**
 * Creates a verifier for one provider's webhook signatures (Stripe, GitHub, Meta/WhatsApp,
 * Shopify, Slack, Twilio, HubSpot v3) with the guarantees of `createWebhookVerifier`:
 * byte-exact bodies, constant-time comparison, several secrets reporting which matched, a
 * replay store, typed errors, Web Crypto everywhere and node:crypto on Node. Options are
 * validated and secrets parsed once. The result plugs into every receiver adapter.
 *
 * @throws {TypeError|RangeError} for invalid options (naming the option).
 * @throws {webhook_secret_malformed} for an empty or misshapen secret (e.g. a Stripe secret
 *   without `whsec_`).
 * @example
 * ```ts
 * import { createInboundVerifier } from '@bulwark/webhooks/inbound';
 *
 * const stripe = createInboundVerifier({ provider: 'stripe', secrets: process.env.STRIPE_WEBHOOK_SECRET! });
 * export async function POST(request: Request): Promise<Response> {
 *   const { keyId, body } = await stripe.verify(request); // throws WebhookVerificationError with a stable `code`
 *   return Response.json({ keyId, bytes: body.length });
 * }
 * ```
 */
export function createInboundVerifier(options: InboundVerifierOptions): InboundVerifier {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected an options object');
  const preset = presetFor(options.provider);
  validateOptions(options, preset);
  const pastSec = options.tolerance?.pastSec ?? preset.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const futureSec = options.tolerance?.futureSec ?? preset.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  assertNumberOption('tolerance.pastSec', pastSec, { min: 0, max: MAX_TOLERANCE_SEC, integer: true });
  assertNumberOption('tolerance.futureSec', futureSec, { min: 0, max: MAX_TOLERANCE_SEC, integer: true });
  const keys = resolveProviderSecrets(options.secrets, preset.checkSecret);
  const clock = options.clock ?? systemClock;
  const replayStore = options.replayStore;
  const replayTtlMs =
    preset.toleranceSec === undefined ? (options.replayTtlSec ?? 0) * 1000 : (pastSec + futureSec) * 1000;
  const publicOrigin = options.publicOrigin;
  const engine: CryptoEngine = selectEngine(options.crypto ?? 'auto');
  const mac = preset.algorithm === 'sha1' ? engine.hmacSha1 : engine.hmacSha256;
  const { encoding, provider } = preset;

  /**
   * The MAC of `key` over every message variant that equals a signature, if any. Every variant
   * is MACed and compared (Twilio's with/without-port URLs), so a forged request costs what a
   * valid one does. No closure is created on the synchronous (node:crypto) path.
   */
  function matchKey(
    key: WebhookSecret,
    signatures: readonly string[],
    messages: readonly (readonly Chunk[])[],
  ): MaybePromise<string | undefined> {
    const first = mac(key, messages[0] as readonly Chunk[], encoding);
    if (typeof first !== 'string') {
      const rest = messages.slice(1).map((message) => mac(key, message, encoding));
      return Promise.all([first, ...rest]).then((macs) => firstEqual(macs, signatures));
    }
    let found = anyEqual(first, signatures) ? first : undefined;
    for (let i = 1; i < messages.length; i++) {
      const computed = mac(key, messages[i] as readonly Chunk[], encoding) as string;
      if (anyEqual(computed, signatures) && found === undefined) found = computed;
    }
    return found;
  }

  /** The first key (and its MAC) matching a signature over any message variant. */
  function match(
    signatures: readonly string[],
    messages: readonly (readonly Chunk[])[],
    from = 0,
  ): MaybePromise<Match | undefined> {
    for (let i = from; i < keys.length; i++) {
      const { key, keyId } = keys[i] as IdentifiedKey<WebhookSecret>;
      const found = matchKey(key, signatures, messages);
      if (typeof found !== 'string' && found !== undefined) {
        return found.then((m) => (m === undefined ? match(signatures, messages, i + 1) : { keyId, mac: m }));
      }
      if (found !== undefined) return { keyId, mac: found };
    }
    return undefined;
  }

  function accept(parsed: ParsedDelivery, body: string | Uint8Array, found: Match, nowMs: number) {
    const result: InboundWebhook = Object.freeze({
      provider,
      keyId: found.keyId,
      timestampMs: parsed.timestampMs,
      deliveryId: parsed.deliveryId,
      body,
    });
    if (!replayStore) return result;
    let claimed: MaybePromise<boolean>;
    try {
      claimed = replayStore.claim(`${provider}:${found.mac}`, replayTtlMs, nowMs);
    } catch (error) {
      throw storeFailure(error);
    }
    if (!(claimed instanceof Promise)) return replayDecision(claimed, result);
    return claimed.then(
      (fresh) => replayDecision(fresh, result),
      (error: unknown) => {
        throw storeFailure(error);
      },
    );
  }

  function mismatch(parsed: ParsedDelivery) {
    return verificationError('webhook_signature_mismatch', {
      detail:
        parsed.signatures.length === 0
          ? `Header ${preset.signatureHeader} carries no signature of a supported version`
          : 'No signature matched any configured secret',
      ...(parsed.signatures.length === 0 ? { extensions: { hint: 'no_supported_version' } } : {}),
    });
  }

  function afterBodyHash(
    parsed: ParsedDelivery,
    body: string | Uint8Array,
    nowMs: number,
  ): MaybePromise<InboundWebhook> {
    const found = match(parsed.signatures, parsed.messages);
    if (found instanceof Promise) return found.then((m) => decideMatch(parsed, body, m, nowMs));
    return decideMatch(parsed, body, found, nowMs);
  }

  function decideMatch(
    parsed: ParsedDelivery,
    body: string | Uint8Array,
    found: Match | undefined,
    nowMs: number,
  ): MaybePromise<InboundWebhook> {
    // Returned, not thrown: unwinding the stack costs a forged request more than its MAC did.
    return found === undefined ? Promise.reject(mismatch(parsed)) : accept(parsed, body, found, nowMs);
  }

  function check(input: WebhookInput, body: string | Uint8Array): MaybePromise<InboundWebhook> {
    const parsed = preset.parse({
      headers: input.headers,
      body,
      url: input.url,
      publicOrigin,
      method: input.method,
    });
    const nowMs = clock.now();
    if (parsed.timestampMs !== undefined) {
      checkTolerance(parsed.timestampMs / 1000, nowMs, pastSec, futureSec);
    }
    const expected = parsed.bodySha256;
    if (expected === undefined) return afterBodyHash(parsed, body, nowMs);
    const digest = engine.sha256Hex(body);
    const decide = (hex: string): MaybePromise<InboundWebhook> =>
      constantTimeEqualString(hex, expected)
        ? afterBodyHash(parsed, body, nowMs)
        : Promise.reject(
            verificationError('webhook_signature_mismatch', {
              detail: 'The body does not match the bodySHA256 the signed URL commits to',
            }),
          );
    return typeof digest === 'string' ? decide(digest) : digest.then(decide);
  }

  function verify(input: WebhookInput | RequestLike): Promise<InboundWebhook> {
    try {
      if (typeof input !== 'object' || input === null) {
        throw verificationError('webhook_body_unsupported', { detail: 'Expected `{ headers, body }` or a Request' });
      }
      if (isRequestLike(input)) {
        return input
          .arrayBuffer()
          .then((buffer) =>
            check({ headers: input.headers, body: '', url: input.url, method: input.method }, new Uint8Array(buffer)),
          );
      }
      return Promise.resolve(check(input, normalizeBody(input.body)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  return Object.freeze({ provider, verify });
}
