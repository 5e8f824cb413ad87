import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { FakeClock } from '@bulwark/testing';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { getHmac as shopifyHmac } from '@shopify/shopify-api/test-helpers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInboundVerifier } from '../src/inbound.js';
import { NOW_MS, NOW_SEC, SECRETS } from './inbound-helpers.js';

const require = createRequire(import.meta.url);
const Stripe = require('stripe') as typeof import('stripe').default;
const twilio = require('twilio') as typeof import('twilio');
const { Signature: HubSpotSignature } = require('@hubspot/api-client') as typeof import('@hubspot/api-client');
const { isValidSlackRequest } = require('@slack/bolt') as typeof import('@slack/bolt');

const RUNS = 40;
const clock = new FakeClock(NOW_MS);
/** Printable text with multi-byte characters (the providers' libraries take strings). */
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('a', 'Z', '0', ' ', '{', '"', '&', '=', '+', '%', 'é', '世', '🎉'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 300,
});

describe("the presets accept what the providers' own libraries sign (fast-check)", () => {
  it('stripe webhooks.generateTestHeaderString', async () => {
    const stripe = new Stripe('sk_test_agreement');
    const verifier = createInboundVerifier({ provider: 'stripe', secrets: SECRETS.stripe, clock });
    await fc.assert(
      fc.asyncProperty(
        text.filter((t) => t.length > 0),
        fc.integer({ min: -300, max: 300 }),
        async (payload, skew) => {
          const header = stripe.webhooks.generateTestHeaderString({
            payload,
            secret: SECRETS.stripe,
            timestamp: NOW_SEC + skew,
          });
          const result = await verifier.verify({ headers: { 'stripe-signature': header }, body: payload });
          expect(result.timestampMs).toBe((NOW_SEC + skew) * 1000);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('@octokit/webhooks-methods sign', async () => {
    const verifier = createInboundVerifier({ provider: 'github', secrets: SECRETS.github });
    await fc.assert(
      fc.asyncProperty(
        text.filter((t) => t.length > 0),
        async (payload) => {
          const signature = await octokitSign(SECRETS.github, payload);
          expect((await verifier.verify({ headers: { 'x-hub-signature-256': signature }, body: payload })).keyId).toBe(
            '0',
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('twilio getExpectedTwilioSignature over arbitrary form fields (repeated names included)', async () => {
    const verifier = createInboundVerifier({ provider: 'twilio', secrets: SECRETS.twilio });
    const name = fc.string({
      unit: fc.constantFrom('A', 'b', 'C', '_', '0', '1', 'é', ' '),
      minLength: 1,
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, text), { maxLength: 12 }), async (pairs) => {
        const params: Record<string, string | string[]> = {};
        for (const [key, value] of pairs) {
          const existing = params[key];
          params[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
        }
        const url = 'https://hooks.example.test/twilio/sms?tenant=7';
        const signature = twilio.getExpectedTwilioSignature(SECRETS.twilio, url, params);
        const body = new URLSearchParams(pairs).toString();
        const headers = { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' };
        expect((await verifier.verify({ headers, body, url, method: 'POST' })).keyId).toBe('0');
      }),
      { numRuns: RUNS },
    );
  });

  it('@hubspot/api-client Signature.getSignature (v3)', async () => {
    const verifier = createInboundVerifier({ provider: 'hubspot', secrets: SECRETS.hubspot, clock });
    const path = fc.string({ unit: fc.constantFrom('a', 'b', '/', '-', '_', '.', '~', '='), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        text,
        path,
        fc.constantFrom('POST', 'GET', 'PUT'),
        fc.integer({ min: -300_000, max: 300_000 }),
        async (body, p, method, skew) => {
          const url = `https://hooks.example.test/hubspot/${p}`;
          const timestamp = NOW_MS + skew;
          // `signature` is required by the options type but unused when computing one.
          const signature = HubSpotSignature.getSignature(method, 'v3', {
            signature: '',
            clientSecret: SECRETS.hubspot,
            url,
            requestBody: body,
            timestamp,
          });
          const headers = { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) };
          expect((await verifier.verify({ headers, body, url, method })).timestampMs).toBe(timestamp);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('@shopify/shopify-api getHmac, in the webhooks and the Events header families', async () => {
    const verifier = createInboundVerifier({ provider: 'shopify', secrets: SECRETS.shopify });
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (payload, events) => {
        const prefix = events ? 'shopify-' : 'x-shopify-';
        const headers = {
          [`${prefix}hmac-sha256`]: shopifyHmac(payload, SECRETS.shopify),
          [`${prefix}webhook-id`]: 'w-1',
        };
        expect((await verifier.verify({ headers, body: payload })).deliveryId).toBe('w-1');
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the presets agree with the providers' own verifiers (fast-check)", () => {
  it('@slack/bolt verifySlackRequest accepts exactly what the slack preset accepts (bodies, skews, tampering)', async () => {
    const verifier = createInboundVerifier({ provider: 'slack', secrets: SECRETS.slack, clock });
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.integer({ min: -300, max: 300 }),
        fc.constantFrom('none', 'body', 'timestamp', 'signature'),
        async (body, skew, tamper) => {
          const ts = NOW_SEC + skew;
          const mac = createHmac('sha256', SECRETS.slack).update(`v0:${ts}:${body}`).digest('hex');
          const signature =
            tamper === 'signature' ? `v0=${mac.slice(0, -1)}${mac.endsWith('0') ? '1' : '0'}` : `v0=${mac}`;
          const sentTs = tamper === 'timestamp' ? ts - 1 : ts;
          const sentBody = tamper === 'body' ? `${body}!` : body;
          const bolt = isValidSlackRequest({
            signingSecret: SECRETS.slack,
            body: sentBody,
            headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': sentTs },
            nowMilliseconds: NOW_MS,
          });
          const ours = await verifier
            .verify({
              headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(sentTs) },
              body: sentBody,
            })
            .then(
              () => true,
              () => false,
            );
          expect([ours, bolt]).toEqual([tamper === 'none', tamper === 'none']);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
