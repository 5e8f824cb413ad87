import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, COMPATIBILITY_DATE, startMiniflare } from '@bulwark/testing/workerd';
import { generateSecret, verifyStandardWebhook } from '@bulwark/webhooks';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

interface Received {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

// Real workerd (miniflare 4.20260426.0): a delivery enqueued by the producer, attempted by the
// consumer against a 127.0.0.1 endpoint that answers 500, retried, then dead-lettered.
describe('Cloudflare Queues delivery in workerd', () => {
  const secret = generateSecret();
  const received: Received[] = [];
  let server: Server;
  let mf: Miniflare;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers as Record<string, string>, body });
        res.statusCode = req.url === '/hook' ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mf = await startMiniflare({
      modules: true,
      script: (await bundleWorker(join(here, 'support/queues-worker.ts'))).code,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { HOOK_URL: `${base}/hook`, REPORT_URL: `${base}/dlq`, SECRET: secret.toString() },
      queueProducers: { DELIVERIES: { queueName: 'deliveries' }, DLQ: { queueName: 'dlq' } },
      queueConsumers: {
        deliveries: { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 5, deadLetterQueue: 'dlq' },
        dlq: { maxBatchSize: 10, maxBatchTimeout: 0 },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    await new Promise((done) => server?.close(done));
  });

  it('a message is retried with message.retry(), then dead-lettered; every attempt verifies', async () => {
    const published = await (
      await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: '{"id":"in_1"}' })
    ).json();
    expect(published).toEqual({ messageId: 'msg_workerd', enqueued: 1 });
    await vi.waitFor(() => expect(received.some((r) => r.path === '/dlq')).toBe(true), {
      timeout: 20_000,
      interval: 50,
    });
    const attempts = received.filter((r) => r.path === '/hook');
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      const verified = await verifyStandardWebhook({
        secrets: secret.toString(),
        headers: attempt.headers,
        body: attempt.body,
      });
      expect(verified.id).toBe('msg_workerd');
      expect(attempt.body).toBe('{"id":"in_1"}');
    }
    const dead = received.filter((r) => r.path === '/dlq').map((r) => JSON.parse(r.body));
    expect(dead).toEqual([
      {
        body: { v: 1, messageId: 'msg_workerd', endpointId: 'ep_1', type: 'invoice.paid', payload: '{"id":"in_1"}' },
        error: 'http_500',
        attempts: 2,
      },
    ]);
  }, 30_000);
});
