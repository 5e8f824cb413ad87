import { verificationError } from '../../internal/verification-error.js';

const MAX_FIELDS = 1000;
const decoder = new TextDecoder('utf-8', { fatal: true });

function unsupported(detail: string) {
  return verificationError('webhook_body_unsupported', { detail });
}

const PLUS = /\+/g;

/** One form component, `text[start, end)`, decoded; `encoded` says whether it holds `%` or `+`. */
function decodeComponent(text: string, start: number, end: number, encoded: boolean): string {
  const raw = text.slice(start, end);
  if (!encoded) return raw;
  try {
    return decodeURIComponent(raw.replace(PLUS, ' '));
  } catch {
    throw unsupported('The form body has a malformed percent-encoding');
  }
}

/** The next index of `char` at or after `from` in `text`, or `text.length` when there is none. */
function nextIndex(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at === -1 ? text.length : at;
}

/** Orders decoded fields by name, then value (UTF-16 code unit order, as `Array#sort`). */
function byNameThenValue(a: readonly [string, string], b: readonly [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * The string Twilio appends to the URL for a form body: the field names sorted (UTF-16 code
 * unit order), each followed by its value; a repeated field contributes each distinct value,
 * sorted, each preceded by the name (as twilio's `getExpectedTwilioSignature` does).
 *
 * One pass over the text with `indexOf`: a component without `%` or `+` is sliced, not decoded;
 * the sorted fields are joined once.
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
  const length = text.length;
  const fields: [string, string][] = [];
  let percent = nextIndex(text, '%', 0);
  let plus = nextIndex(text, '+', 0);
  let sorted = true;
  for (let start = 0; start < length; ) {
    const end = nextIndex(text, '&', start);
    if (end !== start) {
      if (fields.length === MAX_FIELDS) throw unsupported(`The form body has more than ${MAX_FIELDS} fields`);
      if (percent < start) percent = nextIndex(text, '%', start);
      if (plus < start) plus = nextIndex(text, '+', start);
      const eq = text.indexOf('=', start);
      const at = eq === -1 || eq > end ? end : eq;
      const name = decodeComponent(text, start, at, percent < at || plus < at);
      if (percent <= at) percent = nextIndex(text, '%', at + 1);
      if (plus <= at) plus = nextIndex(text, '+', at + 1);
      const value = at === end ? '' : decodeComponent(text, at + 1, end, percent < end || plus < end);
      const field: [string, string] = [name, value];
      if (sorted && fields.length > 0 && byNameThenValue(fields[fields.length - 1]!, field) > 0) sorted = false;
      fields.push(field);
    }
    start = end + 1;
  }
  if (!sorted) fields.sort(byNameThenValue);
  const parts: string[] = [];
  let previous: [string, string] | undefined;
  for (const field of fields) {
    // Sorted, so a repeated name=value pair is adjacent: each distinct value counts once.
    if (previous !== undefined && previous[0] === field[0] && previous[1] === field[1]) continue;
    parts.push(field[0], field[1]);
    previous = field;
  }
  return parts.join('');
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
