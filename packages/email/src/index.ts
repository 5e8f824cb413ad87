/**
 * One send interface over Resend, Postmark, SendGrid, Amazon SES and Mailgun (adapters in
 * the `@bulwark/email/<provider>` subpaths), a simulated provider ({@link createSimulatedProvider}),
 * failover behind breakers and retries ({@link createFailoverProvider}), a flat error taxonomy
 * ({@link EmailError}) and one normalized {@link EmailEvent} type for verified webhooks
 * ({@link suppressionsFromEvents}), counted through an optional {@link EmailMetrics} sink.
 * Env-driven selection is `@bulwark/email/from-env` and the any-provider webhook parser
 * `@bulwark/email/webhooks`: each bundles all five providers, so the root does not.
 *
 * @module @bulwark/email
 */

export { canFailOver } from './can-fail-over.js';
export { EMAIL_EVENT_METRIC, type EmailMetrics, type EmailWebhookObservers } from './email-metrics.js';
export { type EmailErrorCode, type EmailWebhookErrorCode, emailErrors } from './errors/codes.js';
export { EmailConfigError, isEmailConfigError } from './errors/email-config-error.js';
export { EmailError, type EmailErrorInit, isEmailError } from './errors/email-error.js';
export { EmailWebhookError, isEmailWebhookError } from './errors/email-webhook-error.js';
export type {
  BounceKind,
  EmailBounce,
  EmailEvent,
  EmailEventType,
  EmailWebhookRequest,
  ParsedEmailWebhook,
  RejectedEmailEvent,
  SnsSubscriptionConfirmation,
  SnsUnsubscribeConfirmation,
} from './events.js';
export {
  createFailoverProvider,
  type FailoverEntry,
  type FailoverEvent,
  type FailoverOptions,
  type FailoverProvider,
} from './failover.js';
export type { HttpAdapterOptions } from './internal/adapter.js';
export type { FetchLike } from './internal/http.js';
export { createIpAllowlist, type IpAllowlist } from './ip-allowlist.js';
export {
  type EmailAddress,
  type EmailAddressInput,
  type EmailAttachment,
  type EmailMessage,
  formatAddress,
  type NormalizedEmailMessage,
  parseEmailMessage,
} from './message.js';
export type { BatchItemResult, EmailProvider, EmailProviderName, SendOptions, SendResult } from './provider.js';
export {
  createSimulatedProvider,
  type SimulatedFailure,
  type SimulatedMessage,
  type SimulatedProvider,
  type SimulatedProviderOptions,
} from './simulated.js';
export {
  type SuppressionEntry,
  type SuppressionOptions,
  type SuppressionReason,
  suppressionsFromEvents,
} from './suppression.js';
export type { WebhookSecrets } from './webhook-secrets.js';
// Not exported: src/internal/* (HTTP plumbing, DER/X.509 readers, JSON big-int guard) are
// implementation details; the provider subpaths are the supported surface for adapters.
