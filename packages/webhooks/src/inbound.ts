/**
 * Verification presets for the webhooks providers send: Stripe, GitHub, Meta (WhatsApp Cloud
 * API), Shopify, Slack, Twilio and HubSpot v3, behind one API ({@link createInboundVerifier})
 * with the guarantees of the core verifier: byte-exact bodies, constant-time comparison,
 * secret rotation reporting which secret matched, replay stores, typed errors with stable codes,
 * Web Crypto everywhere and node:crypto on Node. Verifiers plug into every receiver adapter of
 * `@bulwark/webhooks`.
 *
 * @module @bulwark/webhooks/inbound
 */
export type { InboundVerifierOptions } from './inbound/inbound-options.js';
export { createInboundVerifier, type InboundVerifier, type InboundWebhook } from './inbound/inbound-verifier.js';
export type { InboundProvider } from './inbound/preset.js';
export { INBOUND_PROVIDERS } from './inbound/presets/index.js';
export type { ProviderSecretEntry, ProviderSecretsOption } from './inbound/provider-secrets.js';
// Not exported: the preset objects (`InboundPreset`) and their parsers. A preset is a wire
// format, not an extension point: new providers are added here, with vectors and a Python check.
