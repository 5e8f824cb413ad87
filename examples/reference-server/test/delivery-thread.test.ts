// Delivery in a worker thread (DELIVERY_THREAD, on in `main`): the dispatcher calls cross the
// boundary with their results and error codes, the thread opens sealed endpoint secrets and signs
// with them, its attempts, metrics and breaker transitions reach this thread, a crash fails the
// calls in flight and the thread is started again, and close() stops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AttemptEvent } from '@bulwark/delivery';
import { isDeliveryError } from '@bulwark/delivery';
import { verifyStandardWebhook } from '@bulwark/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createThreadedDispatcher, type ThreadedDispatcher } from '../src/delivery/threaded-dispatcher.js';
import { createLogger } from '../src/logger.js';
import { parseDataKeys } from '../src/secrets/data-keys.js';

const KEY = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
const open: Array<{ dispatcher: ThreadedDispatcher; dir: string }> = [];

function threaded(env: Record<string, string> = {}, entry?: URL, logger = createLogger('silent')) {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-thread-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', DELIVERY_POLL_INTERVAL_MS: '10', ...env });
  const metrics: Array<[string, string]> = [];
  const transitions: string[] = [];
  const dispatcher = createThreadedDispatcher({
    data: { config, keys: parseDataKeys(KEY) },
    metrics: {
      increment: (name) => metrics.push(['increment', name]),
      observe: (name) => metrics.push(['observe', name]),
      gauge: (name) => metrics.push(['gauge', name]),
    },
    onBreakerMetric: (name, breaker) => transitions.push(`${name} ${breaker}`),
    logger,
    restartDelayMs: 10,
    ...(entry ? { entry } : {}),
  });
  open.push({ dispatcher, dir });
  const attempts: AttemptEvent[] = [];
  dispatcher.on('attempt', (event) => attempts.push(event));
  return { dispatcher, metrics, transitions, attempts };
}

afterEach(async () => {
  for (const { dispatcher, dir } of open.splice(0)) {
    await dispatcher.close({ deadlineMs: 1_000 });
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('delivery in a worker thread', () => {
  it('publishes, delivers signed with the sealed secret, and reports attempts, metrics and breakers here', {
    timeout: 30_000,
  }, async () => {
    let fail = false;
    const received: IncomingMessage[] = [];
    const bodies: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push(req);
        bodies.push(body);
        res.writeHead(fail ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { dispatcher, metrics, transitions, attempts } = threaded({
        WEBHOOK_REAL: '1',
        WEBHOOK_ALLOW_HTTP: '1',
        WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
        DELIVERY_RETRY_SCHEDULE_MS: '1,1,1,1,1,1,1,1',
      });
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const { endpoint, secret } = await dispatcher.endpoints.create({ url, eventTypes: ['order.created'] });
      expect((await dispatcher.endpoints.list()).map((ep) => ep.id)).toEqual([endpoint.id]);
      dispatcher.start();
      const published = await dispatcher.publish({ type: 'order.created', id: 'ord_1', payload: { n: 1 } });
      expect(published).toEqual({ messageId: 'ord_1', deliveryIds: [`ord_1:${endpoint.id}`] });
      await expect.poll(() => attempts.length, { timeout: 10_000, interval: 20 }).toBe(1);
      expect(attempts[0]).toMatchObject({ messageId: 'ord_1', endpointId: endpoint.id, outcome: 'succeeded' });
      expect(Object.isFrozen(attempts[0])).toBe(true);
      // Signed in the thread with the secret it opened from the sealed record.
      const headers = Object.fromEntries(
        Object.entries(received[0]?.headers ?? {}).map(([name, value]) => [name, String(value)]),
      );
      const verified = await verifyStandardWebhook({ secrets: secret, headers, body: bodies[0] ?? '' });
      expect(verified.id).toBe('ord_1');
      expect(metrics).toContainEqual(['increment', 'webhook.sent.real']);
      expect((await dispatcher.inspect('ord_1'))[0]?.status).toBe('succeeded');

      // Failures open the endpoint's breaker in the thread: the transition and the snapshot arrive here.
      fail = true;
      for (let i = 0; i < 6; i++) await dispatcher.publish({ type: 'order.created', id: `ord_f${i}`, payload: {} });
      await expect
        .poll(() => transitions, { timeout: 10_000, interval: 20 })
        .toContain(`breaker.open webhook:${endpoint.id}`);
      await expect
        .poll(() => dispatcher.breakers.snapshot().breakers[`webhook:${endpoint.id}`]?.state, {
          timeout: 5_000,
          interval: 20,
        })
        .toBe('open');
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });

  it('keeps delivery error codes across the boundary', { timeout: 30_000 }, async () => {
    const { dispatcher } = threaded();
    const missing = await dispatcher.endpoints.get('ep_missing').catch((error: unknown) => error);
    expect(isDeliveryError(missing) && missing.code).toBe('delivery_endpoint_not_found');
    const invalid = await dispatcher.publish({ type: '', payload: 1 }).catch((error: unknown) => error);
    expect(isDeliveryError(invalid) && invalid.code).toBe('delivery_invalid_event');
    await dispatcher.close();
    const closed = await dispatcher.stats().catch((error: unknown) => error);
    expect(isDeliveryError(closed) && closed.code).toBe('delivery_closed');
  });

  it('fails the calls in flight when the thread crashes (503), and starts it again', { timeout: 30_000 }, async () => {
    const { dispatcher } = threaded({}, new URL('./fixtures/crashing-delivery-thread.ts', import.meta.url));
    await dispatcher.endpoints.create({ url: 'https://receiver.example.com/hook' });
    expect(dispatcher.ready()).toBe(true);
    const crashed = await dispatcher.publish({ type: 'crash.now', payload: {} }).catch((error: unknown) => error);
    expect(isDeliveryError(crashed) && crashed.code).toBe('delivery_store_unavailable');
    expect(isDeliveryError(crashed) && crashed.status).toBe(503);
    expect(dispatcher.restarts()).toBe(1);
    await expect.poll(() => dispatcher.ready(), { timeout: 10_000, interval: 20 }).toBe(true);
    const again = await dispatcher.publish({ type: 'order.created', id: 'after_restart', payload: {} });
    expect(again.deliveryIds).toHaveLength(1);
  });

  it('waits twice as long before each restart of a thread that keeps stopping at once', {
    timeout: 30_000,
  }, async () => {
    const lines: Array<{ event?: string; delayMs?: number }> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const { dispatcher } = threaded(
      {},
      new URL('./fixtures/failing-delivery-thread.ts', import.meta.url),
      createLogger('error', sink),
    );
    const delays = () => lines.filter((line) => line.event === 'delivery_thread_exit').map((line) => line.delayMs);
    await expect.poll(() => delays().length, { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(3);
    expect(delays().slice(0, 3)).toEqual([10, 20, 40]);
    expect(dispatcher.ready()).toBe(false);
  });
});
