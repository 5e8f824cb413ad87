// The security audit's attacks (#17) against the real server: a child process on 127.0.0.1 over
// HTTP, on embedded SQLite and on Redis, restarted once on the same storage. `security.test.ts`
// attacks each finding in depth in-process; this file shows the deployed process holds too.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailgunSignature } from '@bulwark/email/mailgun';
import { redisUrl } from '@bulwark/testing';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { listeningUrl, startServerProcess } from './server-process.js';
import { filesBytes, redisBytes } from './stored-bytes.js';

const ADMIN = `process-admin-${'p'.repeat(24)}`;
const JWT_SECRET = `jwt-${'j'.repeat(40)}`;
const MAILGUN_KEY = `key-${randomUUID()}`;
const KEK = `proc:${Buffer.alloc(32, 5).toString('base64')}`;
type ServerProcess = ReturnType<typeof startServerProcess>;

async function listening(server: ServerProcess): Promise<string> {
  await expect.poll(server.output, { timeout: 30_000, interval: 50 }).toContain('bulwark reference server listening');
  return listeningUrl(server.output()) as string;
}

const modes = [
  { mode: 'embedded (SQLite)', redis: false },
  { mode: 'fleet (Redis)', redis: true },
];

describe('security: the attacks against the real server process', () => {
  it.each(modes)(
    '$mode: every attack is refused, and a restart keeps what must survive',
    {
      timeout: 90_000,
    },
    async ({ redis }) => {
      const url = redisUrl();
      if (redis && !url) throw new Error('REDIS_URL is required (the test command starts a Redis)');
      // A receiver that holds every delivery open: the events stay pending, so budgets stay used.
      const held: ServerResponse[] = [];
      const receiver = createServer((req, res) => {
        req.resume();
        held.push(res);
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-security-process-'));
      const prefix = `bulwark-test:security:${randomUUID()}:`;
      const reader = redis ? new Redis(url as string) : undefined;
      const env = {
        PORT: '0',
        DATA_DIR: dataDir,
        ADMIN_TOKEN: ADMIN,
        ADMIN_JWT_SECRET: JWT_SECRET,
        MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
        DATA_ENCRYPTION_KEYS: KEK,
        EMAIL_SENDER_DOMAINS: 'acme.test',
        STORAGE_BUDGET_BYTES_PER_KEY: '4096',
        WEBHOOK_REAL: '1',
        WEBHOOK_ALLOW_HTTP: '1',
        WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
        SHUTDOWN_DRAIN_MS: '0',
        SHUTDOWN_DEADLINE_MS: '2000',
        ...(redis ? { REDIS_URL: url as string, REDIS_KEY_PREFIX: prefix } : {}),
      };
      const started: ServerProcess[] = [];
      const start = () => {
        const server = startServerProcess(env);
        started.push(server);
        return server;
      };
      const json = { 'content-type': 'application/json' };
      const admin = (token = ADMIN) => ({ ...json, authorization: `Bearer ${token}` });
      try {
        const first = start();
        const base = await listening(first);
        const call = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init);
        const code = async (response: Response) => ((await response.json()) as { code?: string }).code;

        // 1, 2: nothing but the probes answers without credentials.
        for (const [path, method] of [
          ['/events', 'POST'],
          ['/events/evt_1', 'GET'],
          ['/email/send', 'POST'],
          ['/metrics', 'GET'],
          ['/admin/errors', 'GET'],
        ] as const) {
          const response = await call(path, { method, headers: json, ...(method === 'POST' ? { body: '{}' } : {}) });
          expect(response.status, `${method} ${path}`).toBe(401);
          expect(response.headers.get('content-type')).toContain('application/problem+json');
          expect(await code(response)).toBe('unauthorized');
        }
        for (const probe of ['/health/liveness', '/health/readiness']) expect((await call(probe)).status).toBe(200);

        // 12: security headers on the dashboard and the admin API; a request id on every answer.
        for (const [path, headers] of [
          ['/', {}],
          ['/admin/errors', admin()],
        ] as const) {
          const response = await call(path, { headers });
          expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
          expect(response.headers.get('x-content-type-options')).toBe('nosniff');
          expect(response.headers.get('x-request-id')).toBeTruthy();
        }

        // API keys: shown once; a key without the scope gets 403.
        const createKey = async (scopes: string[]) => {
          const response = await call('/admin/api-keys', {
            method: 'POST',
            headers: admin(),
            body: JSON.stringify({ name: 'p', scopes }),
          });
          expect(response.status).toBe(201);
          return ((await response.json()) as { key: string }).key;
        };
        const publisher = await createKey(['events:publish']);
        const filler = await createKey(['events:publish']);
        const sender = await createKey(['email:send']);
        const bearer = (key: string) => ({ ...json, authorization: `Bearer ${key}` });
        expect((await call('/events/evt_1', { headers: bearer(publisher) })).status).toBe(403);

        // 1: a browser's cross-site simple requests (no preflight) are refused before any effect.
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
          const response = await call('/events', {
            method: 'POST',
            headers: { ...bearer(publisher), 'content-type': type },
            body: JSON.stringify({ type: 'invoice.paid', id: 'inv_plain', payload: {} }),
          });
          expect(response.status, type).toBe(415);
        }

        // 9: private, loopback, metadata addresses refused at registration.
        for (const target of ['https://10.0.0.1/h', 'https://169.254.169.254/latest', 'https://[::1]/h']) {
          const response = await call('/admin/endpoints', {
            method: 'POST',
            headers: admin(),
            body: JSON.stringify({ url: target }),
          });
          expect(response.status, target).toBeGreaterThanOrEqual(400);
          expect(response.status, target).toBeLessThan(500);
        }
        const endpoint = await call('/admin/endpoints', {
          method: 'POST',
          headers: admin(),
          body: JSON.stringify({ url: receiverUrl, eventTypes: ['invoice.paid'], timeoutMs: 30_000 }),
        });
        expect(endpoint.status).toBe(201);
        const { secret } = (await endpoint.json()) as { secret: string };
        expect((await call('/events/inv_plain', { headers: admin() })).status).toBe(404);

        // Publish integrity: the same id and payload is a replay; another payload is refused.
        const publish = (key: string, body: unknown) =>
          call('/events', { method: 'POST', headers: bearer(key), body: JSON.stringify(body) });
        const invoice = (amount: number) => ({ type: 'invoice.paid', id: 'inv_1', payload: { amount } });
        expect((await publish(publisher, invoice(100))).status).toBe(202);
        const replay = await publish(publisher, invoice(100));
        expect(replay.status).toBe(202);
        expect(replay.headers.get('event-id-replayed')).toBe('true');
        const conflict = await publish(publisher, invoice(0));
        expect(conflict.status).toBe(409);
        expect(await code(conflict)).toBe('event_id_conflict');

        // 3: a key's pending payloads are bounded (the receiver holds them): 507 with Retry-After.
        const big = { type: 'invoice.paid', payload: { blob: 'x'.repeat(3_000) } };
        expect((await publish(filler, big)).status).toBe(202);
        const over = await publish(filler, big);
        expect(over.status).toBe(507);
        expect(over.headers.get('retry-after')).toBeTruthy();
        expect(await code(over)).toBe('storage_quota_exceeded');

        // 2: no open relay.
        const relay = await call('/email/send', {
          method: 'POST',
          headers: bearer(sender),
          body: JSON.stringify({ from: 'ceo@victim.test', to: 'a@example.com', subject: 'Hi', text: 'x' }),
        });
        expect(relay.status).toBe(422);
        expect(await code(relay)).toBe('sender_not_allowed');

        // 6: admin JWTs without exp, with a far exp, or alg none are refused; a short one works.
        const now = Math.floor(Date.now() / 1000);
        const jwt = (exp?: number) => {
          const token = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('ops').setIssuedAt(now);
          return (exp === undefined ? token : token.setExpirationTime(exp)).sign(new TextEncoder().encode(JWT_SECRET));
        };
        const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', exp: now + 60 })).toString('base64url')}.`;
        for (const token of [await jwt(), await jwt(now + 100 * 365 * 86_400), none]) {
          expect((await call('/admin/errors', { headers: admin(token) })).status).toBe(401);
        }
        expect((await call('/admin/errors', { headers: admin(await jwt(now + 600)) })).status).toBe(200);

        // 11: a Mailgun signature (it does not cover the body) is accepted once; the provider's retry is acknowledged.
        const timestamp = String(now);
        const token = `captured-${randomUUID()}`;
        const signature = { timestamp, token, signature: await mailgunSignature(MAILGUN_KEY, timestamp, token) };
        const mailgun = (recipient: string) =>
          call('/webhooks/email/mailgun', {
            method: 'POST',
            headers: json,
            body: JSON.stringify({
              signature,
              'event-data': { event: 'failed', severity: 'permanent', timestamp: now, id: `mg_${token}`, recipient },
            }),
          });
        expect(await (await mailgun('real@example.com')).json()).toMatchObject({ stored: 1 });
        const retried = await mailgun('real@example.com');
        expect(retried.status).toBe(200);
        expect(await retried.json()).toMatchObject({ stored: 0, duplicate: true });

        // 10: metric labels are the matched routes.
        const metrics = await (await call('/metrics', { headers: admin() })).text();
        expect(metrics).toContain('route="/events/:id"');
        expect(metrics).not.toContain('route="/events/*"');

        // 6: rotation; then failed authentication is throttled per source, forwarding headers
        // from an untrusted peer do not pick another source.
        const rotated = (
          (await (await call('/admin/token/rotate', { method: 'POST', headers: admin() })).json()) as {
            token: string;
          }
        ).token;
        expect((await call('/admin/errors', { headers: admin() })).status).toBe(401);
        // The failures above count too: at most ten per source and minute.
        const statuses: number[] = [];
        for (let i = 0; i < 11 && statuses.at(-1) !== 429; i++) {
          statuses.push((await call('/admin/errors', { headers: admin(`wrong-${i}`) })).status);
        }
        expect(statuses.at(-1)).toBe(429);
        const throttled = await call('/admin/errors', { headers: admin(rotated) });
        expect(throttled.status).toBe(429);
        expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(throttled.headers.get('x-request-id')).toBeTruthy();
        const spoofed = await call('/admin/errors', {
          headers: { ...admin(rotated), 'x-forwarded-for': '203.0.113.9' },
        });
        expect(spoofed.status).toBe(429);

        // 8: SIGTERM with deliveries held in flight: exit 0.
        first.child.kill('SIGTERM');
        expect(await first.exited).toBe(0);
        for (const res of held.splice(0)) res.destroy();

        // 5: no secret the test created or configured in any byte of DATA_DIR or Redis; owner-only files.
        const stored = Buffer.concat([
          filesBytes(dataDir),
          reader ? await redisBytes(reader, prefix) : Buffer.alloc(0),
        ]);
        expect(stored.includes(Buffer.from('bwenc1.proc.'))).toBe(true);
        const secrets = [ADMIN, rotated, publisher, filler, sender, JWT_SECRET, MAILGUN_KEY, secret];
        for (const value of secrets) expect(stored.includes(Buffer.from(value)), 'a secret at rest').toBe(false);
        for (const value of [secret.replace(/^whsec_/, ''), KEK.slice('proc:'.length)]) {
          expect(stored.includes(Buffer.from(value)), 'a secret at rest').toBe(false);
          expect(stored.includes(Buffer.from(value, 'base64')), 'a secret at rest').toBe(false);
        }
        expect(statSync(dataDir).mode & 0o077).toBe(0);
        for (const name of readdirSync(dataDir)) expect(statSync(join(dataDir, name)).mode & 0o077, name).toBe(0);

        // After a restart: the rotation holds, the audit log is read from the database with its
        // source, and the captured Mailgun signature with substituted data stores nothing.
        const second = start();
        const again = await listening(second);
        const callAgain = (path: string, init: RequestInit = {}) => fetch(`${again}${path}`, init);
        if (reader) {
          // In fleet mode the failed-authentication throttle is in Redis: the block outlives the
          // restart. Its window is then ended by hand (the block keys are deleted).
          expect((await callAgain('/admin/errors', { headers: admin() })).status).toBe(429);
          const throttleKeys = [
            ...(await reader.keys(`${prefix}auth-blocked:*`)),
            ...(await reader.keys(`*${prefix}auth-rl:*`)),
          ];
          expect(throttleKeys.length).toBeGreaterThan(0);
          await reader.del(...throttleKeys);
        }
        expect((await callAgain('/admin/errors', { headers: admin() })).status).toBe(401);
        const audit = await callAgain('/admin/audit', { headers: admin(rotated) });
        expect(audit.status).toBe(200);
        expect(((await audit.json()) as { records: unknown[] }).records).toContainEqual(
          expect.objectContaining({ action: 'admin_token.rotate', source: '127.0.0.1' }),
        );
        const substituted = await callAgain('/webhooks/email/mailgun', {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            signature,
            'event-data': {
              event: 'failed',
              severity: 'permanent',
              timestamp: now,
              id: `mg_${token}`,
              recipient: 'victim@example.com',
            },
          }),
        });
        expect(await substituted.json()).toMatchObject({ stored: 0, duplicate: true });
        const events = await (await callAgain('/admin/email/events', { headers: admin(rotated) })).text();
        expect(events).not.toContain('victim@example.com');
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      } finally {
        for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
        await Promise.all(started.map((server) => server.exited));
        for (const res of held) res.destroy();
        receiver.close();
        rmSync(dataDir, { recursive: true, force: true });
        if (reader) {
          const keys = await reader.keys(`*${prefix}*`);
          if (keys.length > 0) await reader.del(...keys);
          reader.disconnect();
        }
      }
    },
  );

  it('refuses to start in production without a configured key-encryption key, in one line', {
    timeout: 30_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-security-process-'));
    try {
      const server = startServerProcess({ PORT: '0', DATA_DIR: dataDir, BULWARK_ENV: 'production' });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('Startup failed: BULWARK_ENV=production needs DATA_ENCRYPTION_KEYS');
      expect(server.output()).not.toMatch(/\n\s+at /);
      // Nothing was generated in its place.
      expect(readdirSync(dataDir)).not.toContain('data-encryption.key');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
