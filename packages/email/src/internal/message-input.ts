// The strict parser behind parseEmailMessage, on the send path of every provider. It holds the
// rules of `emailMessageSchema` (message-schema.ts) without zod, so a provider subpath bundles
// no schema library (the edge budget is 60 kB minified): same acceptance, same normalized
// output, same English issue messages (test/message-input.test.ts checks all three against
// the zod schema for arbitrary input).
import type { EmailAddress, EmailAttachment } from '../message.js';
import { typeName } from './type-name.js';

/** One problem with the input, as zod would report it. @internal */
export interface MessageIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly code?: 'unrecognized_keys';
  readonly keys?: readonly string[];
  /** Only unrecognized keys and string length checks let the whole-message rules still run. */
  readonly continue?: true;
}

/** The parse before defaults: what the zod schema outputs. @internal */
export interface ParsedMessage {
  from: EmailAddress;
  to: EmailAddress[];
  cc?: EmailAddress[] | undefined;
  bcc?: EmailAddress[] | undefined;
  replyTo?: EmailAddress[] | undefined;
  subject: string;
  html?: string | undefined;
  text?: string | undefined;
  headers?: Record<string, string> | undefined;
  attachments?: EmailAttachment[] | undefined;
  tags?: Record<string, string> | undefined;
  metadata?: Record<string, string> | undefined;
  idempotencyKey?: string | undefined;
}

type Path = readonly (string | number)[];
type Issues = MessageIssue[];

/** zod's email pattern (`zod/v4/core` regexes.email; a test pins that they are equal). @internal */
export const EMAIL_PATTERN =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const NAMED = /^\s*(?:"?([^"<]*?)"?\s*)<([^<>\s]+)>\s*$/;
const MESSAGE_KEYS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'replyTo',
  'subject',
  'html',
  'text',
  'headers',
  'attachments',
  'tags',
  'metadata',
  'idempotencyKey',
]);
const ADDRESS_KEYS = new Set(['email', 'name']);
const ATTACHMENT_KEYS = new Set(['filename', 'content', 'contentType', 'contentId']);
const INVALID = 'Invalid input';

type Bag = Record<string, unknown>;
const isObject = (v: unknown): v is Bag => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalidType(issues: Issues, path: Path, expected: string, input: unknown): void {
  issues.push({ path, message: `Invalid input: expected ${expected}, received ${typeName(input)}` });
}

/** Keys `for…in` yields (own and inherited, as zod walks them) outside `known`. */
function unknownKeys(input: Bag, known: ReadonlySet<string>, issues: Issues, path: Path): void {
  const keys: string[] = [];
  for (const key in input) if (!known.has(key)) keys.push(key);
  if (keys.length > 0)
    issues.push({ path, message: 'Unrecognized keys', code: 'unrecognized_keys', keys, continue: true });
}

const SIZING: Readonly<Record<string, string>> = { string: 'characters', array: 'items' };

/** Code points, as zod measures strings (a surrogate pair is one). */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * zod's `minLength`/`maxLength` checks. Like zod they run on anything with a `length`, even
 * after the type check failed, and never stop the whole-message rules.
 */
function lengthChecks(issues: Issues, path: Path, v: unknown, min?: number, max?: number): void {
  const units = v === null || v === undefined ? undefined : (v as { length?: unknown }).length;
  if (units === undefined) return;
  const origin = Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : 'unknown';
  const unit = SIZING[origin];
  const size = (bound: string) => (unit ? `to have ${bound} ${unit}` : `to be ${bound}`);
  if (min !== undefined) {
    const length = typeof v === 'string' && v.length >= min && v.length < min * 2 ? codePoints(v) : units;
    if (!((length as number) >= min)) {
      issues.push({ path, message: `Too small: expected ${origin} ${size(`>=${min}`)}`, continue: true });
    }
  }
  if (max !== undefined) {
    const length = typeof v === 'string' && v.length > max ? codePoints(v) : units;
    if (!((length as number) <= max)) {
      issues.push({ path, message: `Too big: expected ${origin} ${size(`<=${max}`)}`, continue: true });
    }
  }
}

/** `z.string()` with optional length bounds; `undefined` when the type is wrong. */
function string(issues: Issues, path: Path, v: unknown, min?: number, max?: number): string | undefined {
  if (typeof v !== 'string') invalidType(issues, path, 'string', v);
  if (min !== undefined || max !== undefined) lengthChecks(issues, path, v, min, max);
  return typeof v === 'string' ? v : undefined;
}

function address(issues: Issues, path: Path, v: unknown): EmailAddress | undefined {
  let email: string;
  let name: string | undefined;
  if (typeof v === 'string') {
    const named = NAMED.exec(v);
    email = named ? (named[2] as string) : v.trim();
    name = named?.[1]?.trim() || undefined;
  } else if (isObject(v) && typeof v.email === 'string' && (v.name === undefined || typeof v.name === 'string')) {
    // The string branch of the union failed, the object branch may only have extra keys: those
    // are reported and the address is still checked (zod pipes past unrecognized keys).
    unknownKeys(v, ADDRESS_KEYS, issues, path);
    email = v.email.trim();
    name = (v.name as string | undefined)?.trim() || undefined;
  } else {
    issues.push({ path, message: INVALID });
    return undefined;
  }
  if (!EMAIL_PATTERN.test(email)) {
    // The address itself stays out of the message: errors travel to logs and clients.
    issues.push({ path, message: 'Invalid email address' });
    return undefined;
  }
  return name === undefined ? { email } : { email, name };
}

function addressList(issues: Issues, path: Path, v: unknown): EmailAddress[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((item, i) => address(issues, [...path, i], item) as EmailAddress);
}

/** zod's plain-object test for records: `{}`-like, not arrays, maps or class instances. */
function isPlainObject(v: unknown): v is Bag {
  if (!isObject(v)) return false;
  const ctor = v.constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const proto: unknown = ctor.prototype;
  return isObject(proto) && Object.hasOwn(proto, 'isPrototypeOf');
}

function record(issues: Issues, path: Path, v: unknown): Record<string, string> | undefined {
  if (!isPlainObject(v)) {
    invalidType(issues, path, 'record', v);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const key of Reflect.ownKeys(v)) {
    if (key === '__proto__' || !Object.prototype.propertyIsEnumerable.call(v, key)) continue;
    if (typeof key === 'symbol') {
      // zod puts the symbol into the path, which no detail can print: name the record instead.
      issues.push({ path, message: 'Invalid key in record' });
      continue;
    }
    const value = string(issues, [...path, key], v[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function attachment(issues: Issues, path: Path, v: unknown): EmailAttachment | undefined {
  if (!isObject(v)) {
    invalidType(issues, path, 'object', v);
    return undefined;
  }
  const filename = string(issues, [...path, 'filename'], v.filename, 1);
  const content = v.content;
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    issues.push({ path: [...path, 'content'], message: INVALID });
  }
  const out: { -readonly [K in keyof EmailAttachment]: EmailAttachment[K] } = {
    filename: filename as string,
    content: content as string | Uint8Array,
  };
  if (v.contentType !== undefined) out.contentType = string(issues, [...path, 'contentType'], v.contentType);
  if (v.contentId !== undefined) out.contentId = string(issues, [...path, 'contentId'], v.contentId);
  unknownKeys(v, ATTACHMENT_KEYS, issues, path);
  return out;
}

/**
 * Parses a message as `emailMessageSchema` does: `{ value }` when valid, otherwise the issues in
 * zod's order (fields in declaration order, then unknown keys, then the whole-message rules).
 * @internal
 */
export function parseMessageInput(input: unknown): { value: ParsedMessage } | { issues: readonly MessageIssue[] } {
  const issues: Issues = [];
  if (!isObject(input)) {
    invalidType(issues, [], 'object', input);
    return { issues };
  }
  const m = input;
  const out = {} as ParsedMessage;
  out.from = address(issues, ['from'], m.from) as EmailAddress;
  out.to = addressList(issues, ['to'], m.to);
  for (const key of ['cc', 'bcc', 'replyTo'] as const) {
    if (m[key] !== undefined) out[key] = addressList(issues, [key], m[key]);
  }
  out.subject = string(issues, ['subject'], m.subject, 1) as string;
  for (const key of ['html', 'text'] as const) {
    if (m[key] !== undefined) out[key] = string(issues, [key], m[key]);
  }
  if (m.headers !== undefined) out.headers = record(issues, ['headers'], m.headers);
  if (m.attachments !== undefined) {
    if (Array.isArray(m.attachments)) {
      out.attachments = m.attachments.map((a, i) => attachment(issues, ['attachments', i], a) as EmailAttachment);
    } else {
      invalidType(issues, ['attachments'], 'array', m.attachments);
    }
  }
  for (const key of ['tags', 'metadata'] as const) {
    if (m[key] !== undefined) out[key] = record(issues, [key], m[key]);
  }
  if (m.idempotencyKey !== undefined) out.idempotencyKey = string(issues, ['idempotencyKey'], m.idempotencyKey, 1, 256);
  unknownKeys(m, MESSAGE_KEYS, issues, []);
  // The whole-message rules run when every issue so far lets them (zod's `continue`).
  if (issues.every((issue) => issue.continue)) {
    if (out.html === undefined && out.text === undefined) {
      issues.push({ path: [], message: 'One of `html` or `text` is required', continue: true });
    }
    if (out.to.length === 0)
      issues.push({ path: ['to'], message: '`to` needs at least one recipient', continue: true });
  }
  return issues.length > 0 ? { issues } : { value: out };
}
