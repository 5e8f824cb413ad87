import { readHeader } from '../../internal/headers.js';
import { BASE64_32, malformed, optionalPresetHeader, presetHeader } from '../headers.js';
import type { InboundPreset } from '../preset.js';

const HEADER = 'x-shopify-hmac-sha256';
/** Shopify Events (developer preview) sends the same HMAC in headers without the `X-` prefix. */
const EVENTS_HEADER = 'shopify-hmac-sha256';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>` (webhooks) or `Shopify-Hmac-Sha256: <base64>`
 * (Events), HMAC-SHA256 of the raw body keyed with the app's client secret, canonical base64 of
 * 32 bytes. When the Events header is present it is the one read, as `@shopify/shopify-api`
 * does. No timestamp is signed; `X-Shopify-Webhook-Id` / `Shopify-Webhook-Id` (same family as
 * the signature) is reported as the (unsigned) delivery id.
 */
export const shopifyPreset: InboundPreset = {
  provider: 'shopify',
  algorithm: 'sha256',
  encoding: 'base64',
  signatureHeader: HEADER,
  toleranceSec: undefined,
  signsUrl: false,
  parse({ headers, body }) {
    const events = readHeader(headers, EVENTS_HEADER) !== undefined;
    const name = events ? EVENTS_HEADER : HEADER;
    const value = presetHeader(headers, name);
    if (!BASE64_32.test(value)) throw malformed(name, 'expected canonical base64 of 32 bytes');
    return {
      signatures: [value],
      messages: [[body]],
      deliveryId: optionalPresetHeader(headers, events ? 'shopify-webhook-id' : 'x-shopify-webhook-id'),
    };
  },
};
