import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '@bulwark/testing';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundVerifier, type InboundWebhook } from '../src/inbound.js';
import {
  createWebhookHandler,
  expressWebhook,
  fastifyWebhook,
  honoWebhook,
  verifiedWebhook,
  verifyNodeRequest,
} from '../src/index.js';
import { NOW_MS, SECRETS, signFor } from './inbound-helpers.js';

const body = '{"event":"contact.creation","n":1}';
const clock = new FakeClock(NOW_MS);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Signs for the public URL `https://hooks.example.test<path>` and posts to the local server. */
async function post(base: string, provider: 'twilio' | 'hubspot', path: string, payload = body) {
  const { headers, url } = await signFor(provider, payload, { url: `https://hooks.example.test${path}` });
  const local = base + url.slice('https://hooks.example.test'.length);
  const response = await fetch(local, { method: 'POST', headers, body: payload });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe.each(['twilio', 'hubspot'] as const)('receiver adapters pass the URL and method (%s)', (provider) => {
  const verifier = createInboundVerifier({
    provider,
    secrets: SECRETS[provider],
    clock,
    publicOrigin: 'https://hooks.example.test',
  });
  let server: Server;
  let base: string;
  const app = Fastify();

  beforeAll(async () => {
    const ex = express();
    ex.post('/express/hook', expressWebhook(verifier) as express.RequestHandler, (req, res) => {
      res.json({ keyId: verifiedWebhook<InboundWebhook>(req).keyId, via: 'express' });
    });
    ex.post('/node/hook', async (req, res) => {
      const event = await verifyNodeRequest(verifier, req);
      res.json({ keyId: event.keyId, via: 'node' });
    });
    server = createServer(ex);
    base = await listen(server);
    app.register(
      fastifyWebhook(verifier, (scope: FastifyInstance) => {
        scope.post('/fastify/hook', async (request) => ({ keyId: verifiedWebhook<InboundWebhook>(request).keyId }));
      }),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('Express (path-only req.originalUrl + publicOrigin)', async () => {
    expect(await post(base, provider, '/express/hook?x=1')).toEqual({
      status: 200,
      json: { keyId: '0', via: 'express' },
    });
    const other = await signFor(provider, body, { url: 'https://hooks.example.test/elsewhere' });
    const response = await fetch(`${base}/express/hook`, { method: 'POST', headers: other.headers, body });
    // Twilio: the URL without its bodySHA256 no longer commits to the JSON body, so it is refused first.
    expect(response.status).toBe(provider === 'twilio' ? 400 : 401);
  });

  it('Express middleware on a request without originalUrl reads req.url', async () => {
    const { headers, body: bytes, url } = await signFor(provider, body, { url: 'https://hooks.example.test/bare' });
    const req = {
      headers,
      method: 'POST',
      url: url.slice('https://hooks.example.test'.length),
      async *[Symbol.asyncIterator]() {
        yield bytes;
      },
    } as Parameters<ReturnType<typeof expressWebhook<InboundWebhook>>>[0];
    let passed: unknown = 'not called';
    await expressWebhook(verifier)(req, {} as never, (error?: unknown) => {
      passed = error;
    });
    expect(passed).toBeUndefined();
    expect(req.webhook?.keyId).toBe('0');
  });

  it('Node http (req.url + publicOrigin)', async () => {
    expect(await post(base, provider, '/node/hook')).toEqual({ status: 200, json: { keyId: '0', via: 'node' } });
  });

  it('Fastify (request.url + publicOrigin)', async () => {
    const { headers, url } = await signFor(provider, body, { url: 'https://hooks.example.test/fastify/hook' });
    const path = url.slice('https://hooks.example.test'.length);
    const response = await app.inject({ method: 'POST', url: path, headers, payload: body });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ keyId: '0' });
  });

  it('Hono and the Fetch handler (the Request URL + publicOrigin)', async () => {
    const hono = new Hono<{ Variables: { webhook: InboundWebhook } }>();
    hono.post('/hono/hook', honoWebhook(verifier), (c) => c.json({ keyId: c.get('webhook').keyId }));
    const handler = createWebhookHandler(verifier, (event) => Response.json({ provider: event.provider }));
    const { headers, url } = await signFor(provider, body, { url: 'https://hooks.example.test/hono/hook' });
    const internal = url.replace('https://hooks.example.test', 'http://10.0.0.7:8080');
    const viaHono = await hono.request(new Request(internal, { method: 'POST', headers, body }));
    expect(await viaHono.json()).toEqual({ keyId: '0' });
    const viaFetch = await handler(new Request(internal, { method: 'POST', headers, body }));
    expect(await viaFetch.json()).toEqual({ provider });
    const forged = await handler(new Request(internal.replace('hook', 'hook2'), { method: 'POST', headers, body }));
    expect(forged.status).toBe(401);
  });
});
