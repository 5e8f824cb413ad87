/**
 * Postmark: {@link createPostmarkProvider} (send, batch of 500 with per-message results) and
 * {@link parsePostmarkWebhook} (Basic credentials in constant time, optional IP/CIDR allowlist
 * compiled by {@link createIpAllowlist}).
 *
 * @module @bulwark/email/postmark
 */
export { createIpAllowlist, type IpAllowlist } from './ip-allowlist.js';
export { createPostmarkProvider, type PostmarkProviderOptions } from './providers/postmark-provider.js';
export type { BasicCredentials } from './webhooks/basic-credentials.js';
export {
  type PostmarkWebhookOptions,
  type PostmarkWebhookSettings,
  parsePostmarkWebhook,
} from './webhooks/postmark-webhook.js';
