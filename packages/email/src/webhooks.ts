/**
 * {@link parseEmailWebhook}: verifies and normalizes a webhook of any of the five providers,
 * chosen by name. A subpath of its own because it bundles every provider's parser; a route that
 * serves one provider imports that provider's subpath (`parseResendWebhook` from
 * `@bulwark/email/resend`, …) instead.
 *
 * @module @bulwark/email/webhooks
 */
export {
  type EmailWebhookOptionsByProvider,
  type EmailWebhookProvider,
  parseEmailWebhook,
} from './parse-email-webhook.js';
