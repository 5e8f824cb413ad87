/**
 * Mailgun: {@link createMailgunProvider} (multipart send, US/EU regions) and
 * {@link parseMailgunWebhook} (HMAC-SHA256 signature, timestamp tolerance, token replay protection).
 *
 * @module @bulwark/email/mailgun
 */
export { createMailgunProvider, type MailgunProviderOptions } from './providers/mailgun-provider.js';
export {
  MAILGUN_DEFAULT_TOLERANCE_SEC,
  type MailgunWebhookOptions,
  type MailgunWebhookSettings,
  mailgunSignature,
  parseMailgunWebhook,
} from './webhooks/mailgun-webhook.js';
