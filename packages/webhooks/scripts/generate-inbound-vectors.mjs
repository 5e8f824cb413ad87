#!/usr/bin/env node
// Regenerates the provider test vectors in test-vectors/<provider>/<provider>.json with each
// provider's official library where one is on npm (devDependencies of this package only):
//   stripe (webhooks.generateTestHeaderString), @octokit/webhooks-methods (sign),
//   twilio (getExpectedTwilioSignature; validateRequest / validateRequestWithBody re-check),
//   @hubspot/api-client (Signature.getSignature v3),
//   @shopify/shopify-api (getHmac of its test helpers; shopify.webhooks.validate re-check).
// Meta and Slack publish no official signing helper on npm: their vectors are computed with
// node:crypto from the provider's documented algorithm; Slack's are re-checked with
// @slack/bolt's verifySlackRequest.
// Every positive case is re-checked by the official verifier where one exists, so a vector that
// the provider's own code would refuse cannot be written.
//   node packages/webhooks/scripts/generate-inbound-vectors.mjs
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import '@shopify/shopify-api/adapters/web-api';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import { getHmac as shopifyHmac } from '@shopify/shopify-api/test-helpers';

const require = createRequire(import.meta.url);
const Stripe = require('stripe');
const twilio = require('twilio');
const { Signature: HubSpotSignature } = require('@hubspot/api-client');
const { verifySlackRequest } = require('@slack/bolt');

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../../test-vectors');
/** The installed version, read from this package's node_modules (some exports maps hide package.json). */
const version = (name) => JSON.parse(readFileSync(join(here, '../node_modules', name, 'package.json'), 'utf8')).version;
const NOW = 1_700_000_000;
const NOW_MS = NOW * 1000;

const JSON_BODY = '{"id":"evt_1","type":"invoice.paid","data":{"object":{"id":"in_1","amount":4200}}}';
const UNICODE_BODY = '{"text":"héllo wörld — 世界 🎉 𝄞 😀","emoji":"\\ud83d\\ude00"}';
const CRLF_BODY = 'line one\r\nline two\r\n';
const BIG_BODY = `{"pad":"${'x'.repeat(20_000)}"}`;
const TAMPERED = JSON_BODY.replace('4200', '4201');
const RESERIALIZED = JSON.stringify(JSON.parse(JSON_BODY), null, 1);

const hmacHex = (key, ...parts) => parts.reduce((h, p) => h.update(p), createHmac('sha256', key)).digest('hex');
const hmacB64 = (key, ...parts) => parts.reduce((h, p) => h.update(p), createHmac('sha256', key)).digest('base64');
const flipHex = (hex) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
const flipB64 = (b64) => (b64[0] === 'A' ? 'B' : 'A') + b64.slice(1);

function bodyFields(body) {
  const buf = Buffer.from(body, 'utf8');
  return { body, bodyBase64: buf.toString('base64') };
}
const ok = (keyId, extra = {}) => ({ valid: true, keyId, timestampMs: null, deliveryId: null, ...extra });
const bad = (code) => ({ valid: false, code });

function write(provider, description, generatedWith, tolerance, cases) {
  mkdirSync(join(out, provider), { recursive: true });
  const head = {
    format: 'bulwark-inbound-vectors/1',
    provider,
    description,
    generatedWith,
    tolerance,
  };
  const json = JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "cases": [\n');
  const lines = cases.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  writeFileSync(join(out, provider, `${provider}.json`), `${json}${lines}\n  ]\n}\n`);
  console.log(`${provider}: ${cases.length} cases`);
}

// ---------------- Stripe ----------------
{
  const stripe = new Stripe('sk_test_vectors');
  const A = 'whsec_test_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX';
  const B = 'whsec_test_oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3';
  const header = (payload, secret, timestamp = NOW) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  const v1Of = (h) =>
    h
      .split(',')
      .find((p) => p.startsWith('v1='))
      .slice(3);
  const check = (payload, h, secret) => {
    stripe.webhooks.signature.verifyHeader(payload, h, secret, 300, undefined, NOW);
    return h;
  };
  const base = { nowMs: NOW_MS, secrets: [{ id: 'primary', secret: A }] };
  const c = (name, headers, body, expected, extra = {}) => ({
    name,
    ...base,
    ...extra,
    headers,
    ...bodyFields(body),
    expected,
  });
  const hA = check(JSON_BODY, header(JSON_BODY, A), A);
  const twoSigs = `t=${NOW},v1=${v1Of(header(JSON_BODY, B))},v1=${v1Of(hA)}`;
  check(JSON_BODY, twoSigs, A);
  const withV0 = `${hA},v0=${'0'.repeat(64)}`;
  check(JSON_BODY, withV0, A);
  const old = header(JSON_BODY, A, NOW - 300);
  const ahead = header(JSON_BODY, A, NOW + 300);
  write(
    'stripe',
    'Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of `<t>.<body>`> keyed with the whsec_ secret as UTF-8; several v1 during a rotation',
    `stripe@${version('stripe')} webhooks.generateTestHeaderString; positives re-checked with webhooks.signature.verifyHeader`,
    { pastSec: 300, futureSec: 300 },
    [
      c('json body', { 'stripe-signature': hA }, JSON_BODY, ok('primary', { timestampMs: NOW_MS })),
      c(
        'unicode body',
        { 'stripe-signature': check(UNICODE_BODY, header(UNICODE_BODY, A), A) },
        UNICODE_BODY,
        ok('primary', { timestampMs: NOW_MS }),
      ),
      c(
        'CRLF body',
        { 'stripe-signature': check(CRLF_BODY, header(CRLF_BODY, A), A) },
        CRLF_BODY,
        ok('primary', { timestampMs: NOW_MS }),
      ),
      c(
        '20 KB body',
        { 'stripe-signature': check(BIG_BODY, header(BIG_BODY, A), A) },
        BIG_BODY,
        ok('primary', { timestampMs: NOW_MS }),
      ),
      c(
        'rotation: two v1 signatures, receiver knows the second secret',
        { 'stripe-signature': twoSigs },
        JSON_BODY,
        ok('primary', { timestampMs: NOW_MS }),
      ),
      c(
        'rotation: receiver knows old and new secrets, new one signed',
        { 'stripe-signature': check(JSON_BODY, header(JSON_BODY, B), B) },
        JSON_BODY,
        ok('2026-02', { timestampMs: NOW_MS }),
        {
          secrets: [
            { id: '2026-01', secret: A },
            { id: '2026-02', secret: B },
          ],
        },
      ),
      c(
        'v0 entry next to v1 is ignored',
        { 'stripe-signature': withV0 },
        JSON_BODY,
        ok('primary', { timestampMs: NOW_MS }),
      ),
      c(
        'tolerance: exactly 300 s old',
        { 'stripe-signature': old },
        JSON_BODY,
        ok('primary', { timestampMs: (NOW - 300) * 1000 }),
      ),
      c(
        'tolerance: exactly 300 s ahead',
        { 'stripe-signature': ahead },
        JSON_BODY,
        ok('primary', { timestampMs: (NOW + 300) * 1000 }),
      ),
      c('tampered body', { 'stripe-signature': hA }, TAMPERED, bad('webhook_signature_mismatch')),
      c('re-serialized JSON body', { 'stripe-signature': hA }, RESERIALIZED, bad('webhook_signature_mismatch')),
      c('wrong secret', { 'stripe-signature': header(JSON_BODY, B) }, JSON_BODY, bad('webhook_signature_mismatch')),
      c(
        'flipped signature',
        { 'stripe-signature': `t=${NOW},v1=${flipHex(v1Of(hA))}` },
        JSON_BODY,
        bad('webhook_signature_mismatch'),
      ),
      c(
        'only a v0 signature',
        { 'stripe-signature': `t=${NOW},v0=${v1Of(hA)}` },
        JSON_BODY,
        bad('webhook_signature_mismatch'),
      ),
      c(
        '301 s old',
        { 'stripe-signature': header(JSON_BODY, A, NOW - 301) },
        JSON_BODY,
        bad('webhook_timestamp_too_old'),
      ),
      c(
        '301 s ahead',
        { 'stripe-signature': header(JSON_BODY, A, NOW + 301) },
        JSON_BODY,
        bad('webhook_timestamp_in_future'),
      ),
      c('missing header', {}, JSON_BODY, bad('webhook_header_missing')),
      c('no t entry', { 'stripe-signature': `v1=${v1Of(hA)}` }, JSON_BODY, bad('webhook_header_malformed')),
      c('two t entries', { 'stripe-signature': `t=${NOW},${hA}` }, JSON_BODY, bad('webhook_header_malformed')),
      c(
        'millisecond timestamp',
        { 'stripe-signature': `t=${NOW_MS},v1=${v1Of(hA)}` },
        JSON_BODY,
        bad('webhook_timestamp_invalid'),
      ),
      c(
        'uppercase v1',
        { 'stripe-signature': `t=${NOW},v1=${v1Of(hA).toUpperCase()}` },
        JSON_BODY,
        bad('webhook_header_malformed'),
      ),
      c(
        'truncated v1',
        { 'stripe-signature': `t=${NOW},v1=${v1Of(hA).slice(0, 63)}` },
        JSON_BODY,
        bad('webhook_header_malformed'),
      ),
      c(
        'space after comma',
        { 'stripe-signature': `t=${NOW}, v1=${v1Of(hA)}` },
        JSON_BODY,
        bad('webhook_header_malformed'),
      ),
      c('empty entry', { 'stripe-signature': `t=${NOW},,v1=${v1Of(hA)}` }, JSON_BODY, bad('webhook_header_malformed')),
    ],
  );
}

// ---------------- GitHub and Meta (X-Hub-Signature-256) ----------------
async function hubVectors(provider, description, generatedWith, signWith, extraHeaders) {
  const A = provider === 'github' ? "It's a Secret to Everybody" : '0123456789abcdef0123456789abcdef';
  const B = provider === 'github' ? 'next-github-secret-2026' : 'fedcba9876543210fedcba9876543210';
  const base = { nowMs: NOW_MS, secrets: [{ id: 'primary', secret: A }] };
  const c = (name, headers, body, expected, extra = {}) => ({
    name,
    ...base,
    ...extra,
    headers,
    ...bodyFields(body),
    expected,
  });
  const sig = async (secret, body) => {
    const value = await signWith(secret, body);
    if (provider === 'github' && !(await octokitVerify(secret, body, value))) throw new Error('octokit refused');
    return value;
  };
  const deliveryId = provider === 'github' ? '72d3162e-cc78-11e3-81ab-4c9367dc0958' : null;
  const h = async (secret, body) => ({ 'x-hub-signature-256': await sig(secret, body), ...extraHeaders });
  const valid = (keyId) => ok(keyId, { deliveryId });
  const sA = await sig(A, JSON_BODY);
  write(provider, description, generatedWith, null, [
    c('json body', await h(A, JSON_BODY), JSON_BODY, valid('primary')),
    // @octokit/webhooks-methods refuses to sign an empty payload (GitHub never sends one).
    ...(provider === 'meta' ? [c('empty body', await h(A, ''), '', valid('primary'))] : []),
    c('unicode body', await h(A, UNICODE_BODY), UNICODE_BODY, valid('primary')),
    c('20 KB body', await h(A, BIG_BODY), BIG_BODY, valid('primary')),
    c(
      'rotation: receiver knows old and new secrets, new one signed',
      await h(B, JSON_BODY),
      JSON_BODY,
      valid('2026-02'),
      {
        secrets: [
          { id: '2026-01', secret: A },
          { id: '2026-02', secret: B },
        ],
      },
    ),
    c('tampered body', await h(A, JSON_BODY), TAMPERED, bad('webhook_signature_mismatch')),
    c('re-serialized JSON body', await h(A, JSON_BODY), RESERIALIZED, bad('webhook_signature_mismatch')),
    c('wrong secret', await h(B, JSON_BODY), JSON_BODY, bad('webhook_signature_mismatch')),
    c(
      'flipped signature',
      { 'x-hub-signature-256': flipHex(sA), ...extraHeaders },
      JSON_BODY,
      bad('webhook_signature_mismatch'),
    ),
    c('missing header', { ...extraHeaders }, JSON_BODY, bad('webhook_header_missing')),
    c(
      'legacy sha1 prefix',
      { 'x-hub-signature-256': `sha1=${sA.slice(7, 47)}`, ...extraHeaders },
      JSON_BODY,
      bad('webhook_header_malformed'),
    ),
    c(
      'uppercase hex',
      { 'x-hub-signature-256': `sha256=${sA.slice(7).toUpperCase()}`, ...extraHeaders },
      JSON_BODY,
      bad('webhook_header_malformed'),
    ),
    c('no prefix', { 'x-hub-signature-256': sA.slice(7), ...extraHeaders }, JSON_BODY, bad('webhook_header_malformed')),
    c(
      'truncated',
      { 'x-hub-signature-256': sA.slice(0, -1), ...extraHeaders },
      JSON_BODY,
      bad('webhook_header_malformed'),
    ),
    c(
      'two signatures',
      { 'x-hub-signature-256': `${sA} ${sA}`, ...extraHeaders },
      JSON_BODY,
      bad('webhook_header_malformed'),
    ),
  ]);
}
await hubVectors(
  'github',
  'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body> keyed with the webhook secret as UTF-8; X-GitHub-Delivery reported unsigned',
  `@octokit/webhooks-methods@${version('@octokit/webhooks-methods')} sign; positives re-checked with verify`,
  octokitSign,
  { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-github-event': 'push' },
);
await hubVectors(
  'meta',
  'Meta / WhatsApp Cloud API: X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body> keyed with the app secret as UTF-8',
  'node:crypto from the documented algorithm (Meta publishes no signing helper on npm)',
  async (secret, body) => `sha256=${hmacHex(secret, body)}`,
  {},
);

// ---------------- Shopify ----------------
{
  const A = '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';
  const B = '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';
  const base = { nowMs: NOW_MS, secrets: [{ id: 'primary', secret: A }] };
  const c = (name, headers, body, expected, extra = {}) => ({
    name,
    ...base,
    ...extra,
    headers,
    ...bodyFields(body),
    expected,
  });
  const webhookId = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043';
  const eventsId = '6f0b4a8e-2b1d-4c7e-9a53-0d2f1e8c7b64';
  const h = (secret, body) => ({
    'x-shopify-hmac-sha256': shopifyHmac(body, secret),
    'x-shopify-webhook-id': webhookId,
    'x-shopify-topic': 'orders/create',
  });
  /** An Events delivery (developer preview): the same HMAC, headers without the X- prefix. */
  const ev = (secret, body) => ({
    'shopify-hmac-sha256': shopifyHmac(body, secret),
    'shopify-webhook-id': eventsId,
    'shopify-topic': 'orders/create',
  });
  const valid = (keyId, id = webhookId) => ok(keyId, { deliveryId: id });
  const sA = shopifyHmac(JSON_BODY, A);
  /** shopify.webhooks.validate over a Fetch Request with the vector's headers and the routing headers it also requires. */
  const validates = async (secret, headers, body) => {
    const shopify = shopifyApi({
      apiKey: 'vectors',
      apiSecretKey: secret,
      apiVersion: ApiVersion.January26,
      scopes: [],
      hostName: 'hooks.example.com',
      isEmbeddedApp: false,
      logger: { level: LogSeverity.Error, log: async () => {} },
    });
    const events = headers['shopify-hmac-sha256'] !== undefined;
    const p = events ? 'shopify-' : 'x-shopify-';
    const all = { [`${p}shop-domain`]: 'vectors.myshopify.com', [`${p}api-version`]: '2026-01', ...headers };
    const rawRequest = new Request('https://hooks.example.com/shopify', { method: 'POST', headers: all, body });
    const result = await shopify.webhooks.validate({ rawBody: body, rawRequest });
    if (!result.valid) throw new Error(`@shopify/shopify-api refused a positive Shopify vector: ${result.reason}`);
  };
  const cases = [
    c('json body', h(A, JSON_BODY), JSON_BODY, valid('primary')),
    c('empty body', h(A, ''), '', valid('primary')),
    c('unicode body', h(A, UNICODE_BODY), UNICODE_BODY, valid('primary')),
    c('rotation: receiver knows old and new secrets, new one signed', h(B, JSON_BODY), JSON_BODY, valid('2026-02'), {
      secrets: [
        { id: '2026-01', secret: A },
        { id: '2026-02', secret: B },
      ],
    }),
    c('tampered body', h(A, JSON_BODY), TAMPERED, bad('webhook_signature_mismatch')),
    c('wrong secret', h(B, JSON_BODY), JSON_BODY, bad('webhook_signature_mismatch')),
    c(
      'flipped signature',
      { ...h(A, JSON_BODY), 'x-shopify-hmac-sha256': flipB64(sA) },
      JSON_BODY,
      bad('webhook_signature_mismatch'),
    ),
    c('missing header', { 'x-shopify-webhook-id': webhookId }, JSON_BODY, bad('webhook_header_missing')),
    c(
      'hex instead of base64',
      { ...h(A, JSON_BODY), 'x-shopify-hmac-sha256': hmacHex(A, JSON_BODY) },
      JSON_BODY,
      bad('webhook_header_malformed'),
    ),
    c(
      'unpadded base64',
      { ...h(A, JSON_BODY), 'x-shopify-hmac-sha256': sA.replace(/=+$/, '') },
      JSON_BODY,
      bad('webhook_header_malformed'),
    ),
    c(
      'url-safe base64',
      { ...h(A, JSON_BODY), 'x-shopify-hmac-sha256': sA.replace(/\+/g, '-').replace(/\//g, '_') },
      JSON_BODY,
      sA.includes('+') || sA.includes('/') ? bad('webhook_header_malformed') : valid('primary'),
    ),
    c(
      'events delivery: Shopify-Hmac-Sha256 and Shopify-Webhook-Id',
      ev(A, JSON_BODY),
      JSON_BODY,
      valid('primary', eventsId),
    ),
    c('events delivery, tampered body', ev(A, JSON_BODY), TAMPERED, bad('webhook_signature_mismatch')),
    c(
      'events and webhooks headers both present: the events pair is read, as @shopify/shopify-api does',
      { ...h(B, JSON_BODY), ...ev(A, JSON_BODY) },
      JSON_BODY,
      valid('primary', eventsId),
    ),
    c(
      'events delivery, hex instead of base64',
      { ...ev(A, JSON_BODY), 'shopify-hmac-sha256': hmacHex(A, JSON_BODY) },
      JSON_BODY,
      bad('webhook_header_malformed'),
    ),
  ];
  for (const v of cases) {
    // validate refuses an empty body before any HMAC (MissingBody); Shopify never sends one.
    if (!v.expected.valid || v.body === '') continue;
    const secret = v.secrets.find((e) => e.id === v.expected.keyId).secret;
    await validates(secret, v.headers, v.body);
  }
  write(
    'shopify',
    'X-Shopify-Hmac-Sha256 (webhooks) or Shopify-Hmac-Sha256 (Events, developer preview): <base64 HMAC-SHA256 of the raw body> keyed with the app client secret as UTF-8; X-Shopify-Webhook-Id / Shopify-Webhook-Id reported unsigned',
    `@shopify/shopify-api@${version('@shopify/shopify-api')} getHmac (test helpers); positives re-checked with shopify.webhooks.validate (but the empty body, which it refuses before the HMAC)`,
    null,
    cases,
  );
}

// ---------------- Slack ----------------
{
  const A = '8f742231b10e8888abcd99yyyzzz85a5';
  const B = 'a2b3c4d5e6f708192a3b4c5d6e7f8091';
  const base = { nowMs: NOW_MS, secrets: [{ id: 'primary', secret: A }] };
  const c = (name, headers, body, expected, extra = {}) => ({
    name,
    ...base,
    ...extra,
    headers,
    ...bodyFields(body),
    expected,
  });
  const FORM = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather&text=94070';
  const h = (secret, body, ts = NOW) => ({
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${hmacHex(secret, `v0:${ts}:`, body)}`,
  });
  const valid = (keyId, ts = NOW) => ok(keyId, { timestampMs: ts * 1000 });
  const sA = h(A, FORM)['x-slack-signature'];
  /** Throws unless @slack/bolt's verifySlackRequest accepts the vector at its own clock. */
  const boltAccepts = (v) => {
    const secret = v.secrets.find((e) => e.id === v.expected.keyId).secret;
    verifySlackRequest({
      signingSecret: secret,
      body: v.body,
      headers: {
        'x-slack-signature': v.headers['x-slack-signature'],
        'x-slack-request-timestamp': Number(v.headers['x-slack-request-timestamp']),
      },
      nowMilliseconds: v.nowMs,
    });
  };
  const slackCases = [
    c('slash command form body', h(A, FORM), FORM, valid('primary')),
    c('json event body', h(A, JSON_BODY), JSON_BODY, valid('primary')),
    c('rotation: receiver knows old and new secrets, new one signed', h(B, FORM), FORM, valid('2026-02'), {
      secrets: [
        { id: '2026-01', secret: A },
        { id: '2026-02', secret: B },
      ],
    }),
    c('tolerance: exactly 300 s old', h(A, FORM, NOW - 300), FORM, valid('primary', NOW - 300)),
    c('301 s old', h(A, FORM, NOW - 301), FORM, bad('webhook_timestamp_too_old')),
    c('301 s ahead', h(A, FORM, NOW + 301), FORM, bad('webhook_timestamp_in_future')),
    c('tampered body', h(A, FORM), FORM.replace('94070', '94071'), bad('webhook_signature_mismatch')),
    c('wrong secret', h(B, FORM), FORM, bad('webhook_signature_mismatch')),
    c(
      'timestamp changed',
      { ...h(A, FORM), 'x-slack-request-timestamp': String(NOW - 1) },
      FORM,
      bad('webhook_signature_mismatch'),
    ),
    c('missing timestamp', { 'x-slack-signature': sA }, FORM, bad('webhook_header_missing')),
    c('missing signature', { 'x-slack-request-timestamp': String(NOW) }, FORM, bad('webhook_header_missing')),
    c(
      'millisecond timestamp',
      { ...h(A, FORM), 'x-slack-request-timestamp': String(NOW_MS) },
      FORM,
      bad('webhook_timestamp_invalid'),
    ),
    c('v1 prefix', { ...h(A, FORM), 'x-slack-signature': `v1=${sA.slice(3)}` }, FORM, bad('webhook_header_malformed')),
    c(
      'uppercase hex',
      { ...h(A, FORM), 'x-slack-signature': `v0=${sA.slice(3).toUpperCase()}` },
      FORM,
      bad('webhook_header_malformed'),
    ),
  ];
  for (const v of slackCases) if (v.expected.valid) boltAccepts(v);
  write(
    'slack',
    'X-Slack-Signature: v0=<hex HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<body>`> keyed with the signing secret as UTF-8; 5 minute tolerance',
    `node:crypto from the documented algorithm (Slack publishes no signing helper); positives re-checked with @slack/bolt@${version('@slack/bolt')} verifySlackRequest`,
    { pastSec: 300, futureSec: 300 },
    slackCases,
  );
}

// ---------------- Twilio ----------------
{
  const A = '12345abcdef67890aabbccddeeff0011';
  const B = 'fedcba09876543211100ffeeddccbbaa';
  const URL_BASE = 'https://mycompany.example/myapp.php?foo=1&bar=2';
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  };
  const FORM = new URLSearchParams(params).toString();
  const REORDERED = new URLSearchParams(Object.entries(params).reverse()).toString();
  const FORM_SPACE =
    'Body=Hello+World%21+%F0%9F%8E%89&From=%2B12349013030&MediaUrl0=https%3A%2F%2Fapi.example%2Fm%3Fa%3D1';
  const spaceParams = Object.fromEntries(new URLSearchParams(FORM_SPACE));
  const REPEATED = 'To=%2B1&Tag=b&Tag=a&Tag=b';
  const FORM_TYPE = 'application/x-www-form-urlencoded';
  const sig = (secret, url, p) => {
    const value = twilio.getExpectedTwilioSignature(secret, url, p);
    return value;
  };
  const checked = (secret, url, p) => {
    const value = sig(secret, url, p);
    if (!twilio.validateRequest(secret, value, url, p)) throw new Error('twilio refused');
    return value;
  };
  const base = { nowMs: NOW_MS, secrets: [{ id: 'primary', secret: A }], method: 'POST', url: URL_BASE };
  const c = (name, headers, body, expected, extra = {}) => ({
    name,
    ...base,
    ...extra,
    headers,
    ...bodyFields(body),
    expected,
  });
  const form = (signature, extra = {}) => ({ 'x-twilio-signature': signature, 'content-type': FORM_TYPE, ...extra });
  const sA = checked(A, URL_BASE, params);
  const JSON_URL_BASE = 'https://mycompany.example/status';
  const bodyHash = createHash('sha256').update(JSON_BODY).digest('hex');
  const JSON_URL = `${JSON_URL_BASE}?bodySHA256=${bodyHash}`;
  const jsonSig = sig(A, JSON_URL, {});
  if (!twilio.validateRequestWithBody(A, jsonSig, JSON_URL, JSON_BODY)) throw new Error('twilio refused JSON');
  const PORT_URL = 'https://mycompany.example:443/myapp.php?foo=1&bar=2';
  const idem = 'idem-token-7f3c';
  write(
    'twilio',
    'X-Twilio-Signature: <base64 HMAC-SHA1 of URL + sorted form fields (name then value)> keyed with the auth token as UTF-8; JSON bodies are committed by a bodySHA256 query parameter; the URL is tried without and with the default port',
    `twilio@${version('twilio')} getExpectedTwilioSignature; positives re-checked with validateRequest / validateRequestWithBody`,
    null,
    [
      c('form body', form(sA), FORM, ok('primary')),
      c('form fields in another order', form(sA), REORDERED, ok('primary')),
      c('form with +, percent-escapes and emoji', form(checked(A, URL_BASE, spaceParams)), FORM_SPACE, ok('primary')),
      c(
        'repeated field: distinct values sorted',
        form(checked(A, URL_BASE, { To: '+1', Tag: ['b', 'a', 'b'] })),
        REPEATED,
        ok('primary'),
      ),
      c('empty body (GET-style callback)', { 'x-twilio-signature': checked(A, URL_BASE, {}) }, '', ok('primary'), {
        method: 'GET',
      }),
      c(
        'idempotency token is reported',
        form(sA, { 'i-twilio-idempotency-token': idem }),
        FORM,
        ok('primary', { deliveryId: idem }),
      ),
      c('signed with :443, received without a port', form(checked(A, PORT_URL, params)), FORM, ok('primary')),
      c('signed without a port, received with :443', form(sA), FORM, ok('primary'), { url: PORT_URL }),
      c('path-only url with publicOrigin', form(sA), FORM, ok('primary'), {
        url: '/myapp.php?foo=1&bar=2',
        publicOrigin: 'https://mycompany.example',
      }),
      c(
        'json body with bodySHA256',
        { 'x-twilio-signature': jsonSig, 'content-type': 'application/json' },
        JSON_BODY,
        ok('primary'),
        { url: JSON_URL },
      ),
      c(
        'rotation: receiver knows old and new tokens, new one signed',
        form(checked(B, URL_BASE, params)),
        FORM,
        ok('2026-02'),
        {
          secrets: [
            { id: '2026-01', secret: A },
            { id: '2026-02', secret: B },
          ],
        },
      ),
      c('tampered field value', form(sA), FORM.replace('1234', '1235'), bad('webhook_signature_mismatch')),
      c('extra field', form(sA), `${FORM}&Extra=1`, bad('webhook_signature_mismatch')),
      c('other url', form(sA), FORM, bad('webhook_signature_mismatch'), {
        url: 'https://mycompany.example/myapp.php?foo=1&bar=3',
      }),
      c('wrong token', form(sig(B, URL_BASE, params)), FORM, bad('webhook_signature_mismatch')),
      c(
        'json body tampered (bodySHA256 mismatch)',
        { 'x-twilio-signature': jsonSig, 'content-type': 'application/json' },
        TAMPERED,
        bad('webhook_signature_mismatch'),
        { url: JSON_URL },
      ),
      c(
        'json body without bodySHA256',
        { 'x-twilio-signature': sig(A, JSON_URL_BASE, {}), 'content-type': 'application/json' },
        JSON_BODY,
        bad('webhook_body_unsupported'),
        { url: JSON_URL_BASE },
      ),
      c(
        'malformed bodySHA256',
        { 'x-twilio-signature': jsonSig, 'content-type': 'application/json' },
        JSON_BODY,
        bad('webhook_header_malformed'),
        { url: `${JSON_URL_BASE}?bodySHA256=${bodyHash.toUpperCase()}` },
      ),
      c('malformed percent-escape in form', form(sA), 'Digits=%ZZ', bad('webhook_body_unsupported')),
      c('missing header', { 'content-type': FORM_TYPE }, FORM, bad('webhook_header_missing')),
      c(
        'hex signature',
        form(createHmac('sha1', A).update(URL_BASE).digest('hex')),
        FORM,
        bad('webhook_header_malformed'),
      ),
      c('sha256-length signature', form(hmacB64(A, URL_BASE)), FORM, bad('webhook_header_malformed')),
      c('path-only url without publicOrigin', form(sA), FORM, bad('webhook_url_unavailable'), {
        url: '/myapp.php?foo=1&bar=2',
      }),
    ],
  );
}

// ---------------- HubSpot v3 ----------------
{
  const A = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
  const B = '3f1b2c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d';
  const URL_BASE = 'https://www.example.com/webhook_uri?portalId=62515';
  const sig = (secret, url, body, timestamp, method = 'POST') =>
    HubSpotSignature.getSignature(method, 'v3', { clientSecret: secret, url, requestBody: body, timestamp });
  const base = { nowMs: NOW_MS, secrets: [{ id: 'primary', secret: A }], method: 'POST', url: URL_BASE };
  const c = (name, headers, body, expected, extra = {}) => ({
    name,
    ...base,
    ...extra,
    headers,
    ...bodyFields(body),
    expected,
  });
  const h = (secret, body, ts = NOW_MS, url = URL_BASE, method = 'POST') => ({
    'x-hubspot-signature-v3': sig(secret, url, body, ts, method),
    'x-hubspot-request-timestamp': String(ts),
  });
  const valid = (keyId, ts = NOW_MS) => ok(keyId, { timestampMs: ts });
  const FORM_BODY = '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000}]';
  write(
    'hubspot',
    "X-HubSpot-Signature-v3: <base64 HMAC-SHA256 of method + uri + body + X-HubSpot-Request-Timestamp (Unix ms)> keyed with the client secret as UTF-8; 5 minute tolerance; the URI with HubSpot's listed percent-escapes decoded",
    `@hubspot/api-client@${version('@hubspot/api-client')} Signature.getSignature (v3)`,
    { pastSec: 300, futureSec: 300 },
    [
      c('json body', h(A, FORM_BODY), FORM_BODY, valid('primary')),
      c('empty body GET', h(A, '', NOW_MS, URL_BASE, 'GET'), '', valid('primary'), { method: 'GET' }),
      c('unicode body', h(A, UNICODE_BODY), UNICODE_BODY, valid('primary')),
      c('rotation: receiver knows old and new secrets, new one signed', h(B, FORM_BODY), FORM_BODY, valid('2026-02'), {
        secrets: [
          { id: '2026-01', secret: A },
          { id: '2026-02', secret: B },
        ],
      }),
      c(
        'escaped colon and at-sign in the query are decoded',
        h(A, FORM_BODY, NOW_MS, 'https://www.example.com/webhook_uri?email=a@b.example&t=10:30'),
        FORM_BODY,
        valid('primary'),
        {
          url: 'https://www.example.com/webhook_uri?email=a%40b.example&t=10%3A30',
        },
      ),
      c(
        'tolerance: exactly 300 s old',
        h(A, FORM_BODY, NOW_MS - 300_000),
        FORM_BODY,
        valid('primary', NOW_MS - 300_000),
      ),
      c('300001 ms old', h(A, FORM_BODY, NOW_MS - 300_001), FORM_BODY, bad('webhook_timestamp_too_old')),
      c('301 s ahead', h(A, FORM_BODY, NOW_MS + 301_000), FORM_BODY, bad('webhook_timestamp_in_future')),
      c('tampered body', h(A, FORM_BODY), FORM_BODY.replace('12345', '12346'), bad('webhook_signature_mismatch')),
      c('other method', h(A, FORM_BODY), FORM_BODY, bad('webhook_signature_mismatch'), { method: 'PUT' }),
      c('other url', h(A, FORM_BODY), FORM_BODY, bad('webhook_signature_mismatch'), {
        url: 'https://www.example.com/webhook_uri?portalId=62516',
      }),
      c('wrong secret', h(B, FORM_BODY), FORM_BODY, bad('webhook_signature_mismatch')),
      c(
        'timestamp changed',
        { ...h(A, FORM_BODY), 'x-hubspot-request-timestamp': String(NOW_MS - 1) },
        FORM_BODY,
        bad('webhook_signature_mismatch'),
      ),
      c(
        'seconds timestamp, far too old',
        { ...h(A, FORM_BODY), 'x-hubspot-request-timestamp': String(NOW) },
        FORM_BODY,
        bad('webhook_timestamp_too_old'),
      ),
      c(
        'decimal timestamp',
        { ...h(A, FORM_BODY), 'x-hubspot-request-timestamp': `${NOW_MS}.5` },
        FORM_BODY,
        bad('webhook_timestamp_invalid'),
      ),
      c(
        'missing timestamp',
        { 'x-hubspot-signature-v3': h(A, FORM_BODY)['x-hubspot-signature-v3'] },
        FORM_BODY,
        bad('webhook_header_missing'),
      ),
      c(
        'missing signature',
        { 'x-hubspot-request-timestamp': String(NOW_MS) },
        FORM_BODY,
        bad('webhook_header_missing'),
      ),
      c(
        'hex signature',
        { ...h(A, FORM_BODY), 'x-hubspot-signature-v3': hmacHex(A, `POST${URL_BASE}${FORM_BODY}${NOW_MS}`) },
        FORM_BODY,
        bad('webhook_header_malformed'),
      ),
    ],
  );
}
