// #17 "a test scans every byte of DATA_DIR and of Redis for any secret the test created": the
// credentials an operator configures (provider API key, provider webhook secrets, admin JWT
// secret, the key-encryption key) are each used, and none of them, nor a secret the server
// issued, is in any byte the server stored, on embedded SQLite and on Redis.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailgunSignature } from '@bulwark/email/mailgun';
import { createTestServer, redisUrl } from '@bulwark/testing';
import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, buildTestApp } from './helpers.js';
import { filesBytes, redisBytes } from './stored-bytes.js';

const provider = createTestServer([
  http.post('https://api.resend.com/emails', () => HttpResponse.json({ id: 'em_1' })),
]);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A secret as text, and the other encodings it could be stored in. */
function forms(value: string): Buffer[] {
  const out = [Buffer.from(value)];
  const body = value.replace(/^(whsec_|[a-z]+:)/, '');
  if (body !== value) out.push(Buffer.from(body));
  if (/^[A-Za-z0-9+/]{32,}={0,2}$/.test(body)) out.push(Buffer.from(body, 'base64'));
  // An API key's secret part (`bwk_<id>.<secret>`).
  const secretPart = value.split('.')[1];
  if (secretPart) out.push(Buffer.from(secretPart));
  return out;
}

const modes = [
  { mode: 'embedded (SQLite)', redis: false },
  { mode: 'fleet (Redis)', redis: true },
];

describe('secrets at rest: configured credentials and issued secrets', () => {
  it.each(modes)('$mode: no byte of DATA_DIR or Redis holds any of them', { timeout: 20_000 }, async ({ redis }) => {
    const url = redisUrl();
    if (redis && !url) throw new Error('REDIS_URL is required (the test command starts a Redis)');
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-secrets-'));
    dirs.push(dir);
    const prefix = `bulwark-test:secrets:${randomUUID()}:`;
    const configured = {
      RESEND_API_KEY: `re_${randomBytes(18).toString('base64url')}`,
      RESEND_WEBHOOK_SECRET: generateSecret(),
      MAILGUN_WEBHOOK_SIGNING_KEY: `key-${randomBytes(16).toString('hex')}`,
      POSTMARK_WEBHOOK_PASSWORD: `pm-${randomBytes(16).toString('hex')}`,
      ADMIN_JWT_SECRET: randomBytes(32).toString('hex'),
      DATA_ENCRYPTION_KEYS: `kek:${randomBytes(32).toString('base64')}`,
    };
    const { request, services, clock } = buildTestApp({
      DATA_DIR: dir,
      EMAIL_PROVIDER: 'resend',
      POSTMARK_WEBHOOK_USERNAME: 'postmark',
      ...configured,
      ...(redis ? { REDIS_URL: url as string, REDIS_KEY_PREFIX: prefix } : {}),
    });
    const issued: string[] = [];
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      for (const closer of services.closers) await closer.close();
    };
    const reader = redis ? new Redis(url as string) : undefined;
    try {
      // The admin JWT secret signs the requests that create the rest.
      const now = Math.floor(clock.now() / 1000);
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('ops')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(configured.ADMIN_JWT_SECRET));
      const admin = { authorization: `Bearer ${jwt}` };
      const created = await request('/admin/endpoints', {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ url: 'https://receiver.example.com/h', eventTypes: ['invoice.paid'] }),
      });
      expect(created.status).toBe(201);
      const { secret } = (await created.json()) as { secret: string };
      issued.push(secret);
      const keyResponse = await request('/admin/api-keys', {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: 'sender', scopes: ['events:publish', 'email:send'] }),
      });
      const { key } = (await keyResponse.json()) as { key: string };
      issued.push(key);
      const bearer = { authorization: `Bearer ${key}` };
      const published = await request('/events', {
        method: 'POST',
        headers: { ...bearer, 'idempotency-key': '"evt-1"' },
        body: JSON.stringify({ type: 'invoice.paid', id: 'inv_1', payload: { amount: 1 } }),
      });
      expect(published.status).toBe(202);

      // The provider API key sends a message (the mocked provider sees it; nothing stores it).
      const sent = await request('/email/send', {
        method: 'POST',
        headers: { ...bearer, 'idempotency-key': '"mail-1"' },
        body: JSON.stringify({ from: 'hello@acme.test', to: 'ada@example.com', subject: 'Hi', text: 'x' }),
      });
      expect(await sent.json()).toMatchObject({ sent: true, provider: 'resend' });
      expect(provider.calls.at(-1)?.headers.authorization).toBe(`Bearer ${configured.RESEND_API_KEY}`);

      // Each provider webhook secret verifies an event that is then stored.
      const resendBody = JSON.stringify({
        type: 'email.bounced',
        created_at: '2026-11-22T00:00:01.000Z',
        data: { created_at: '2026-11-22T00:00:00.000Z', email_id: 'em_1', to: ['gone@example.com'] },
      });
      const resendHeaders = await createWebhookSigner({
        scheme: 'standard',
        secrets: [configured.RESEND_WEBHOOK_SECRET],
      }).sign({ body: resendBody, id: 'msg_1', timestamp: now });
      const timestamp = String(now);
      const token = 'secrets-at-rest-token';
      const mailgunBody = JSON.stringify({
        signature: {
          timestamp,
          token,
          signature: await mailgunSignature(configured.MAILGUN_WEBHOOK_SIGNING_KEY, timestamp, token),
        },
        'event-data': {
          event: 'failed',
          severity: 'permanent',
          timestamp: now,
          id: 'mg_1',
          recipient: 'x@example.com',
        },
      });
      const postmarkAuth = `Basic ${btoa(`postmark:${configured.POSTMARK_WEBHOOK_PASSWORD}`)}`;
      const postmarkBody = JSON.stringify({
        RecordType: 'SpamComplaint',
        ID: 42,
        MessageID: '00000000-0000-0000-0000-000000000001',
        Email: 'angry@example.com',
        BouncedAt: '2026-11-22T00:00:00Z',
      });
      for (const [name, body, headers] of [
        ['resend', resendBody, resendHeaders],
        ['mailgun', mailgunBody, {}],
        ['postmark', postmarkBody, { authorization: postmarkAuth }],
      ] as const) {
        const response = await request(`/webhooks/email/${name}`, { method: 'POST', headers, body });
        expect(await response.json(), name).toMatchObject({ stored: 1 });
      }
      await close();

      const stored = Buffer.concat([filesBytes(dir), reader ? await redisBytes(reader, prefix) : Buffer.alloc(0)]);
      // The scan reaches what was written: the sealed endpoint secret under the key id, the events.
      expect(stored.includes(Buffer.from('bwenc1.kek.'))).toBe(true);
      expect(stored.includes(Buffer.from('angry@example.com'))).toBe(true);
      // In fleet mode the API key rows are in Redis too (its digest, under the key id), and scanned.
      if (reader) expect(stored.includes(Buffer.from(`${prefix}{api-keys}:key:`))).toBe(true);
      const values = [
        ...Object.values(configured),
        ...issued,
        ADMIN_TOKEN,
        btoa(`postmark:${configured.POSTMARK_WEBHOOK_PASSWORD}`),
      ];
      for (const value of values) {
        for (const form of forms(value)) expect(stored.includes(form), 'a secret was found at rest').toBe(false);
      }
    } finally {
      await close();
      if (reader) {
        const keys = await reader.keys(`*${prefix}*`);
        if (keys.length > 0) await reader.del(...keys);
        reader.disconnect();
      }
    }
  });
});
