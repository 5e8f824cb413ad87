/**
 * Amazon SES v2: {@link createSesProvider} (SigV4 via `aws4fetch`) and {@link parseSesWebhook}
 * (SNS signature v1/v2, certificate host check and cache, SubscriptionConfirmation surfaced;
 * {@link confirmSnsSubscription}).
 *
 * @module
 */
export { createSesProvider, type SesProviderOptions } from './providers/ses-provider.js';
export { confirmSnsSubscription, parseSesWebhook, type SesWebhookOptions } from './webhooks/ses-webhook.js';
export { SNS_CERTIFICATE_CACHE_SIZE, type SnsCertificateCache } from './webhooks/sns-certificates.js';
export { isSnsUrl } from './webhooks/sns-url.js';
