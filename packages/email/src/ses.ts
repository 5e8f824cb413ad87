/**
 * Amazon SES v2: {@link createSesProvider} (SigV4 via `aws4fetch`) and {@link parseSesWebhook}
 * (SNS signature v1/v2, required topic allowlist, default one-hour age window, certificate host
 * check and cache, Subscription/UnsubscribeConfirmation surfaced apart;
 * {@link confirmSnsSubscription}).
 *
 * @module @bulwark/email/ses
 */
export { createSesProvider, type SesProviderOptions } from './providers/ses-provider.js';
export {
  confirmSnsSubscription,
  parseSesWebhook,
  type SesWebhookOptions,
  type SesWebhookSettings,
  SNS_DEFAULT_MAX_AGE_SEC,
} from './webhooks/ses-webhook.js';
export { SNS_CERTIFICATE_CACHE_SIZE, type SnsCertificateCache } from './webhooks/sns-certificates.js';
export { isSnsUrl } from './webhooks/sns-url.js';
