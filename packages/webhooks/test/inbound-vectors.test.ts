import { describe, expect, it } from 'vitest';
import github from '../../../test-vectors/github/github.json';
import hubspot from '../../../test-vectors/hubspot/hubspot.json';
import meta from '../../../test-vectors/meta/meta.json';
import shopify from '../../../test-vectors/shopify/shopify.json';
import slack from '../../../test-vectors/slack/slack.json';
import stripe from '../../../test-vectors/stripe/stripe.json';
import twilio from '../../../test-vectors/twilio/twilio.json';
import { createInboundVerifier, type InboundProvider } from '../src/inbound.js';
import { isWebhookError } from '../src/index.js';
import { fromBase64 } from '../src/internal/encoding.js';

interface InboundCase {
  name: string;
  nowMs: number;
  secrets: { id: string; secret: string }[];
  headers: Record<string, string>;
  url?: string;
  method?: string;
  publicOrigin?: string;
  body?: string;
  bodyBase64: string;
  expected:
    | { valid: true; keyId: string; timestampMs: number | null; deliveryId: string | null }
    | { valid: false; code: string };
}

interface InboundFile {
  format: string;
  provider: InboundProvider;
  tolerance: { pastSec: number; futureSec: number } | null;
  cases: InboundCase[];
}

const files = [stripe, github, meta, shopify, slack, twilio, hubspot] as InboundFile[];

describe.each(files.map((f) => [f.provider, f] as const))('provider vectors %s', (provider, file) => {
  it('declares the format', () => {
    expect(file.format).toBe('bulwark-inbound-vectors/1');
  });

  it.each(file.cases.map((c) => [c.name, c] as const))('%s', async (_name, vector) => {
    const body = fromBase64(vector.bodyBase64) as Uint8Array;
    if (vector.body !== undefined) expect(new TextDecoder().decode(body)).toBe(vector.body);
    for (const crypto of ['auto', 'webcrypto'] as const) {
      const verifier = createInboundVerifier({
        provider,
        secrets: vector.secrets,
        clock: { now: () => vector.nowMs },
        ...(file.tolerance ? { tolerance: file.tolerance } : {}),
        ...(vector.publicOrigin ? { publicOrigin: vector.publicOrigin } : {}),
        crypto,
      });
      const outcome = await verifier
        .verify({ headers: vector.headers, body, url: vector.url, method: vector.method })
        .then(
          (r) => ({
            valid: true as const,
            keyId: r.keyId,
            timestampMs: r.timestampMs ?? null,
            deliveryId: r.deliveryId ?? null,
          }),
          (error: unknown) => {
            expect(isWebhookError(error)).toBe(true);
            return { valid: false as const, code: (error as { code: string }).code };
          },
        );
      expect(outcome).toEqual(vector.expected);
    }
  });
});
