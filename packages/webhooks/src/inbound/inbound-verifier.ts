import { constantTimeEqualString } from '../constant-time-equal.js';
import { isWebhookReplayStoreError, WebhookReplayStoreError } from '../errors/webhook-error.js';
import { normalizeBody } from '../internal/body.js';
import type { Chunk } from '../internal/crypto-types.js';
import { deferredRejection } from '../internal/deferred-rejection.js';
import type { IdentifiedKey } from '../internal/key-set.js';
import type { MaybePromise } from '../internal/maybe-async.js';
import { checkTolerance } from '../internal/timestamp.js';
import { verificationError } from '../internal/verification-error.js';
import type { WebhookSecret } from '../secret.js';
import type { RequestLike, WebhookInput } from '../webhook-verifier.js';
import { type InboundVerifierOptions, resolveInboundOptions } from './inbound-options.js';
import type { InboundProvider, ParsedDelivery } from './preset.js';

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
  const { preset, pastSec, futureSec, keys, clock, replayStore, replayTtlMs, publicOrigin, engine } =
    resolveInboundOptions(options);
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
    // Returned, not thrown: unwinding the stack costs a forged request more than its MAC did; and
    // pending until the caller listens, so Node's unhandled-rejection bookkeeping never runs.
    return found === undefined ? deferredRejection(mismatch(parsed)) : accept(parsed, body, found, nowMs);
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
        : deferredRejection(
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
      return deferredRejection(error);
    }
  }

  return Object.freeze({ provider, verify });
}
