import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  createSignedRequest,
  createWebhookHandler,
  createWebhookVerifier,
  honoWebhook,
  type VerifiedWebhook,
} from '../src/index.js';
import { clockAt, NOW_SEC, SECRET } from './helpers.js';

const verifier = createWebhookVerifier({ secrets: SECRET, clock: clockAt() });
const body = '{"event":"ping"}';

describe('createWebhookHandler (Fetch)', () => {
  const handler = createWebhookHandler(verifier, (event) => Response.json({ id: event.id, keyId: event.keyId }));

  it('calls the handler with the verified event', async () => {
    const request = await createSignedRequest({ body, secrets: SECRET, timestamp: NOW_SEC, id: 'evt_1' });
    const response = await handler(request);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'evt_1', keyId: '0' });
  });

  it('answers problem+json with the error code on failure', async () => {
    const request = await createSignedRequest({ body, secrets: SECRET, timestamp: NOW_SEC - 3600 });
    const response = await handler(request);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'webhook_timestamp_too_old' });
  });

  it('propagates errors that are not verification failures', async () => {
    const broken = createWebhookHandler({ verify: () => Promise.reject(new Error('boom')) }, () => new Response());
    await expect(broken(new Request('http://127.0.0.1/', { method: 'POST' }))).rejects.toThrow('boom');
  });
});

describe('honoWebhook', () => {
  const app = new Hono<{ Variables: { webhook: VerifiedWebhook } }>();
  app.post('/webhooks', honoWebhook(verifier), (c) => c.json({ id: c.get('webhook').id }));

  it('verifies and exposes the event', async () => {
    const request = await createSignedRequest({ body, secrets: SECRET, timestamp: NOW_SEC, id: 'evt_2', headers: {} });
    const response = await app.request(request);
    expect(await response.json()).toEqual({ id: 'evt_2' });
  });

  it('rejects a forged request with 401', async () => {
    const request = await createSignedRequest({ body, secrets: `whsec_${btoa('z'.repeat(32))}`, timestamp: NOW_SEC });
    const response = await app.request(request);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'webhook_signature_mismatch' });
  });

  it('rethrows unexpected errors', async () => {
    const failing = new Hono();
    failing.post('/', honoWebhook({ verify: () => Promise.reject(new Error('boom')) }), (c) => c.text('no'));
    failing.onError((error, c) => c.text(error.message, 500));
    const response = await failing.request('http://127.0.0.1/', { method: 'POST', body: 'x' });
    expect(await response.text()).toBe('boom');
  });
});

describe('createSignedRequest', () => {
  it('defaults to a JSON POST to 127.0.0.1 with Standard Webhooks headers when asked', async () => {
    const request = await createSignedRequest({ scheme: 'standard', body: new Uint8Array([1, 2]), secrets: SECRET });
    expect(request.url).toBe('http://127.0.0.1/webhooks');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('webhook-signature')).toMatch(/^v1,/);
    expect(new Uint8Array(await request.arrayBuffer())).toEqual(new Uint8Array([1, 2]));
  });
});
