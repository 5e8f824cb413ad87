/**
 * Resend: {@link createResendProvider} (send, batch of 100, `Idempotency-Key`) and
 * {@link parseResendWebhook} (Svix / Standard Webhooks signatures via `@bulwark/webhooks`).
 *
 * @module @bulwark/email/resend
 */
export { createResendProvider, type ResendProviderOptions } from './providers/resend-provider.js';
export {
  parseResendWebhook,
  type ResendWebhookOptions,
  type ResendWebhookSettings,
} from './webhooks/resend-webhook.js';
