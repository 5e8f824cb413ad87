import { verificationError } from '../../internal/verification-error.js';

const MAX_FIELDS = 1000;
const decoder = new TextDecoder('utf-8', { fatal: true });

function unsupported(detail: string) {
  return verificationError('webhook_body_unsupported', { detail });
}

const ENCODED = /[%+]/;

function decodeComponent(text: string): string {
  if (!ENCODED.test(text)) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw unsupported('The form body has a malformed percent-encoding');
  }
}

/**
 * The string Twilio appends to the URL for a form body: the field names sorted (UTF-16 code
 * unit order), each followed by its value; a repeated field contributes each distinct value,
 * sorted, each preceded by the name (as twilio's `getExpectedTwilioSignature` does).
 * @throws {webhook_body_unsupported} for a body that is not UTF-8 form encoding, or has more
 *   than 1000 fields.
 */
export function twilioFormString(body: string | Uint8Array): string {
  let text: string;
  try {
    text = typeof body === 'string' ? body : decoder.decode(body);
  } catch {
    throw unsupported('The form body is not UTF-8');
  }
  const fields = new Map<string, Set<string>>();
  let count = 0;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    if (++count > MAX_FIELDS) throw unsupported(`The form body has more than ${MAX_FIELDS} fields`);
    const at = pair.indexOf('=');
    const name = decodeComponent(at === -1 ? pair : pair.slice(0, at));
    const value = at === -1 ? '' : decodeComponent(pair.slice(at + 1));
    let values = fields.get(name);
    if (!values) {
      values = new Set();
      fields.set(name, values);
    }
    values.add(value);
  }
  let out = '';
  for (const name of [...fields.keys()].sort()) {
    for (const value of [...(fields.get(name) as Set<string>)].sort()) out += name + value;
  }
  return out;
}

/** `scheme://` and the authority of an absolute URL, split without normalizing anything. */
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i;

/**
 * The URL as received with its port removed, and with the scheme's default port added: Twilio
 * signs one of the two depending on how the webhook URL was configured (the variants twilio's
 * `validateRequest` tries first). Nothing else is normalized.
 */
export function twilioUrlVariants(url: string): readonly string[] {
  const match = AUTHORITY.exec(url);
  if (!match) return [url];
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  const head = scheme + authority.slice(0, userInfoEnd + 1);
  const host = portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart);
  const rest = url.slice(prefix.length);
  const withoutPort = head + host + rest;
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  // Always two distinct strings: one of them has a port and the other has none.
  return [withoutPort, portStart === -1 ? head + host + defaultPort + rest : url];
}
