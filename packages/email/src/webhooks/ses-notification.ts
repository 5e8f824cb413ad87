import type { EmailBounce, EmailEventType } from '../events.js';
import { field, stringField } from '../internal/http.js';

/** One recipient an SES notification is about. @internal */
export interface Target {
  readonly recipient: string;
  readonly at: unknown;
  readonly bounce?: EmailBounce;
}

function addressesOf(list: unknown, at: unknown, bounce?: (item: unknown) => EmailBounce): Target[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item): Target[] => {
    const recipient = typeof item === 'string' ? item : stringField(item, 'emailAddress');
    if (!recipient) return [];
    return [{ recipient, at, ...(bounce ? { bounce: bounce(item) } : {}) }];
  });
}

function bounceOf(kind: EmailBounce['kind']) {
  return (item: unknown): EmailBounce => {
    const code = stringField(item, 'status');
    const diagnostic = stringField(item, 'diagnosticCode');
    return { kind, ...(code ? { code } : {}), ...(diagnostic ? { diagnostic } : {}) };
  };
}

const BOUNCE_KINDS: Readonly<Record<string, EmailBounce['kind']>> = {
  Permanent: 'hard',
  Transient: 'soft',
  Undetermined: 'undetermined',
};

/**
 * Splits an SES notification (`notificationType` or `eventType` form) into one typed target
 * per recipient. @internal
 */
export function normalizeSesNotification(inner: Record<string, unknown>): Array<{ type: EmailEventType } & Target> {
  const kind = stringField(inner, 'eventType') ?? stringField(inner, 'notificationType') ?? '';
  const mail = field(inner, 'mail');
  const everyone = (type: EmailEventType, detailKey: string) =>
    addressesOf(
      field(mail, 'destination'),
      field(field(inner, detailKey), 'timestamp') ?? field(mail, 'timestamp'),
    ).map((t) => ({ type, ...t }));
  switch (kind) {
    case 'Bounce': {
      const bounce = field(inner, 'bounce');
      const bounceKind = BOUNCE_KINDS[stringField(bounce, 'bounceType') ?? ''] ?? 'undetermined';
      return addressesOf(field(bounce, 'bouncedRecipients'), field(bounce, 'timestamp'), bounceOf(bounceKind)).map(
        (t) => ({ type: 'bounced' as const, ...t }),
      );
    }
    case 'Complaint': {
      const complaint = field(inner, 'complaint');
      return addressesOf(field(complaint, 'complainedRecipients'), field(complaint, 'timestamp')).map((t) => ({
        type: 'complained' as const,
        ...t,
      }));
    }
    case 'Delivery': {
      const delivery = field(inner, 'delivery');
      return addressesOf(field(delivery, 'recipients'), field(delivery, 'timestamp')).map((t) => ({
        type: 'delivered' as const,
        ...t,
      }));
    }
    case 'DeliveryDelay': {
      const delay = field(inner, 'deliveryDelay');
      return addressesOf(field(delay, 'delayedRecipients'), field(delay, 'timestamp')).map((t) => ({
        type: 'deferred' as const,
        ...t,
      }));
    }
    case 'Send':
      return everyone('sent', 'send');
    case 'Reject':
      return everyone('failed', 'reject');
    case 'Rendering Failure':
      return everyone('failed', 'failure');
    case 'Open':
      return everyone('opened', 'open');
    case 'Click':
      return everyone('clicked', 'click');
    case 'Subscription':
      return everyone('unsubscribed', 'subscription');
    default:
      return everyone('unknown', 'mail');
  }
}

/** `mail.tags` without the `ses:`/`aws:` ones, first value each. @internal */
export function sesMetadata(mail: unknown): Record<string, string> {
  const tags = field(mail, 'tags');
  const out: Record<string, string> = {};
  if (typeof tags !== 'object' || tags === null) return out;
  for (const [name, values] of Object.entries(tags)) {
    if (name.startsWith('ses:') || name.startsWith('aws:')) continue;
    const value = Array.isArray(values) ? values[0] : values;
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}
