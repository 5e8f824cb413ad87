import type { InboundProvider } from '../src/inbound.js';
import { toBase64, toHex } from '../src/internal/encoding.js';

/** 2023-11-14T22:13:20Z. */
export const NOW_SEC = 1_700_000_000;
export const NOW_MS = NOW_SEC * 1000;

/** One secret per provider, shaped as the provider hands it out. */
export const SECRETS: Readonly<Record<InboundProvider, string>> = {
  stripe: 'whsec_test_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX',
  github: "It's a Secret to Everybody",
  meta: '0123456789abcdef0123456789abcdef',
  shopify: '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',
  slack: '8f742231b10e8888abcd99yyyzzz85a5',
  twilio: '12345abcdef67890aabbccddeeff0011',
  hubspot: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
};

/** Another secret of the same shape (a forger's, or the next one in a rotation). */
export const OTHER_SECRETS: Readonly<Record<InboundProvider, string>> = {
  stripe: 'whsec_test_oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3',
  github: 'next-github-secret-2026',
  meta: 'fedcba9876543210fedcba9876543210',
  shopify: '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',
  slack: 'a2b3c4d5e6f708192a3b4c5d6e7f8091',
  twilio: 'fedcba09876543211100ffeeddccbbaa',
  hubspot: '3f1b2c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
};

export const PROVIDERS = Object.keys(SECRETS) as InboundProvider[];
export const URL = 'https://hooks.example.test/inbound?tenant=7';

const encoder = new TextEncoder();

async function mac(hash: 'SHA-256' | 'SHA-1', secret: string, parts: readonly (string | Uint8Array)[]) {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash }, false, ['sign']);
  const bytes = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p));
  const joined = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of bytes) {
    joined.set(b, offset);
    offset += b.length;
  }
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, joined));
}

async function sha256Hex(body: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>)));
}

/** A signed delivery as the provider sends it. */
export interface SignedDelivery {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly url: string;
  readonly method: string;
}

/**
 * Signs `body` the way `provider` does (Web Crypto, so it runs on the edge project too). Twilio
 * bodies are committed with `bodySHA256` so any bytes can be signed.
 */
export async function signFor(
  provider: InboundProvider,
  body: Uint8Array | string,
  options: { secret?: string; nowSec?: number; url?: string } = {},
): Promise<SignedDelivery> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const secret = options.secret ?? SECRETS[provider];
  const ts = options.nowSec ?? NOW_SEC;
  let url = options.url ?? URL;
  const method = 'POST';
  let headers: Record<string, string>;
  switch (provider) {
    case 'stripe':
      headers = { 'stripe-signature': `t=${ts},v1=${toHex(await mac('SHA-256', secret, [`${ts}.`, bytes]))}` };
      break;
    case 'github':
    case 'meta':
      headers = { 'x-hub-signature-256': `sha256=${toHex(await mac('SHA-256', secret, [bytes]))}` };
      break;
    case 'shopify':
      headers = { 'x-shopify-hmac-sha256': toBase64(await mac('SHA-256', secret, [bytes])) };
      break;
    case 'slack':
      headers = {
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': `v0=${toHex(await mac('SHA-256', secret, [`v0:${ts}:`, bytes]))}`,
      };
      break;
    case 'twilio':
      url = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${await sha256Hex(bytes)}`;
      headers = {
        'x-twilio-signature': toBase64(await mac('SHA-1', secret, [url])),
        'content-type': 'application/json',
      };
      break;
    case 'hubspot': {
      const ms = String(ts * 1000);
      headers = {
        'x-hubspot-request-timestamp': ms,
        'x-hubspot-signature-v3': toBase64(await mac('SHA-256', secret, [method + url, bytes, ms])),
      };
      break;
    }
  }
  return { headers, body: bytes, url, method };
}

/** The header that carries the signature, per provider. */
export const SIGNATURE_HEADER: Readonly<Record<InboundProvider, string>> = {
  stripe: 'stripe-signature',
  github: 'x-hub-signature-256',
  meta: 'x-hub-signature-256',
  shopify: 'x-shopify-hmac-sha256',
  slack: 'x-slack-signature',
  twilio: 'x-twilio-signature',
  hubspot: 'x-hubspot-signature-v3',
};

/** Whether the provider signs a timestamp. */
export const TIMESTAMPED: ReadonlySet<InboundProvider> = new Set(['stripe', 'slack', 'hubspot']);
