import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver } from '../src/receiver.js';

const oldSecret = generateSecret();
const newSecret = generateSecret();
const received: Array<{ id: string; type: string; keyId: string }> = [];
let failNext = false;

describe('receiver-express', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    const app = createReceiver({
      secrets: [oldSecret, newSecret],
      onEvent: (event) => {
        if (failNext) {
          failNext = false;
          throw new Error('database unavailable');
        }
        received.push(event);
      },
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function deliver(secrets: string[], body: string, id: string) {
    const headers = await createWebhookSigner({ scheme: 'standard', secrets }).sign({ body, id });
    return fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  }

  it('accepts a delivery signed with either secret during a rotation', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', payload: { id: 'in_1' } });
    expect((await deliver([oldSecret], body, 'msg_1')).status).toBe(204);
    expect((await deliver([newSecret], body, 'msg_2')).status).toBe(204);
    expect(received.map((e) => e.id)).toEqual(['msg_1', 'msg_2']);
    expect(received[0]?.type).toBe('invoice.paid');
    expect(received[0]?.keyId).not.toBe(received[1]?.keyId);
  });

  it('rejects a tampered body with a problem+json 4xx', async () => {
    const headers = await createWebhookSigner({ scheme: 'standard', secrets: [newSecret] }).sign({
      body: '{"a":1}',
      id: 'msg_t',
    });
    const response = await fetch(url, { method: 'POST', headers, body: '{"a":2}' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('processes a redelivery of a failed event, and acknowledges duplicates without reprocessing', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', payload: { id: 'in_9' } });
    failNext = true;
    expect((await deliver([newSecret], body, 'msg_9')).status).toBe(500);
    expect((await deliver([newSecret], body, 'msg_9')).status).toBe(204);
    expect((await deliver([newSecret], body, 'msg_9')).status).toBe(204);
    expect(received.filter((e) => e.id === 'msg_9')).toHaveLength(1);
  });

  it('agrees with the Python snippet from the README', async () => {
    const body = JSON.stringify({ type: 'ping', payload: {} });
    const headers = await createWebhookSigner({ scheme: 'standard', secrets: [newSecret] }).sign({
      body,
      id: 'msg_py',
    });
    const script = fileURLToPath(new URL('../verify_webhook.py', import.meta.url));
    const run = (secrets: string[], payload: string) =>
      spawnSync('python3', [script, ...secrets], {
        input: JSON.stringify({ headers, body_base64: Buffer.from(payload).toString('base64') }),
        encoding: 'utf8',
      });
    const ok = run([oldSecret, newSecret], body);
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe('msg_py');
    expect(run([oldSecret], body).status).toBe(1);
    expect(run([newSecret], `${body} `).status).toBe(1);
  });
});
