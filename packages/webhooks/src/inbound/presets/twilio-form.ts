import { verificationError } from '../../internal/verification-error.js';

const MAX_FIELDS = 1000;
const decoder = new TextDecoder('utf-8', { fatal: true });

function unsupported(detail: string) {
  return verificationError('webhook_body_unsupported', { detail });
}

const PLUS = /\+/g;

/** One form component, `text[start, end)`, decoded only when it holds `+` or `%`. */
function decodeComponent(text: string, start: number, end: number, plus: boolean, percent: boolean): string {
  const raw = text.slice(start, end);
  if (!percent) return plus ? raw.replace(PLUS, ' ') : raw;
  try {
    return decodeURIComponent(plus ? raw.replace(PLUS, ' ') : raw);
  } catch {
    throw unsupported('The form body has a malformed percent-encoding');
  }
}

/** Orders fields by name, then value (UTF-16 code unit order, as `Array#sort`). */
function compareFields(name: string, value: string, otherName: string, otherValue: string): number {
  if (name !== otherName) return name < otherName ? -1 : 1;
  return value < otherValue ? -1 : value > otherValue ? 1 : 0;
}

function byNameThenValue(a: readonly [string, string], b: readonly [string, string]): number {
  return compareFields(a[0], a[1], b[0], b[1]);
}

/** `[name, value, name, value, …]` as pairs sorted by name then value, each distinct pair once. */
function sortedDistinct(parts: readonly string[]): string[] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < parts.length; i += 2) pairs.push([parts[i]!, parts[i + 1]!]);
  pairs.sort(byNameThenValue);
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    // Sorted, so a repeated name=value pair is adjacent: each distinct value counts once.
    if (i === 0 || byNameThenValue(pairs[i - 1]!, pair) !== 0) out.push(pair[0], pair[1]);
  }
  return out;
}

/**
 * Where the next `char` at or after `from` is: `known` when it still lies at or after `from`,
 * else found again from `from` (`text.length` when none). Each character is scanned once per
 * `char` over the whole body, so the parse stays linear however the fields are shaped.
 */
function advance(text: string, char: string, known: number, from: number): number {
  if (known >= from) return known;
  const at = text.indexOf(char, from);
  return at === -1 ? text.length : at;
}

/**
 * The string Twilio appends to the URL for a form body: the field names sorted (UTF-16 code
 * unit order), each followed by its value; a repeated field contributes each distinct value,
 * sorted, each preceded by the name (as twilio's `getExpectedTwilioSignature` does).
 *
 * One linear pass with `indexOf`: a component without `%` or `+` is sliced, never decoded;
 * fields that arrive sorted and distinct (Twilio sends them sorted) are not re-sorted; the
 * result is joined once.
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
  const parts: string[] = [];
  let amp = -1;
  let eq = -1;
  let percent = -1;
  let plus = -1;
  let inOrder = true;
  let count = 0;
  for (let start = 0; start < length; start = amp + 1) {
    amp = advance(text, '&', amp, start);
    if (amp === start) continue;
    if (++count > MAX_FIELDS) throw unsupported(`The form body has more than ${MAX_FIELDS} fields`);
    eq = advance(text, '=', eq, start);
    percent = advance(text, '%', percent, start);
    plus = advance(text, '+', plus, start);
    const at = Math.min(eq, amp);
    const name = decodeComponent(text, start, at, plus < at, percent < at);
    let value = '';
    if (at < amp) {
      percent = advance(text, '%', percent, at + 1);
      plus = advance(text, '+', plus, at + 1);
      value = decodeComponent(text, at + 1, amp, plus < amp, percent < amp);
    }
    const last = parts.length - 2;
    if (inOrder && last >= 0) {
      const order = compareFields(parts[last]!, parts[last + 1]!, name, value);
      if (order === 0) continue; // the same pair again: counted once
      if (order > 0) inOrder = false;
    }
    parts.push(name, value);
  }
  return (inOrder ? parts : sortedDistinct(parts)).join('');
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
