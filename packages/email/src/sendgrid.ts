/**
 * SendGrid: {@link createSendGridProvider} (v3 mail send) and {@link parseSendGridWebhook}
 * (Signed Event Webhook, ECDSA P-256 via Web Crypto; {@link verifySendGridSignature}).
 *
 * @module @bulwark/email/sendgrid
 */
export { createSendGridProvider, type SendGridProviderOptions } from './providers/sendgrid-provider.js';
export {
  parseSendGridWebhook,
  SENDGRID_DEFAULT_TOLERANCE_SEC,
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  type SendGridWebhookOptions,
  type SendGridWebhookSettings,
  verifySendGridSignature,
} from './webhooks/sendgrid-webhook.js';
