/**
 * Webhook signing and verification near the crypto floor: the Bulwark v1 scheme
 * ({@link sign}, {@link verify}) and Standard Webhooks ({@link verifyStandardWebhook}) with HMAC
 * and Ed25519, key rotation ({@link createKeyring}), clock-injected tolerance, replay
 * protection ({@link createMemoryReplayStore}), typed errors ({@link webhookErrors}), receiver
 * adapters and a test helper. Web Crypto everywhere, node:crypto on Node.
 *
 * @module @bulwark/webhooks
 */
export {
  type ExpressRequestLike,
  expressWebhook,
} from './adapters/express.js';
export {
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  fastifyWebhook,
} from './adapters/fastify.js';
export { createWebhookHandler } from './adapters/fetch.js';
export { type HonoContextLike, honoWebhook } from './adapters/hono.js';
export {
  type NodeRequestLike,
  type ReadRawBodyOptions,
  readRawBody,
  verifyNodeRequest,
} from './adapters/node-http.js';
export { verifiedWebhook } from './adapters/verified-webhook.js';
export { constantTimeEqual } from './constant-time-equal.js';
export {
  derivePublicKey,
  Ed25519PrivateKey,
  Ed25519PublicKey,
  generateKeyPair,
  PRIVATE_KEY_PREFIX,
  type PrivateKeyInput,
  PUBLIC_KEY_PREFIX,
  type PublicKeyInput,
  parsePrivateKey,
  parsePublicKey,
} from './ed25519.js';
export {
  type WebhookErrorCode,
  type WebhookReplayStoreErrorCode,
  type WebhookVerificationErrorCode,
  webhookErrors,
} from './errors/codes.js';
export {
  isWebhookError,
  isWebhookReplayStoreError,
  isWebhookSecretError,
  isWebhookVerificationError,
  WebhookError,
  type WebhookErrorOptions,
  WebhookReplayStoreError,
  WebhookSecretError,
  WebhookVerificationError,
} from './errors/webhook-error.js';
export type { BodyInput } from './internal/body.js';
export type { CryptoPreference } from './internal/crypto-engine.js';
export type { HeaderInput, HeadersLike } from './internal/headers.js';
export type { SecretsOption } from './internal/key-set.js';
export type { Tolerance } from './internal/timestamp.js';
export { createKeyring, type Keyring, type KeyringEntry } from './keyring.js';
export {
  createMemoryReplayStore,
  type MemoryReplayStore,
  type MemoryReplayStoreOptions,
  type ReplayStore,
} from './replay-store.js';
export { BULWARK_HEADERS, STANDARD_HEADERS, type WebhookScheme } from './schemes.js';
export {
  type GenerateSecretOptions,
  generateSecret,
  MAX_SECRET_BYTES,
  MIN_SECRET_BYTES,
  type ParseSecretOptions,
  parseSecret,
  SECRET_PREFIX,
  type SecretInput,
  WebhookSecret,
} from './secret.js';
export {
  createWebhookSigner,
  type SignedHeaders,
  type SignInput,
  type SignOptions,
  sign,
  type WebhookSigner,
  type WebhookSignerOptions,
} from './sign.js';
export { createSignedRequest, type SignedRequestOptions } from './signed-request.js';
export {
  type VerifyOptions,
  type VerifyStandardWebhookOptions,
  verify,
  verifyStandardWebhook,
} from './verify.js';
export {
  createWebhookVerifier,
  type RequestLike,
  type VerifiedWebhook,
  type WebhookInput,
  type WebhookVerifier,
  type WebhookVerifierLike,
  type WebhookVerifierOptions,
} from './webhook-verifier.js';
