import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import { createInboundVerifier, type InboundProvider } from '@bulwark/webhooks/inbound';
import { Signature as HubSpotSignature } from '@hubspot/api-client';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import '@shopify/shopify-api/adapters/web-api';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import { verifySlackRequest } from '@slack/bolt';
import Stripe from 'stripe';
import twilio from 'twilio';
import { median } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

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
    case 'twilio':
      return twilioSubjects(secret);
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

/**
 * The least work our Twilio verify must do: HMAC-SHA1 over both URL variants (without and with the
 * default port; a forged request must cost what a valid one does, so both are always computed),
 * each as RFC 2104 with two one-shot `crypto.hash` calls over precomputed key blocks (the
 * package's node:crypto path), compared with `timingSafeEqual`. No header, URL or form parsing.
 */
function twoVariantBound(secret: string, fields: string, expected: Buffer): BenchSubject {
  const key = Buffer.from(secret);
  const inner = Buffer.alloc(64 + 4096);
  const outer = Buffer.alloc(64 + 20);
  const ipad = Buffer.alloc(64, 0x36);
  const opad = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i] = (ipad[i] as number) ^ (key[i] as number);
    opad[i] = (opad[i] as number) ^ (key[i] as number);
  }
  const mac = (url: string): Buffer => {
    ipad.copy(inner);
    const end = 64 + inner.write(url, 64);
    const last = end + inner.write(fields, end);
    opad.copy(outer);
    outer.write(hash('sha1', inner.subarray(0, last), 'binary') as string, 64, 'latin1');
    return Buffer.from(hash('sha1', outer, 'base64') as string, 'base64');
  };
  const withPort = URL.replace('.com/', '.com:443/');
  return {
    name: 'bound: 2 HMAC-SHA1 one-shot (both URL variants)',
    fn: () => {
      const a = timingSafeEqual(mac(URL), expected);
      const b = timingSafeEqual(mac(withPort), expected);
      if (!a && !b) throw new Error('mismatch');
    },
  };
}

/**
 * Twilio, like with like: every subject checks the same request. The floor and the bound are
 * handed the signed string already built; ours is handed the raw form body, URL and headers; the
 * SDK is handed the fields pre-parsed (what Express's urlencoded parser leaves in `req.body`), and
 * again the raw body it must parse first (`querystring.parse`, the parser twilio itself imports).
 * Valid and forged (signed with another auth token) go through the same `then(onValid, onForged)`.
 */
function twilioSubjects(secret: string): BenchSubject[] {
  const signature = twilio.getExpectedTwilioSignature(secret, URL, formParams);
  const forgedSignature = twilio.getExpectedTwilioSignature(`${secret}-other`, URL, formParams);
  const mac = Buffer.from(signature, 'base64');
  const fields = Object.keys(formParams)
    .sort()
    .map((k) => k + formParams[k])
    .join('');
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const verifier = createInboundVerifier({ provider: 'twilio', secrets: secret });
  const valid = { headers: { ...form, 'x-twilio-signature': signature }, body: formBody, url: URL, method: 'POST' };
  const forged = { ...valid, headers: { ...form, 'x-twilio-signature': forgedSignature } };
  const expected = (): undefined => undefined;
  const unexpected = (): never => {
    throw new Error('a valid request failed or a forged one verified');
  };
  const stackless = (): undefined => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    new Error('No signature matched any configured secret');
    Error.stackTraceLimit = limit;
    return undefined;
  };
  return [
    floorSubject('sha1', secret, [URL + fields], mac),
    twoVariantBound(secret, fields, mac),
    { name: '@bulwark/webhooks/inbound', fn: () => verifier.verify(valid).then(expected, unexpected) },
    { name: '@bulwark/webhooks/inbound forged', fn: () => verifier.verify(forged).then(unexpected, expected) },
    // The least a failure that returns an Error can cost: a valid verify plus one stackless Error.
    { name: 'bound: valid + one stackless new Error', fn: () => verifier.verify(valid).then(stackless, unexpected) },
    {
      name: 'twilio validateRequest (pre-parsed fields)',
      fn: () => (twilio.validateRequest(secret, signature, URL, formParams) ? expected() : unexpected()),
    },
    {
      name: 'twilio validateRequest (raw body, querystring.parse)',
      fn: () => (twilio.validateRequest(secret, signature, URL, parseQuery(formBody)) ? expected() : unexpected()),
    },
    {
      name: 'twilio validateRequest forged (pre-parsed fields)',
      fn: () => (twilio.validateRequest(secret, forgedSignature, URL, formParams) ? unexpected() : expected()),
    },
  ];
}

/** Per-round ratios of the Twilio case, printed after the table. */
function twilioSummary(results: readonly BenchResult[]): string[] {
  const rounds = [...new Set(results.map((r) => r.case))].filter((c) => c.startsWith('verify twilio '));
  if (rounds.length === 0) return [];
  const ratios = (a: string, b: string) =>
    rounds.map((c) => {
      const ops = (subject: string) => results.find((r) => r.case === c && r.subject === subject)?.opsPerSec ?? NaN;
      return ops(a) / ops(b);
    });
  const line = (label: string, values: number[]) =>
    `  ${label.padEnd(34)} median ${median(values).toFixed(2)} (rounds ${values.map((v) => v.toFixed(2)).join(', ')})`;
  const ours = '@bulwark/webhooks/inbound';
  return [
    `twilio, ${rounds.length} interleaved rounds (ratios within a round):`,
    line('ours ÷ floor', ratios(ours, 'node:crypto HMAC-SHA1 + timingSafeEqual (floor)')),
    line('ours ÷ bound (2 one-shot HMACs)', ratios(ours, 'bound: 2 HMAC-SHA1 one-shot (both URL variants)')),
    line('ours ÷ SDK (pre-parsed fields)', ratios(ours, 'twilio validateRequest (pre-parsed fields)')),
    line('ours ÷ SDK (raw body)', ratios(ours, 'twilio validateRequest (raw body, querystring.parse)')),
    line('forged cost ÷ valid cost (ours)', ratios(ours, `${ours} forged`)),
    line('bound cost ÷ valid (+ one Error)', ratios(ours, 'bound: valid + one stackless new Error')),
    line(
      'forged cost ÷ valid cost (SDK)',
      ratios('twilio validateRequest (pre-parsed fields)', 'twilio validateRequest forged (pre-parsed fields)'),
    ),
  ];
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
  summary: twilioSummary,
};
