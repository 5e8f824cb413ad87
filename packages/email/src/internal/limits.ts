import { EmailError } from '../errors/email-error.js';
import type { NormalizedEmailMessage } from '../message.js';
import { attachmentSize } from './encoding.js';

/** A provider's documented per-message limits. @internal */
export interface ProviderLimits {
  /** Most recipients (to + cc + bcc) in one message. */
  readonly maxRecipients: number;
  /** Most bytes of decoded attachments in one message. */
  readonly maxAttachmentBytes: number;
}

/**
 * Rejects a message over the provider's limits before any request is made.
 *
 * @throws {email_invalid_request} naming the limit. @internal
 */
export function assertWithinLimits(message: NormalizedEmailMessage, limits: ProviderLimits, provider: string): void {
  const recipients = message.to.length + message.cc.length + message.bcc.length;
  if (recipients > limits.maxRecipients) {
    throw new EmailError({
      code: 'email_invalid_request',
      provider,
      detail: `${provider} accepts at most ${limits.maxRecipients} recipients per message, got ${recipients}`,
    });
  }
  const bytes = message.attachments.reduce((sum, a) => sum + attachmentSize(a.content), 0);
  if (bytes > limits.maxAttachmentBytes) {
    throw new EmailError({
      code: 'email_invalid_request',
      provider,
      detail: `${provider} accepts at most ${limits.maxAttachmentBytes} bytes of attachments, got ${bytes}`,
    });
  }
}
