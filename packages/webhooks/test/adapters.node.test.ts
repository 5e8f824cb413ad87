import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookVerifier,
  expressWebhook,
  fastifyWebhook,
  readRawBody,
  sign,
  verifiedWebhook,
  verifyNodeRequest,
} from '../src/index.js';
import { clockAt, NOW_SEC, SECRET } from './helpers.js';

const verifier = createWebhookVerifier({ secrets: SECRET, clock: clockAt() });
const body = '{"event":"ping","n":1}';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function post(url: string, payload: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const signed = (id: string) => sign({ body, secrets: SECRET, timestamp: NOW_SEC, id });

describe('Node http: verifyNodeRequest', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      try {
        const event = await verifyNodeRequest(verifier, req, { limitBytes: 64 });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: event.id }));
      } catch (error) {
        const { writeProblem } = await import('@bulwark/errors');
        writeProblem(res, error);
      }
    });
    url = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies the raw body', async () => {
    expect(await post(url, body, await signed('node_1'))).toEqual({ status: 200, json: { id: 'node_1' } });
  });

  it('rejects bodies over the limit with 413', async () => {
    const big = 'x'.repeat(100);
    const headers = await sign({ body: big, secrets: SECRET, timestamp: NOW_SEC });
    expect((await post(url, big, headers)).json).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('rejects a tampered body with 401', async () => {
    expect((await post(url, body.replace('1', '2'), await signed('node_2'))).status).toBe(401);
  });
});

describe('readRawBody', () => {
  it('joins string and byte chunks', async () => {
    async function* chunks() {
      yield 'ab';
      yield new Uint8Array([99]);
    }
    expect(new TextDecoder().decode(await readRawBody(chunks()))).toBe('abc');
  });
});

describe('Express: expressWebhook', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    const respond = (req: express.Request, res: express.Response) => res.json({ id: verifiedWebhook(req).id });
    app.post('/stream', expressWebhook(verifier) as express.RequestHandler, respond);
    app.post('/raw', express.raw({ type: '*/*' }), expressWebhook(verifier) as express.RequestHandler, respond);
    app.post('/parsed', express.json(), expressWebhook(verifier) as express.RequestHandler, respond);
    app.post(
      '/broken',
      expressWebhook({ verify: () => Promise.reject(new Error('boom')) }) as express.RequestHandler,
      respond,
    );
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: error.message });
    });
    server = createServer(app);
    url = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies from the stream and after express.raw()', async () => {
    expect(await post(`${url}/stream`, body, await signed('ex_1'))).toEqual({ status: 200, json: { id: 'ex_1' } });
    expect(await post(`${url}/raw`, body, await signed('ex_2'))).toEqual({ status: 200, json: { id: 'ex_2' } });
  });

  it('explains that express.json() destroyed the raw body', async () => {
    const { status, json } = await post(`${url}/parsed`, body, await signed('ex_3'));
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 'webhook_body_unsupported' });
  });

  it('passes unexpected errors to next()', async () => {
    expect(await post(`${url}/broken`, body, await signed('ex_4'))).toEqual({ status: 500, json: { error: 'boom' } });
  });
});

describe('Fastify: fastifyWebhook', () => {
  const app = Fastify();
  beforeAll(async () => {
    app.register(
      fastifyWebhook(verifier, (scope: FastifyInstance) => {
        scope.post('/webhooks', async (request) => ({ id: verifiedWebhook(request).id }));
      }),
    );
    app.post('/json', async (request) => request.body);
    app.register(
      fastifyWebhook({ verify: () => Promise.reject(new Error('boom')) }, (scope: FastifyInstance) => {
        scope.post('/broken', async () => 'never');
      }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  it('verifies the raw bytes of the scoped routes only', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: '/webhooks',
      headers: { 'content-type': 'application/json', ...(await signed('fy_1')) },
      payload: body,
    });
    expect(ok.json()).toEqual({ id: 'fy_1' });
    const json = await app.inject({
      method: 'POST',
      url: '/json',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(json.json()).toEqual(JSON.parse(body));
  });

  it('answers problem+json on failure and lets other errors through', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/webhooks',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ code: 'webhook_header_missing' });
    const broken = await app.inject({
      method: 'POST',
      url: '/broken',
      payload: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(broken.statusCode).toBe(500);
  });
});

describe('verifiedWebhook', () => {
  it('refuses a request no adapter verified, naming the fix', () => {
    for (const request of [{}, { webhook: null }, { webhook: { id: 'x' } }, { webhook: 'forged' }]) {
      expect(() => verifiedWebhook(request)).toThrow(/mount expressWebhook\(\) or fastifyWebhook\(\)/);
    }
  });
});
