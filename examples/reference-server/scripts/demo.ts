// `pnpm demo`: the reference server and a local receiver on 127.0.0.1, driven through the
// scenario from the issue, step by step. Every step asserts what it shows; any failure exits 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@bulwark/core';
import { createWebhookSigner, createWebhookVerifier, generateSecret } from '@bulwark/webhooks';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { listenOnLoopback } from '../src/listen-on-loopback.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';

const ADMIN_TOKEN = `demo-${generateSecret().slice(6, 38)}`;
const RESEND_SECRET = generateSecret();
const dataDir = mkdtempSync(join(tmpdir(), 'bulwark-demo-'));
const color = (code: number) => (text: string) => (process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);
const [green, red, dim, bold] = [color(32), color(31), color(2), color(1)];

// ── the customer's receiver ────────────────────────────────────────────────────────────────
type Mode = 'ok' | 'fail';
const modes: Record<string, Mode> = { a: 'ok', b: 'fail' };
const received: Array<{ path: string; id: string; headers: IncomingMessage['headers']; body: Buffer }> = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const path = (req.url ?? '/').replace(/^\//, '');
    if (modes[path] !== 'ok') {
      res.writeHead(500).end('receiver down');
      return;
    }
    received.push({ path, id: String(req.headers['webhook-id']), headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(204).end();
  });
});

// ── helpers ────────────────────────────────────────────────────────────────────────────────
let base = '';
let apiKey = '';
async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  admin = false,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  else if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}
function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(what);
}
async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
let stepNo = 0;
async function step(title: string, run: () => Promise<string | undefined>): Promise<void> {
  stepNo += 1;
  const started = Date.now();
  process.stdout.write(`${bold(`${stepNo}.`)} ${title}\n`);
  const note = await run();
  process.stdout.write(`   ${green('✔')} ${note ?? 'ok'} ${dim(`(${Date.now() - started} ms)`)}\n`);
}
async function breakerState(endpointId: string): Promise<string | undefined> {
  const deps = await api<{
    dependencies: Array<{ name: string; details?: { breakers?: Array<{ name: string; state: string }> } }>;
  }>('GET', '/health/dependencies', undefined, true);
  const group = deps.body.dependencies.find((d) => d.name === 'breakers:webhook-endpoints');
  return group?.details?.breakers?.find((b) => b.name === `webhook:${endpointId}`)?.state;
}
async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
  // Summed over the other labels (webhook counters also carry `simulated`).
  return text
    .split('\n')
    .filter((l) => l.startsWith(`bulwark_events_total{name="${name}"`))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
async function allSucceeded(ids: string[]): Promise<boolean> {
  for (const id of ids) {
    const status = await api<{ deliveries: Array<{ status: string }> }>('GET', `/events/${id}`);
    if (status.status !== 200 || status.body.deliveries.some((d) => d.status !== 'succeeded')) return false;
  }
  return true;
}

// ── the scenario ───────────────────────────────────────────────────────────────────────────
async function main(): Promise<void> {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const env = {
    DATA_DIR: dataDir,
    ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    WEBHOOK_REAL: '1',
    WEBHOOK_ALLOW_HTTP: '1',
    WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
    DELIVERY_RETRY_SCHEDULE_MS: '300,300,300,300',
    DELIVERY_POLL_INTERVAL_MS: '50',
    BREAKER_OPEN_WAIT_MS: '1500',
    RATE_LIMIT_PER_SECOND: '1000',
    RESEND_WEBHOOK_SECRET: RESEND_SECRET,
    EMAIL_SENDER_DOMAINS: 'acme.test',
    SHUTDOWN_DRAIN_MS: '0',
  };
  const config = loadConfig(env);
  const { services } = createServices(config, createLogger('silent'), systemClock, env);
  const app = createApp(services);
  const server = await listenOnLoopback(app.fetch);
  base = server.url;
  services.health.start();
  services.delivery?.dispatcher.start();
  console.log(bold(`Bulwark demo — server ${base}, receiver ${receiverUrl}\n`));

  try {
    await step(
      'Anonymous publishing is refused; an API key with scopes is created (shown once, stored hashed)',
      async () => {
        const anonymous = await api<{ code: string }>('POST', '/events', { type: 'order.created', payload: {} });
        check(
          anonymous.status === 401 && anonymous.body.code === 'unauthorized',
          `anonymous publish answered ${anonymous.status}`,
        );
        const text = await fetch(`${base}/events`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'text/plain' },
        });
        check(text.status === 415 || text.status === 401, `text/plain publish answered ${text.status}`);
        const created = await api<{ key: string }>(
          'POST',
          '/admin/api-keys',
          { name: 'demo publisher', scopes: ['events:publish', 'events:read', 'email:send'] },
          true,
        );
        check(created.status === 201 && created.body.key.startsWith('bwk_'), `key not created: ${created.status}`);
        apiKey = created.body.key;
        const wrongType = await api<{ code: string }>('POST', '/email/send', undefined);
        check(wrongType.status === 400 || wrongType.status === 422, `empty send answered ${wrongType.status}`);
        await fetch(`${base}/email/send`, {
          method: 'POST',
          body: 'hi',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/plain' },
        });
        return 'POST /events without credentials → 401; key bwk_… created with events:publish, events:read, email:send';
      },
    );

    let endpointA = '';
    let secretA = '';
    await step('Create endpoint A for order.created events (secret shown once)', async () => {
      const created = await api<{ endpoint: { id: string }; secret: string }>(
        'POST',
        '/admin/endpoints',
        { url: `${receiverUrl}/a`, eventTypes: ['order.created'] },
        true,
      );
      check(
        created.status === 201 && created.body.secret.startsWith('whsec_'),
        `endpoint not created: ${created.status}`,
      );
      endpointA = created.body.endpoint.id;
      secretA = created.body.secret;
      return `endpoint ${endpointA}`;
    });

    const orderIds: string[] = [];
    await step('Receiver A goes down; publish 10 events; failures are retried', async () => {
      modes.a = 'fail';
      for (let i = 0; i < 10; i++) {
        const published = await api<{ messageId: string }>('POST', '/events', {
          type: 'order.created',
          payload: { order: i },
        });
        check(published.status === 202, `publish answered ${published.status}`);
        orderIds.push(published.body.messageId);
      }
      await waitFor('failed attempts', async () => (await metric('webhook.error.real')) >= 5);
      return `${await metric('webhook.error.real')} failed attempts recorded, events kept in the outbox`;
    });

    await step("Endpoint A's circuit breaker opens (shown in /health/dependencies)", async () => {
      await waitFor('breaker OPEN', async () => (await breakerState(endpointA)) === 'open');
      const deps = await api<{ status: string }>('GET', '/health/dependencies', undefined, true);
      check(deps.body.status === 'warn', 'dependencies should report degraded (warn) while a breaker is open');
      const ready = await fetch(`${base}/health/readiness`);
      check(ready.status === 200, 'one open endpoint breaker must not take the server out of rotation');
      return `breaker webhook:${endpointA} is OPEN; /health/dependencies reports warn, readiness stays 200`;
    });

    await step('Receiver A recovers → half-open trial → closed → the queue drains', async () => {
      modes.a = 'ok';
      await waitFor('all 10 events delivered', () => allSucceeded(orderIds), 20_000).catch(async (error) => {
        if (process.env.DEMO_DEBUG) {
          for (const id of orderIds)
            console.log(JSON.stringify((await api('GET', `/admin/deliveries/${id}`, undefined, true)).body));
          console.log(await breakerState(endpointA));
        }
        throw error;
      });
      check((await metric('breaker.half_open')) >= 1, 'no half-open transition was recorded');
      check((await metric('breaker.close')) >= 1, 'no close transition was recorded');
      check((await breakerState(endpointA)) === 'closed', 'breaker should be closed again');
      const ids = new Set(received.filter((r) => r.path === 'a').map((r) => r.id));
      check(
        orderIds.every((id) => ids.has(id)),
        'receiver did not get every event',
      );
      return `10/10 delivered; breaker half_open ${await metric('breaker.half_open')}×, close ${await metric('breaker.close')}×, now CLOSED`;
    });

    let failedMessage = '';
    await step('A permanently failing endpoint B: the event lands in the DLQ', async () => {
      await api('POST', '/admin/endpoints', { url: `${receiverUrl}/b`, eventTypes: ['invoice.failed'] }, true);
      const published = await api<{ messageId: string }>('POST', '/events', {
        type: 'invoice.failed',
        payload: { invoice: 'in_1' },
      });
      failedMessage = published.body.messageId;
      const dlq = await waitFor('dead letter', async () => {
        const list = await api<{ items: Array<{ messageId: string; attempts: number; lastError: string }> }>(
          'GET',
          '/admin/dlq',
          undefined,
          true,
        );
        return list.body.items.find((item) => item.messageId === failedMessage);
      });
      return `dead-lettered after ${dlq.attempts} attempts (last error ${dlq.lastError})`;
    });

    await step('Receiver B is fixed; requeue from the DLQ → delivered', async () => {
      modes.b = 'ok';
      const requeued = await api<{ requeued: number }>(
        'POST',
        '/admin/dlq/requeue',
        { messageIds: [failedMessage] },
        true,
      );
      check(requeued.body.requeued === 1, `requeued ${requeued.body.requeued}`);
      await waitFor('requeued delivery succeeded', () => allSucceeded([failedMessage]), 20_000);
      return 'requeued 1, delivered, DLQ empty again';
    });

    await step("Rotate A's secret: during the overlap the receiver verifies with either key", async () => {
      const rotated = await api<{ secret: string }>(
        'POST',
        `/admin/webhooks/${endpointA}/rotate-secret`,
        undefined,
        true,
      );
      check(rotated.status === 201 && rotated.body.secret !== secretA, 'rotation did not return a new secret');
      const published = await api<{ messageId: string }>('POST', '/events', {
        type: 'order.created',
        payload: { order: 'after-rotation' },
      });
      const delivery = await waitFor('delivery after rotation', async () =>
        received.find((r) => r.id === published.body.messageId),
      );
      const signatures = String(delivery.headers['webhook-signature']).split(' ');
      check(signatures.length === 2, `expected two signatures during the overlap, got ${signatures.length}`);
      for (const [label, secret] of [
        ['old', secretA],
        ['new', rotated.body.secret],
      ] as const) {
        const verifier = createWebhookVerifier({ scheme: 'standard', secrets: [secret] });
        await verifier
          .verify({ headers: delivery.headers, body: new Uint8Array(delivery.body) })
          .catch((error: unknown) => {
            throw new Error(`verification with the ${label} secret failed: ${String(error)}`);
          });
      }
      return 'two signatures sent; verified with the old key alone and with the new key alone';
    });

    await step('A signed bounce webhook is ingested and suppresses the address', async () => {
      const payload = JSON.stringify({
        type: 'email.bounced',
        created_at: new Date().toISOString(),
        data: {
          created_at: new Date().toISOString(),
          email_id: 'em_demo_1',
          from: 'Acme <hello@acme.test>',
          to: ['gone@example.com'],
          subject: 'Welcome',
          bounce: { message: 'Mailbox does not exist', subType: 'General', type: 'Permanent' },
        },
      });
      const headers = await createWebhookSigner({ scheme: 'standard', secrets: [RESEND_SECRET] }).sign({
        body: payload,
      });
      const ingested = await fetch(`${base}/webhooks/email/resend`, { method: 'POST', headers, body: payload });
      check(ingested.status === 200, `ingestion answered ${ingested.status}`);
      const send = await api<{ sent: boolean }>('POST', '/email/send', {
        from: 'hello@acme.test',
        to: 'gone@example.com',
        subject: 'Hello again',
        text: 'Hi',
      });
      check(
        send.status === 202 && send.body.sent === false,
        `send answered ${send.status} ${JSON.stringify(send.body)}`,
      );
      check((await metric('email.bounced')) === 1, 'email.bounced metric not incremented');
      check((await metric('email.recipients_suppressed')) === 1, 'email.recipients_suppressed not counted');
      return 'bounce stored, gone@example.com suppressed, the next send accepted but not sent (the sender is not told who bounced)';
    });

    await step('What the admin sees: /admin/errors and /admin/slo/recommend', async () => {
      const errors = await api<{ total: number; codes: Array<{ code: string; count: number }> }>(
        'GET',
        '/admin/errors',
        undefined,
        true,
      );
      check(
        errors.body.codes.some((c) => c.code === 'unsupported_media_type'),
        'unsupported_media_type not counted',
      );
      const slo = await api<{ routes: Array<{ route: string; status: string; samples: number; explanation: string }> }>(
        'GET',
        '/admin/slo/recommend',
        undefined,
        true,
      );
      check(slo.body.routes.length > 0, 'no SLO routes recorded');
      for (const c of errors.body.codes) console.log(dim(`      error ${c.code} × ${c.count}`));
      for (const r of slo.body.routes.slice(0, 4)) console.log(dim(`      slo ${r.route}: ${r.explanation}`));
      return `${errors.body.total} errors by code, ${slo.body.routes.length} routes with SLO data`;
    });

    console.log(`\n${green(bold('Demo complete: every step did what it showed.'))}`);
  } finally {
    await server.close();
    services.health.stop();
    for (const closer of services.closers) await closer.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`   ${red('✖')} ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
