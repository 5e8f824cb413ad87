import { verificationError } from '../../internal/verification-error.js';
import { BASE64_32, malformed, presetHeader } from '../headers.js';
import type { InboundPreset } from '../preset.js';
import { resolveSignedUrl } from '../signed-url.js';

const HEADER = 'x-hubspot-signature-v3';
const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
/** Unix milliseconds: 1-13 ASCII digits, no sign, no leading zero. */
const MILLIS = /^(?:0|[1-9][0-9]{0,12})$/;
/** The escapes HubSpot's v3 instructions decode in the request URI before signing. */
const DECODED = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** The request URI as HubSpot signs it: the listed percent-escapes decoded, nothing else. */
export function hubspotUri(url: string): string {
  return url.replace(DECODED, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * HubSpot v3: `X-HubSpot-Signature-v3: <base64>`, HMAC-SHA256 keyed with the app's client secret
 * over `method + uri + body + X-HubSpot-Request-Timestamp` (Unix milliseconds). Default
 * tolerance 300 s (HubSpot: reject timestamps older than five minutes).
 */
export const hubspotPreset: InboundPreset = {
  provider: 'hubspot',
  algorithm: 'sha256',
  encoding: 'base64',
  signatureHeader: HEADER,
  toleranceSec: 300,
  signsUrl: true,
  parse({ headers, body, url, publicOrigin, method }) {
    const rawTimestamp = presetHeader(headers, TIMESTAMP_HEADER);
    const value = presetHeader(headers, HEADER);
    if (!MILLIS.test(rawTimestamp)) {
      throw verificationError('webhook_timestamp_invalid', {
        detail: `Header ${TIMESTAMP_HEADER} must be Unix milliseconds as ASCII digits`,
      });
    }
    if (!BASE64_32.test(value)) throw malformed(HEADER, 'expected canonical base64 of 32 bytes');
    if (method === undefined || !/^[A-Z]{1,16}$/.test(method)) {
      throw verificationError('webhook_url_unavailable', {
        detail: 'HubSpot signs the request method: pass `method` (uppercase) with the webhook',
      });
    }
    return {
      signatures: [value],
      timestampMs: Number(rawTimestamp),
      messages: [[method + hubspotUri(resolveSignedUrl(url, publicOrigin)), body, rawTimestamp]],
    };
  },
};
