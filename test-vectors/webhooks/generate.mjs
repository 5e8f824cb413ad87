#!/usr/bin/env node
// Regenerates the webhook test vectors with node:crypto only (independently of @bulwark/webhooks):
//   node test-vectors/webhooks/generate.mjs
// Deterministic: fixed secrets, nonces, timestamps and Ed25519 seed (Ed25519 signatures are deterministic).
import { createHash, createHmac, createPrivateKey, createPublicKey, sign as edSign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const NOW = 1_700_000_000;
const bytes = (n, f) => Buffer.from(Array.from({ length: n }, (_, i) => f(i) & 255));
const SECRET_A = bytes(32, (i) => i); // 00 01 … 1f
const SECRET_B = bytes(32, (i) => 0xa0 + i);
const SECRET_WRONG = bytes(24, () => 0x42);
const whsec = (b) => `whsec_${b.toString('base64')}`;
const SEED = bytes(32, (i) => 7 * i + 1);
const SEED_WRONG = bytes(32, (i) => 255 - i);
const edPrivate = (seed) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
const edPublicRaw = (seed) => createPublicKey(edPrivate(seed)).export({ format: 'der', type: 'spki' }).subarray(12);

const UNIT = '0123456789abcdef'.repeat(4); // 64 ASCII bytes
const BODIES = {
  json: Buffer.from('{"type":"invoice.paid","data":{"id":"in_1","amount":4200}}'),
  empty: Buffer.alloc(0),
  unicode: Buffer.from('{"text":"héllo wörld — 世界 🎉 𝄞 \u{1F600}"}'),
  crlf: Buffer.from('line one\r\nline two\r\n\r\n'),
  binary: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x0a]),
};
const repeat = (count) => ({ spec: { unit: UNIT, count }, buf: Buffer.from(UNIT.repeat(count)) });
const KIB64 = repeat(1024);
const KIB256 = repeat(4096);

function bodyFields(buf, spec) {
  if (spec) return { bodyRepeat: spec };
  const text = buf.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(buf);
  return { ...(utf8 ? { body: text } : {}), bodyBase64: buf.toString('base64') };
}

const hmac = (key, ...parts) => {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
};
const flipLastHexDigit = (hex) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
const flipFirstBase64Char = (b64) => (b64[0] === 'A' ? 'B' : 'A') + b64.slice(1);

// ---------- Bulwark v1 ----------
function bulwarkSig(key, ts, nonce, body) {
  const canonical = `${ts}.${nonce}.${createHash('sha256').update(body).digest('hex')}`;
  return { canonical, sig: `v1=${hmac(key, canonical).toString('hex')}` };
}
function bulwarkCase(name, opts) {
  const ts = opts.ts ?? NOW;
  const nonce = opts.nonce ?? `n0nce_${name.replace(/[^a-z0-9]/gi, '').slice(0, 20)}`;
  const body = opts.body ?? BODIES.json;
  const signKeys = opts.signWith ?? [SECRET_A];
  const parts = signKeys.map((k) => bulwarkSig(k, ts, nonce, body));
  const headers = {
    'bulwark-timestamp': String(ts),
    'bulwark-nonce': nonce,
    'bulwark-signature': parts.map((p) => p.sig).join(' '),
    ...opts.headers,
  };
  for (const [k, v] of Object.entries(headers)) if (v === undefined) delete headers[k];
  return {
    name,
    now: opts.now ?? NOW,
    ...(opts.tolerance ? { tolerance: opts.tolerance } : {}),
    secrets: (opts.secrets ?? [['primary', SECRET_A]]).map(([id, k]) => ({ id, secret: whsec(k) })),
    headers,
    ...bodyFields(opts.verifyBody ?? body, opts.verifyBody ? undefined : opts.spec),
    ...(opts.code ? {} : { canonical: parts[0].canonical }),
    expected: opts.code
      ? { valid: false, code: opts.code }
      : { valid: true, keyId: opts.keyId ?? 'primary', id: nonce, timestamp: ts },
  };
}

const sigA = (ts = NOW, nonce = 'n0nce_flip', body = BODIES.json) => bulwarkSig(SECRET_A, ts, nonce, body).sig;
const bulwark = [
  bulwarkCase('json body', {}),
  bulwarkCase('empty body', { body: BODIES.empty }),
  bulwarkCase('unicode with astral characters', { body: BODIES.unicode }),
  bulwarkCase('CRLF line endings', { body: BODIES.crlf }),
  bulwarkCase('non-UTF-8 bytes', { body: BODIES.binary }),
  bulwarkCase('64 KiB body', { body: KIB64.buf, spec: KIB64.spec }),
  bulwarkCase('256 KiB body', { body: KIB256.buf, spec: KIB256.spec }),
  bulwarkCase('rotation: two signatures, receiver knows only the new key', {
    signWith: [SECRET_A, SECRET_B],
    secrets: [['2026-02', SECRET_B]],
    keyId: '2026-02',
  }),
  bulwarkCase('rotation: one signature, receiver knows old and new keys', {
    signWith: [SECRET_B],
    secrets: [
      ['2026-01', SECRET_A],
      ['2026-02', SECRET_B],
    ],
    keyId: '2026-02',
  }),
  bulwarkCase('tolerance: exactly pastSec old', { ts: NOW - 300 }),
  bulwarkCase('tolerance: exactly futureSec ahead', { ts: NOW + 300 }),
  bulwarkCase('tolerance: custom window, 10 s old', { ts: NOW - 10, tolerance: { pastSec: 10, futureSec: 0 } }),
  bulwarkCase('unknown version next to v1 is ignored', {
    nonce: 'n0nce_unknownversion',
    headers: { 'bulwark-signature': `v2=zzzz ${sigA(NOW, 'n0nce_unknownversion')}` },
  }),
  bulwarkCase('tampered body', {
    verifyBody: Buffer.from('{"type":"invoice.paid","data":{"id":"in_2","amount":4200}}'),
    code: 'webhook_signature_mismatch',
  }),
  bulwarkCase('re-serialized JSON body', {
    verifyBody: Buffer.from('{"type": "invoice.paid", "data": {"id": "in_1", "amount": 4200}}'),
    code: 'webhook_signature_mismatch',
  }),
  bulwarkCase('wrong secret', { secrets: [['primary', SECRET_WRONG]], code: 'webhook_signature_mismatch' }),
  bulwarkCase('stale timestamp', { ts: NOW - 301, code: 'webhook_timestamp_too_old' }),
  bulwarkCase('future timestamp', { ts: NOW + 301, code: 'webhook_timestamp_in_future' }),
  bulwarkCase('custom window, 11 s old', {
    ts: NOW - 11,
    tolerance: { pastSec: 10, futureSec: 0 },
    code: 'webhook_timestamp_too_old',
  }),
  bulwarkCase('missing signature header', {
    headers: { 'bulwark-signature': undefined },
    code: 'webhook_header_missing',
  }),
  bulwarkCase('missing timestamp header', {
    headers: { 'bulwark-timestamp': undefined },
    code: 'webhook_header_missing',
  }),
  bulwarkCase('missing nonce header', { headers: { 'bulwark-nonce': undefined }, code: 'webhook_header_missing' }),
  bulwarkCase('millisecond timestamp', {
    headers: { 'bulwark-timestamp': String(NOW * 1000) },
    code: 'webhook_timestamp_invalid',
  }),
  bulwarkCase('non-numeric timestamp', {
    headers: { 'bulwark-timestamp': 'yesterday' },
    code: 'webhook_timestamp_invalid',
  }),
  bulwarkCase('decimal timestamp', { headers: { 'bulwark-timestamp': `${NOW}.5` }, code: 'webhook_timestamp_invalid' }),
  bulwarkCase('timestamp with leading zero', {
    headers: { 'bulwark-timestamp': `0${NOW}` },
    code: 'webhook_timestamp_invalid',
  }),
  bulwarkCase('timestamp with a plus sign', {
    headers: { 'bulwark-timestamp': `+${NOW}` },
    code: 'webhook_timestamp_invalid',
  }),
  bulwarkCase('timestamp with a space', {
    headers: { 'bulwark-timestamp': ` ${NOW}` },
    code: 'webhook_timestamp_invalid',
  }),
  bulwarkCase('nonce with a dot', { nonce: 'a.b', code: 'webhook_header_malformed' }),
  bulwarkCase('truncated MAC', {
    headers: { 'bulwark-signature': sigA().slice(0, -1) },
    code: 'webhook_header_malformed',
  }),
  bulwarkCase('uppercase MAC', {
    headers: { 'bulwark-signature': `v1=${sigA().slice(3).toUpperCase()}` },
    code: 'webhook_header_malformed',
  }),
  bulwarkCase('flipped MAC', {
    nonce: 'n0nce_flip',
    headers: { 'bulwark-signature': flipLastHexDigit(sigA()) },
    code: 'webhook_signature_mismatch',
  }),
  bulwarkCase('signatures separated by two spaces', {
    signWith: [SECRET_A, SECRET_B],
    headers: { 'bulwark-signature': `${sigA()}  ${sigA()}` },
    code: 'webhook_header_malformed',
  }),
  bulwarkCase('entry without version', {
    headers: { 'bulwark-signature': sigA().slice(3) },
    code: 'webhook_header_malformed',
  }),
  bulwarkCase('only an unknown version', {
    headers: { 'bulwark-signature': `v2=${sigA().slice(3)}` },
    code: 'webhook_signature_mismatch',
  }),
  bulwarkCase('Standard Webhooks style entry', {
    headers: { 'bulwark-signature': `v1,${Buffer.from(sigA().slice(3), 'hex').toString('base64')}` },
    code: 'webhook_header_malformed',
  }),
];

// ---------- Standard Webhooks v1 / v1a ----------
function standardCase(name, opts) {
  const ts = opts.ts ?? NOW;
  const id = opts.id ?? `msg_${name.replace(/[^a-z0-9]/gi, '').slice(0, 20)}`;
  const body = opts.body ?? BODIES.json;
  const content = Buffer.concat([Buffer.from(`${id}.${ts}.`), body]);
  const sigs = [
    ...(opts.signWith ?? (opts.ed ? [] : [SECRET_A])).map((k) => `v1,${hmac(k, content).toString('base64')}`),
    ...(opts.edSignWith ?? (opts.ed ? [SEED] : [])).map(
      (s) => `v1a,${edSign(null, content, edPrivate(s)).toString('base64')}`,
    ),
  ];
  const prefix = opts.svix ? 'svix' : 'webhook';
  const headers = {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(ts),
    [`${prefix}-signature`]: sigs.join(' '),
    ...opts.headers,
  };
  for (const [k, v] of Object.entries(headers)) if (v === undefined) delete headers[k];
  const keys = opts.ed
    ? {
        publicKeys: (opts.publicKeys ?? [['sender', SEED]]).map(([kid, s]) => ({
          id: kid,
          key: `whpk_${edPublicRaw(s).toString('base64')}`,
        })),
      }
    : { secrets: (opts.secrets ?? [['primary', SECRET_A]]).map(([kid, k]) => ({ id: kid, secret: whsec(k) })) };
  return {
    name,
    now: opts.now ?? NOW,
    ...(opts.tolerance ? { tolerance: opts.tolerance } : {}),
    ...keys,
    headers,
    ...bodyFields(opts.verifyBody ?? body, opts.verifyBody ? undefined : opts.spec),
    expected: opts.code
      ? { valid: false, code: opts.code }
      : { valid: true, keyId: opts.keyId ?? (opts.ed ? 'sender' : 'primary'), id, timestamp: ts },
  };
}
const stdSig = (id, ts = NOW, body = BODIES.json) =>
  `v1,${hmac(SECRET_A, Buffer.concat([Buffer.from(`${id}.${ts}.`), body])).toString('base64')}`;

const standard = [
  standardCase('json body', {}),
  standardCase('empty body', { body: BODIES.empty }),
  standardCase('unicode with astral characters', { body: BODIES.unicode }),
  standardCase('CRLF line endings', { body: BODIES.crlf }),
  standardCase('non-UTF-8 bytes', { body: BODIES.binary }),
  standardCase('64 KiB body', { body: KIB64.buf, spec: KIB64.spec }),
  standardCase('256 KiB body', { body: KIB256.buf, spec: KIB256.spec }),
  standardCase('svix-* header names', { svix: true }),
  standardCase('rotation: two signatures, receiver knows only the new key', {
    signWith: [SECRET_A, SECRET_B],
    secrets: [['2026-02', SECRET_B]],
    keyId: '2026-02',
  }),
  standardCase('tolerance: exactly pastSec old', { ts: NOW - 300 }),
  standardCase('tolerance: exactly futureSec ahead', { ts: NOW + 300 }),
  standardCase('unknown version next to v1 is ignored', {
    id: 'msg_unknown',
    headers: { 'webhook-signature': `v2,zzzz ${stdSig('msg_unknown')}` },
  }),
  standardCase('tampered body', {
    verifyBody: Buffer.from('{"type":"invoice.paid","data":{"id":"in_1","amount":4201}}'),
    code: 'webhook_signature_mismatch',
  }),
  standardCase('wrong secret', { secrets: [['primary', SECRET_WRONG]], code: 'webhook_signature_mismatch' }),
  standardCase('stale timestamp', { ts: NOW - 301, code: 'webhook_timestamp_too_old' }),
  standardCase('future timestamp', { ts: NOW + 301, code: 'webhook_timestamp_in_future' }),
  standardCase('missing signature header', {
    headers: { 'webhook-signature': undefined },
    code: 'webhook_header_missing',
  }),
  standardCase('missing id header', { headers: { 'webhook-id': undefined }, code: 'webhook_header_missing' }),
  standardCase('millisecond timestamp', {
    headers: { 'webhook-timestamp': String(NOW * 1000) },
    code: 'webhook_timestamp_invalid',
  }),
  standardCase('non-numeric timestamp', {
    headers: { 'webhook-timestamp': '1.7e9' },
    code: 'webhook_timestamp_invalid',
  }),
  standardCase('id with a space', { id: 'msg 1', code: 'webhook_header_malformed' }),
  standardCase('truncated signature', {
    id: 'msg_t',
    headers: { 'webhook-signature': stdSig('msg_t').slice(0, -4) },
    code: 'webhook_header_malformed',
  }),
  standardCase('flipped signature', {
    id: 'msg_f',
    headers: { 'webhook-signature': `v1,${flipFirstBase64Char(stdSig('msg_f').slice(3))}` },
    code: 'webhook_signature_mismatch',
  }),
  standardCase('signature without padding', {
    id: 'msg_p',
    headers: { 'webhook-signature': stdSig('msg_p').replace(/=$/, '') },
    code: 'webhook_header_malformed',
  }),
  standardCase('only an unknown version', {
    id: 'msg_u',
    headers: { 'webhook-signature': stdSig('msg_u').replace('v1,', 'v2,') },
    code: 'webhook_signature_mismatch',
  }),
];

const ed25519 = [
  standardCase('ed25519: json body', { ed: true }),
  standardCase('ed25519: empty body', { ed: true, body: BODIES.empty }),
  standardCase('ed25519: non-UTF-8 bytes', { ed: true, body: BODIES.binary }),
  standardCase('ed25519: 64 KiB body', { ed: true, body: KIB64.buf, spec: KIB64.spec }),
  standardCase('ed25519: rotation, receiver knows two keys', {
    ed: true,
    edSignWith: [SEED],
    publicKeys: [
      ['old', SEED_WRONG],
      ['new', SEED],
    ],
    keyId: 'new',
  }),
  standardCase('ed25519: tampered body', {
    ed: true,
    verifyBody: Buffer.from('{}'),
    code: 'webhook_signature_mismatch',
  }),
  standardCase('ed25519: wrong public key', {
    ed: true,
    publicKeys: [['sender', SEED_WRONG]],
    code: 'webhook_signature_mismatch',
  }),
  standardCase('ed25519: truncated signature', {
    ed: true,
    id: 'msg_edt',
    headers: { 'webhook-signature': `v1a,${Buffer.alloc(63).toString('base64')}` },
    code: 'webhook_header_malformed',
  }),
  standardCase('ed25519: stale timestamp', { ed: true, ts: NOW - 301, code: 'webhook_timestamp_too_old' }),
];

function write(file, scheme, description, cases) {
  const head = JSON.stringify(
    { format: 'bulwark-webhook-vectors/1', scheme, description, tolerance: { pastSec: 300, futureSec: 300 } },
    null,
    2,
  );
  const lines = cases.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  writeFileSync(join(here, file), `${head.slice(0, -2)},\n  "cases": [\n${lines}\n  ]\n}\n`);
}
write(
  'bulwark-v1.json',
  'bulwark',
  'Bulwark v1: HMAC-SHA256 over timestamp "." nonce "." lowercase-hex(SHA-256(body))',
  bulwark,
);
write('standard-v1.json', 'standard', 'Standard Webhooks v1: HMAC-SHA256 over id "." timestamp "." body', standard);
write('standard-v1a.json', 'standard', 'Standard Webhooks v1a: Ed25519 over id "." timestamp "." body', ed25519);
console.log(`wrote ${bulwark.length} + ${standard.length} + ${ed25519.length} cases`);
