import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotency, expressIdempotency, fastifyIdempotency } from '../src/index.js';

describe('expressIdempotency (real HTTP server on 127.0.0.1)', () => {
  let base: string;
  let runs = 0;
  let close: () => void;

  beforeAll(async () => {
    const app = express();
    const guard = expressIdempotency<express.Request>(createIdempotency(), { principal: (req) => req.get('x-client') });
    app.post('/charges', express.json(), guard, (req, res) => {
      runs++;
      if (req.body.fail) {
        res.status(500).json({ error: 'failed' });
        return;
      }
      res.cookie('sid', 'secret');
      res.location(`/charges/${runs}`);
      res.status(201).json({ runs, amount: req.body.amount });
    });
    app.post('/streamed', express.json(), guard, (_req, res) => {
      runs++;
      res.status(200).type('text/plain');
      res.write('part1-');
      res.end('part2');
    });
    app.post('/raw', guard, (_req, res) => {
      res.end('never');
    });
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).type('text/plain').send(error.message);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  const send = (path: string, body: unknown, key?: string, client = 'c1') =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-client': client, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });

  it('runs once and replays status, JSON body and location without set-cookie', async () => {
    const before = runs;
    const first = await send('/charges', { amount: 1 }, '"e1"');
    const again = await send('/charges', { amount: 1 }, '"e1"');
    expect(runs - before).toBe(1);
    expect(first.headers.get('set-cookie')).toContain('sid=secret');
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('fingerprints the parsed JSON body: member order does not matter, a different value is 422', async () => {
    await send('/charges', { amount: 2, currency: 'eur' }, '"e2"');
    const reordered = await fetch(`${base}/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-client': 'c1', 'idempotency-key': '"e2"' },
      body: '{"currency":"eur","amount":2}',
    });
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
    expect((await send('/charges', { amount: 3, currency: 'eur' }, '"e2"')).status).toBe(422);
  });

  it('answers 400 problem+json without a key, and scopes keys by principal', async () => {
    const missing = await send('/charges', { amount: 1 }, undefined);
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(((await missing.json()) as { code: string }).code).toBe('idempotency_key_missing');
    const before = runs;
    await send('/charges', { amount: 1 }, '"e3"', 'alice');
    await send('/charges', { amount: 1 }, '"e3"', 'bob');
    expect(runs - before).toBe(2);
  });

  it('a 500 is not stored: the retry runs again', async () => {
    const before = runs;
    expect((await send('/charges', { fail: true }, '"e4"')).status).toBe(500);
    expect((await send('/charges', { fail: true }, '"e4"')).status).toBe(500);
    expect(runs - before).toBe(2);
  });

  it('stores a response written in several chunks', async () => {
    const before = runs;
    await send('/streamed', {}, '"e5"');
    const again = await send('/streamed', {}, '"e5"');
    expect(await again.text()).toBe('part1-part2');
    expect(again.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(runs - before).toBe(1);
  });

  it('passes next(error) for a request with a body when mounted before any body parser, instead of ignoring the payload', async () => {
    const response = await send('/raw', { amount: 1 }, '"e6"');
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/mount it after the body parser/);
  });
});

describe('fastifyIdempotency (inject)', () => {
  const fastify = Fastify();
  let runs = 0;
  beforeAll(async () => {
    const hooks = fastifyIdempotency(createIdempotency());
    fastify.post('/charges', { ...hooks }, async (request, reply) => {
      runs++;
      const body = request.body as { amount: number; fail?: boolean };
      if (body.fail) throw new Error('boom');
      reply.header('location', `/charges/${runs}`).header('set-cookie', 'sid=1');
      return reply.code(201).send({ runs, amount: body.amount });
    });
    await fastify.ready();
  });
  afterAll(() => fastify.close());

  const inject = (payload: unknown, key?: string) =>
    fastify.inject({
      method: 'POST',
      url: '/charges',
      payload: payload as Record<string, unknown>,
      headers: key ? { 'idempotency-key': key } : {},
    });

  it('replays status, body and location with Idempotent-Replayed, without set-cookie', async () => {
    const first = await inject({ amount: 5 }, '"f1"');
    const again = await inject({ amount: 5 }, '"f1"');
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.headers['content-type']).toMatch(/^application\/json/);
  });

  it('422 on reuse with another body, 400 without a key, 5xx not stored', async () => {
    await inject({ amount: 6 }, '"f2"');
    expect((await inject({ amount: 7 }, '"f2"')).statusCode).toBe(422);
    expect((await inject({ amount: 7 })).json()).toMatchObject({ code: 'idempotency_key_missing', status: 400 });
    const before = runs;
    expect((await inject({ fail: true }, '"f3"')).statusCode).toBe(500);
    expect((await inject({ fail: true }, '"f3"')).statusCode).toBe(500);
    expect(runs - before).toBe(2);
  });
});

describe('nodeIdempotency and fastify edge cases', () => {
  it('a response closed before end() releases the key: the retry runs', async () => {
    const { EventEmitter } = await import('node:events');
    const { nodeIdempotency } = await import('../src/index.js');
    const guard = nodeIdempotency(createIdempotency());
    const req = { method: 'POST', url: '/x', headers: { 'idempotency-key': '"n1"' } };
    const response = () =>
      Object.assign(new EventEmitter(), {
        statusCode: 200,
        setHeader: () => {},
        getHeaders: () => ({}),
        write: () => true,
        end: () => {},
      });
    const first = response();
    expect(await guard(req, first)).toBe(true);
    first.emit('close');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await guard(req, response())).toBe(true);
  });

  it('fastify: a streamed payload is not stored; keyless requests pass with required: false', async () => {
    const { Readable } = await import('node:stream');
    const app = Fastify();
    let runs = 0;
    app.post(
      '/s',
      { ...fastifyIdempotency<FastifyRequest>(createIdempotency(), { required: false }) },
      async (_request, reply) => {
        runs++;
        return reply.type('text/plain').send(Readable.from(['a', 'b']));
      },
    );
    await app.ready();
    const inject = (key?: string) =>
      app.inject({ method: 'POST', url: '/s', headers: key ? { 'idempotency-key': key } : {} });
    expect((await inject('"s1"')).body).toBe('ab');
    expect((await inject('"s1"')).body).toBe('ab');
    await inject();
    expect(runs).toBe(3);
    await app.close();
  });
});

describe('nodeIdempotency on node:http', () => {
  it('captures headers given only to writeHead (Node keeps them out of getHeaders()), not only setHeader', async () => {
    const { createServer } = await import('node:http');
    const { nodeIdempotency } = await import('../src/index.js');
    const guard = nodeIdempotency(createIdempotency());
    let runs = 0;
    const server = createServer(async (req, res) => {
      if (!(await guard(req, res))) return;
      runs++;
      // Node merges writeHead's headers into getHeaders() only when setHeader was used before.
      if (req.url !== '/flat') res.setHeader('etag', '"v1"');
      if (req.url === '/object') res.writeHead(201, 'Created', { 'Content-Type': 'text/plain', Location: '/o/1' });
      else if (req.url === '/flat') res.writeHead(201, ['Content-Type', 'text/plain', 'Location', '/f/1']);
      else res.writeHead(201);
      res.end(`run ${runs}`);
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const [path, location] of [
        ['/object', '/o/1'],
        ['/flat', '/f/1'],
        ['/none', null],
      ] as const) {
        const send = () => fetch(`${base}${path}`, { method: 'POST', headers: { 'idempotency-key': `"${path}"` } });
        const first = await send();
        const replay = await send();
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.status).toBe(201);
        expect(await replay.text()).toBe(await first.text());
        expect(replay.headers.get('content-type')).toBe(location ? 'text/plain' : null);
        expect(replay.headers.get('location')).toBe(location);
        expect(replay.headers.get('etag')).toBe(path === '/flat' ? null : '"v1"');
      }
      expect(runs).toBe(3);
    } finally {
      server.close();
    }
  });
});
