import { BASE64_32, malformed, optionalPresetHeader, presetHeader } from '../headers.js';
import type { InboundPreset } from '../preset.js';

const HEADER = 'x-shopify-hmac-sha256';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the raw body keyed with the app's
 * client secret, canonical base64 of 32 bytes. No timestamp is signed; `X-Shopify-Webhook-Id` is
 * reported as the (unsigned) delivery id.
 */
export const shopifyPreset: InboundPreset = {
  provider: 'shopify',
  algorithm: 'sha256',
  encoding: 'base64',
  signatureHeader: HEADER,
  toleranceSec: undefined,
  signsUrl: false,
  parse({ headers, body }) {
    const value = presetHeader(headers, HEADER);
    if (!BASE64_32.test(value)) throw malformed(HEADER, 'expected canonical base64 of 32 bytes');
    return {
      signatures: [value],
      messages: [[body]],
      deliveryId: optionalPresetHeader(headers, 'x-shopify-webhook-id'),
    };
  },
};
