/**
 * Amazon SES v2: {@link createSesProvider} (SigV4 via `aws4fetch`) and {@link parseSesWebhook}
 * (SNS signature v1/v2, certificate host check and cache, SubscriptionConfirmation surfaced;
 * {@link confirmSnsSubscription}).
 *
 * @module
 */
export { createSesProvider, type SesProviderOptions } from './providers/ses-provider.js';
export {
  confirmSnsSubscription,
  isSnsUrl,
  parseSesWebhook,
  type SesWebhookOptions,
  type SnsCertificateCache,
} from './webhooks/ses-webhook.js';
