import { HEX_256, malformed, optionalPresetHeader, presetHeader } from '../headers.js';
import type { InboundPreset, InboundProvider } from '../preset.js';

const HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

/**
 * The `X-Hub-Signature-256: sha256=<hex>` scheme shared by GitHub and Meta (WhatsApp Cloud API,
 * Messenger, Instagram): HMAC-SHA256 of the raw body, lowercase hex. Exactly one signature; no
 * timestamp is signed, so replays are bounded only by a replay store's `replayTtlSec`.
 */
export function hubSignaturePreset(provider: InboundProvider, deliveryHeader: string | undefined): InboundPreset {
  return {
    provider,
    algorithm: 'sha256',
    encoding: 'hex',
    signatureHeader: HEADER,
    toleranceSec: undefined,
    signsUrl: false,
    parse({ headers, body }) {
      const value = presetHeader(headers, HEADER);
      const signature = value.slice(PREFIX.length);
      if (!value.startsWith(PREFIX) || !HEX_256.test(signature)) {
        throw malformed(HEADER, 'expected sha256= followed by 64 lowercase hex digits');
      }
      const deliveryId = deliveryHeader === undefined ? undefined : optionalPresetHeader(headers, deliveryHeader);
      return { signatures: [signature], messages: [[body]], deliveryId };
    },
  };
}

/** GitHub: `X-Hub-Signature-256`, the webhook secret; `X-GitHub-Delivery` is reported (unsigned). */
export const githubPreset: InboundPreset = hubSignaturePreset('github', 'x-github-delivery');

/** Meta / WhatsApp Cloud API: `X-Hub-Signature-256` keyed with the app secret. */
export const metaPreset: InboundPreset = hubSignaturePreset('meta', undefined);
