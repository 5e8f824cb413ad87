import { field } from '../internal/http.js';

/** The address of `Name <a@b>` or of a bare `a@b`. */
function addressOf(entry: string): string {
  return (/<([^<>\s]+)>\s*$/.exec(entry)?.[1] ?? entry).trim();
}

/** Every string inside `value` (bounded depth), e.g. `bounce.message` and a `diagnosticCode` list. */
function stringsIn(value: unknown, depth = 0, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (depth < 3 && typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) stringsIn(item, depth + 1, out);
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `text` names `address` as a whole address (not as part of a longer one). */
function names(text: string, address: string): boolean {
  const pattern = new RegExp(`(?<![A-Za-z0-9._%+-])${escapeRegExp(address)}(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`, 'i');
  return pattern.test(text);
}

/** Who a Resend event is about. @internal */
export type ResendRecipient =
  | { readonly recipient: string; readonly candidates?: undefined }
  | { readonly recipient: ''; readonly candidates: readonly string[] };

/**
 * Decides which recipient a Resend event concerns. Resend sends one event per recipient but
 * puts the message's whole `to` list in each (https://resend.com/docs/webhooks/emails/bounced).
 * With one address in `to`, that is the recipient. With several, the event names its recipient
 * only when the provider's detail (`data.bounce`, `data.complaint`, … strings such as the bounce
 * message or diagnostic codes) mentions exactly one of them. Otherwise the recipient is unknown:
 * `''`, with the addresses as `candidates`, so nobody is suppressed for someone else's bounce.
 * @internal
 */
export function resendRecipient(data: unknown): ResendRecipient {
  const to = field(data, 'to');
  const list = (typeof to === 'string' ? [to] : Array.isArray(to) ? to : [])
    .filter((t): t is string => typeof t === 'string')
    .map(addressOf)
    .filter((t) => t !== '');
  const unique = [...new Map(list.map((address) => [address.toLowerCase(), address])).values()];
  if (unique.length === 1) return { recipient: unique[0] as string };
  const detail = ['bounce', 'complaint', 'failed', 'suppressed', 'delivery_delayed', 'click']
    .flatMap((key) => stringsIn(field(data, key)))
    .join('\n');
  const named = detail ? unique.filter((address) => names(detail, address)) : [];
  if (named.length === 1) return { recipient: named[0] as string };
  return { recipient: '', candidates: Object.freeze(unique) };
}
