import type { HeaderInput } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import { verificationError } from '../../internal/verification-error.js';
import { BASE64_20, malformed, optionalPresetHeader, presetHeader } from '../headers.js';
import type { InboundPreset } from '../preset.js';
import { resolveSignedUrl } from '../signed-url.js';
import { twilioFormString, twilioUrlVariants } from './twilio-form.js';

const HEADER = 'x-twilio-signature';
const HEX_256 = /^[0-9a-f]{64}$/;

/** The `bodySHA256` query parameter, or undefined when the URL has none. */
function bodySha256Param(url: string): string | undefined {
  // No pair can start with the name when it appears nowhere (the common, form-body case).
  if (!url.includes('bodySHA256=')) return undefined;
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return undefined;
  const hashStart = url.indexOf('#', queryStart);
  const query = url.slice(queryStart + 1, hashStart === -1 ? undefined : hashStart);
  let found: string | undefined;
  for (const pair of query.split('&')) {
    if (!pair.startsWith('bodySHA256=')) continue;
    if (found !== undefined) throw invalidBodyHash('bodySHA256 appears more than once in the URL');
    found = pair.slice('bodySHA256='.length);
    if (!HEX_256.test(found)) throw invalidBodyHash('bodySHA256 must be 64 lowercase hex digits');
  }
  return found;
}

function invalidBodyHash(detail: string) {
  return verificationError('webhook_header_malformed', { detail: `The request URL: ${detail}` });
}

function isForm(headers: HeaderInput): boolean {
  const type = readHeader(headers, 'content-type');
  return type !== undefined && /^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(type);
}

function isEmpty(body: string | Uint8Array): boolean {
  return body.length === 0;
}

/**
 * Twilio: `X-Twilio-Signature: <base64>`, HMAC-SHA1 keyed with the auth token over the full
 * request URL followed by the sorted form fields (name then value). A JSON body is committed to
 * instead by a `bodySHA256` query parameter (lowercase hex SHA-256 of the body) in the signed
 * URL. A non-empty body that is neither form-encoded nor committed by `bodySHA256` is refused
 * (`webhook_body_unsupported`): the signature would not cover it. The URL is taken as received,
 * with and without the default port; `I-Twilio-Idempotency-Token` is reported (unsigned).
 */
export const twilioPreset: InboundPreset = {
  provider: 'twilio',
  algorithm: 'sha1',
  encoding: 'base64',
  signatureHeader: HEADER,
  toleranceSec: undefined,
  signsUrl: true,
  parse({ headers, body, url, publicOrigin }) {
    const value = presetHeader(headers, HEADER);
    if (!BASE64_20.test(value)) throw malformed(HEADER, 'expected canonical base64 of 20 bytes');
    const signedUrl = resolveSignedUrl(url, publicOrigin);
    const deliveryId = optionalPresetHeader(headers, 'i-twilio-idempotency-token');
    const bodySha256 = bodySha256Param(signedUrl);
    const variants = twilioUrlVariants(signedUrl);
    if (bodySha256 !== undefined) {
      return { signatures: [value], messages: variants.map((v) => [v]), bodySha256, deliveryId };
    }
    if (!isEmpty(body) && !isForm(headers)) {
      throw verificationError('webhook_body_unsupported', {
        detail:
          'Twilio signs form fields or a bodySHA256 URL parameter; this body is neither form-encoded nor committed by bodySHA256',
      });
    }
    if (isEmpty(body)) return { signatures: [value], messages: variants.map((v) => [v]), deliveryId };
    // Joined once and MACed after each URL variant as a second chunk: no per-variant concatenation.
    const fields = twilioFormString(body);
    return { signatures: [value], messages: variants.map((v) => [v, fields]), deliveryId };
  },
};
