import { parseTimestamp } from '../../internal/timestamp.js';
import { HEX_256, malformed, presetHeader } from '../headers.js';
import type { InboundPreset } from '../preset.js';

const HEADER = 'stripe-signature';
const MAX_ENTRIES = 16;
/** `<scheme>=<value>`: scheme 1-8 of [a-z0-9], value visible ASCII without `,` or `=`. */
const ENTRY = /^([a-z0-9]{1,8})=([\x21-\x2b\x2d-\x3c\x3e-\x7e]{1,512})$/;

/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (one `v1` per live secret
 * during a rotation), HMAC-SHA256 of `${t}.${body}` keyed with the endpoint's `whsec_…` secret,
 * lowercase hex. Entries of other schemes (`v0`, test-mode extras) are skipped; a second `t`, a
 * malformed entry or a `v1` that is not 64 lowercase hex digits is malformed. Default tolerance
 * 300 s (Stripe's own default).
 */
export const stripePreset: InboundPreset = {
  provider: 'stripe',
  algorithm: 'sha256',
  encoding: 'hex',
  signatureHeader: HEADER,
  toleranceSec: 300,
  signsUrl: false,
  checkSecret: (secret) => (secret.startsWith('whsec_') ? undefined : 'a Stripe signing secret starts with whsec_'),
  parse({ headers, body }) {
    const value = presetHeader(headers, HEADER);
    const parts = value.split(',');
    if (parts.length > MAX_ENTRIES) throw malformed(HEADER, `more than ${MAX_ENTRIES} entries`);
    let timestamp: string | undefined;
    const signatures: string[] = [];
    for (const part of parts) {
      const match = ENTRY.exec(part);
      if (!match) throw malformed(HEADER, 'each entry must be `<scheme>=<value>`, separated by commas');
      const [, scheme, text] = match as unknown as [string, string, string];
      if (scheme === 't') {
        if (timestamp !== undefined) throw malformed(HEADER, 'more than one t= entry');
        timestamp = text;
      } else if (scheme === 'v1') {
        if (!HEX_256.test(text)) throw malformed(HEADER, 'a v1 signature must be 64 lowercase hex digits');
        signatures.push(text);
      }
    }
    if (timestamp === undefined) throw malformed(HEADER, 'no t= entry');
    const seconds = parseTimestamp(timestamp, `${HEADER} t=`);
    return { signatures, timestampMs: seconds * 1000, messages: [[`${timestamp}.`, body]] };
  },
};
