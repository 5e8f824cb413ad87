import { createHmac, timingSafeEqual } from 'node:crypto';
import { createInboundVerifier, type InboundProvider } from '@bulwark/webhooks/inbound';
import { Signature as HubSpotSignature } from '@hubspot/api-client';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import '@shopify/shopify-api/adapters/web-api';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import { verifySlackRequest } from '@slack/bolt';
import Stripe from 'stripe';
import twilio from 'twilio';
import type { BenchCase, BenchSubject, BenchSuite } from '../suite.js';

/** Rounds per preset: each round measures floor, ours and the SDK back to back, so load drift hits all alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const stripe = new Stripe('sk_test_bench');

/** A JSON payload of exactly `bytes` bytes. */
function payload(bytes: number): string {
  const head = '{"type":"invoice.paid","data":"';
  const tail = '"}';
  return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
}

const body = payload(1024);
const URL = 'https://hooks.example.com/twilio/sms?tenant=7';
const formParams: Record<string, string> = {
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  Body: 'x'.repeat(900),
  From: '+15551230001',
  MessageSid: 'SM0123456789abcdef0123456789abcdef',
  To: '+15551230002',
};
const formBody = new URLSearchParams(formParams).toString();

function floorSubject(
  algorithm: 'sha256' | 'sha1',
  secret: string,
  parts: readonly string[],
  expected: Buffer,
): BenchSubject {
  return {
    name: `node:crypto HMAC-${algorithm.toUpperCase()} + timingSafeEqual (floor)`,
    floor: true,
    fn: () => {
      const hmac = createHmac(algorithm, secret);
      for (const part of parts) hmac.update(part);
      if (!timingSafeEqual(hmac.digest(), expected)) throw new Error('mismatch');
    },
  };
}

/** The subjects of one preset: floor, @bulwark/webhooks/inbound, and the provider SDK's verify when it has one. */
function subjectsFor(provider: InboundProvider): BenchSubject[] {
  const nowSec = Math.floor(Date.now() / 1000);
  const hex = (secret: string, ...parts: string[]) =>
    parts.reduce((h, p) => h.update(p), createHmac('sha256', secret)).digest();
  const ours = (headers: Record<string, string>, extra: { url?: string; method?: string; body?: string } = {}) => {
    const verifier = createInboundVerifier({
      provider,
      secrets: secretOf(provider),
    });
    const input = { headers, body: extra.body ?? body, url: extra.url, method: extra.method };
    return { name: '@bulwark/webhooks/inbound', fn: () => verifier.verify(input) } satisfies BenchSubject;
  };
  const secret = secretOf(provider);
  switch (provider) {
    case 'stripe': {
      const mac = hex(secret, `${nowSec}.`, body);
      const header = `t=${nowSec},v1=${mac.toString('hex')}`;
      const signature = stripe.webhooks.signature;
      if (signature === null) throw new Error('stripe.webhooks.signature is unavailable');
      return [
        floorSubject('sha256', secret, [`${nowSec}.`, body], mac),
        ours({ 'stripe-signature': header }),
        {
          name: 'stripe webhooks.signature.verifyHeader',
          fn: () => signature.verifyHeader(body, header, secret),
        },
      ];
    }
    case 'github':
    case 'meta': {
      const mac = hex(secret, body);
      const header = `sha256=${mac.toString('hex')}`;
      const subjects = [floorSubject('sha256', secret, [body], mac), ours({ 'x-hub-signature-256': header })];
      if (provider === 'github') {
        subjects.push({ name: '@octokit/webhooks-methods verify', fn: () => octokitVerify(secret, body, header) });
      }
      return subjects;
    }
    case 'shopify': {
      const mac = hex(secret, body);
      const headers = { 'x-shopify-hmac-sha256': mac.toString('base64') };
      const shopify = shopifyApi({
        apiKey: 'bench',
        apiSecretKey: secret,
        apiVersion: ApiVersion.January26,
        scopes: [],
        hostName: 'hooks.example.com',
        isEmbeddedApp: false,
        logger: { level: LogSeverity.Error, log: async () => {} },
      });
      // validate also requires the routing headers; one Request is reused (the body is passed as rawBody).
      const rawRequest = new Request('https://hooks.example.com/shopify', {
        method: 'POST',
        headers: {
          ...headers,
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'bench.myshopify.com',
          'x-shopify-api-version': '2026-01',
          'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
        },
      });
      return [
        floorSubject('sha256', secret, [body], mac),
        ours(headers),
        {
          name: '@shopify/shopify-api webhooks.validate',
          fn: async () => {
            if (!(await shopify.webhooks.validate({ rawBody: body, rawRequest })).valid) throw new Error('invalid');
          },
        },
      ];
    }
    case 'slack': {
      const mac = hex(secret, `v0:${nowSec}:`, body);
      const headers = { 'x-slack-request-timestamp': String(nowSec), 'x-slack-signature': `v0=${mac.toString('hex')}` };
      return [
        floorSubject('sha256', secret, [`v0:${nowSec}:`, body], mac),
        ours(headers),
        {
          name: '@slack/bolt verifySlackRequest',
          fn: () =>
            verifySlackRequest({
              signingSecret: secret,
              body,
              headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': nowSec },
            }),
        },
      ];
    }
    case 'twilio': {
      const signature = twilio.getExpectedTwilioSignature(secret, URL, formParams);
      const mac = Buffer.from(signature, 'base64');
      const signed =
        URL +
        Object.keys(formParams)
          .sort()
          .map((k) => k + formParams[k])
          .join('');
      const headers = { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' };
      return [
        floorSubject('sha1', secret, [signed], mac),
        ours(headers, { url: URL, method: 'POST', body: formBody }),
        // The SDK gets the fields already parsed (Express did it); ours parses the raw body itself.
        {
          name: 'twilio validateRequest (pre-parsed fields)',
          fn: () => twilio.validateRequest(secret, signature, URL, formParams),
        },
      ];
    }
    case 'hubspot': {
      const ms = Date.now();
      const url = 'https://hooks.example.com/hubspot?portalId=62515';
      const mac = hex(secret, `POST${url}`, body, String(ms));
      const signature = mac.toString('base64');
      const headers = { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(ms) };
      return [
        floorSubject('sha256', secret, [`POST${url}`, body, String(ms)], mac),
        ours(headers, { url, method: 'POST' }),
        {
          name: '@hubspot/api-client Signature.isValid (v3)',
          fn: () =>
            HubSpotSignature.isValid({
              signatureVersion: 'v3',
              signature,
              clientSecret: secret,
              requestBody: body,
              url,
              method: 'POST',
              timestamp: ms,
            }),
        },
      ];
    }
  }
}

function secretOf(provider: InboundProvider): string {
  return provider === 'stripe' ? 'whsec_bench_stripe_secret_0123456789' : `${provider}-bench-secret-0123456789abcdef`;
}

const PRESETS: readonly InboundProvider[] = ['stripe', 'github', 'meta', 'shopify', 'slack', 'twilio', 'hubspot'];

/**
 * Provider presets at 1 KiB: raw node:crypto HMAC of the same signed bytes (the floor) against a
 * full @bulwark/webhooks/inbound verify (header parsing, tolerance, constant-time compare) and the
 * provider SDK's own verify where one exists, in interleaved rounds.
 */
export const suite: BenchSuite = {
  name: 'webhooks-inbound',
  description: `provider presets, 1 KiB: node:crypto HMAC (floor) vs @bulwark/webhooks/inbound vs the provider SDK verify (stripe, @octokit/webhooks-methods, @shopify/shopify-api, @slack/bolt, twilio, @hubspot/api-client), ${ROUNDS} interleaved rounds`,
  cases: () => {
    const cases: BenchCase[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const provider of PRESETS) {
        cases.push({ name: `verify ${provider} 1 KiB · round ${round}`, subjects: subjectsFor(provider) });
      }
    }
    return cases;
  },
};
