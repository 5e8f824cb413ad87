import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '@bulwark/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciTransport, isDeliveryError, type TransportRequest } from '../src/index.js';

const hits: string[] = [];
/** Resolved when /stall-body has sent its headers and first bytes (re-armed by each test using it). */
let stalled = resolvers();
function resolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
let server: Server;
let base: string;
let port: number;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok': (_, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'),
  '/big': (_, res) => res.writeHead(200).end('x'.repeat(1_000_000)),
  '/redirect': (_, res) => res.writeHead(302, { location: '/ok' }).end(),
  '/busy': (_, res) => res.writeHead(429, { 'retry-after': '7' }).end(),
  '/hang': () => {},
  // Headers and part of a declared body, then nothing: the attempt is inside the body read.
  '/stall-body': (_, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('ab', () => stalled.resolve());
  },
  '/empty': (_, res) => res.writeHead(204).end(),
  '/declared': (_, res) => res.writeHead(200, { 'content-length': '2000' }).end('y'.repeat(2000)),
  '/chunked': (_, res) => {
    res.writeHead(200);
    res.write('ab');
    res.end('cd');
  },
  '/close': (_, res) => res.writeHead(200, { connection: 'close' }).end('closed'),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => routes[(req.url ?? '').split('?')[0] ?? '']?.(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (url: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  url,
  headers: { 'content-type': 'application/json' },
  body: '{"a":1}',
  timeoutMs: 5_000,
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<{ code?: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDeliveryError(error)).toBe(true);
  return error as { code?: string };
}

describe('createUndiciTransport', () => {
  const allowed = createUndiciTransport({ egress: { allow: ['127.0.0.1'], allowHttp: true }, maxResponseBytes: 1024 });
  afterAll(() => allowed.close());

  it('POSTs to an allowlisted loopback receiver and returns status and body', async () => {
    expect(await allowed.send(post(`${base}/ok`))).toEqual({ status: 200, retryAfter: null, body: 'hello' });
    expect(allowed.mode).toBe('real');
  });

  it('caps the response body it reads', async () => {
    const response = await allowed.send(post(`${base}/big`));
    expect(response.body).toHaveLength(1024);
  });

  it('reads an empty, a declared-length and a chunked body, capping a declared length over the cap', async () => {
    expect(await allowed.send(post(`${base}/empty`))).toEqual({ status: 204, retryAfter: null, body: '' });
    expect((await allowed.send(post(`${base}/declared`))).body).toBe('y'.repeat(1024));
    expect((await allowed.send(post(`${base}/chunked`))).body).toBe('abcd');
  });

  it('sends to each of more distinct URLs than it keeps parsed, each to its own path', async () => {
    hits.length = 0;
    const urls = Array.from({ length: 1_030 }, (_, i) => `${base}/ok?n=${i}`);
    for (let i = 0; i < urls.length; i += 100) {
      const bodies = await Promise.all(urls.slice(i, i + 100).map(async (url) => (await allowed.send(post(url))).body));
      expect(bodies.every((body) => body === 'hello')).toBe(true);
    }
    expect(hits.sort()).toEqual(urls.map((url) => url.slice(base.length)).sort());
  });

  it('does not follow redirects', async () => {
    hits.length = 0;
    expect((await allowed.send(post(`${base}/redirect`))).status).toBe(302);
    expect(hits).toEqual(['/redirect']);
  });

  it('returns Retry-After', async () => {
    expect(await allowed.send(post(`${base}/busy`))).toMatchObject({ status: 429, retryAfter: '7' });
  });

  it('times out per request with delivery_timeout (timer injected)', async () => {
    const clock = new FakeClock(0);
    const transport = createUndiciTransport({ egress: { allow: ['127.0.0.1'], allowHttp: true }, timers: clock });
    const pending = transport.send(post(`${base}/hang`, { timeoutMs: 250 }));
    while (clock.pendingTimers === 0) await new Promise((r) => setImmediate(r));
    clock.advance(250);
    expect((await failure(pending)).code).toBe('delivery_timeout');
    await transport.close();
  });

  /** Sends to /stall-body; resolves once the receiver has sent the headers and first bytes. */
  async function stallInBody(pending: () => Promise<unknown>): Promise<{ result: Promise<unknown> }> {
    stalled = resolvers();
    const result = pending();
    result.catch(() => {});
    await stalled.promise;
    // The answer is on loopback; a few turns let the client parse the headers and start the body read.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    return { result };
  }

  it('times out with delivery_timeout when the body stalls after the headers (timer injected)', async () => {
    const clock = new FakeClock(0);
    const transport = createUndiciTransport({ egress: { allow: ['127.0.0.1'], allowHttp: true }, timers: clock });
    const { result } = await stallInBody(() => transport.send(post(`${base}/stall-body`, { timeoutMs: 60_000 })));
    // undici's own idle timers run on real time at the same 60 s: only the injected one can fire.
    clock.advance(60_000);
    expect((await failure(result)).code).toBe('delivery_timeout');
    await transport.close();
  });

  it('rejects with the caller signal reason when aborted while the body is read', async () => {
    const controller = new AbortController();
    const reason = new Error('shutdown');
    const { result } = await stallInBody(() => allowed.send(post(`${base}/stall-body`, { signal: controller.signal })));
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
  });

  it('keeps the first reason: a timeout firing right after the caller aborted does not replace it', async () => {
    const clock = new FakeClock(0);
    const transport = createUndiciTransport({ egress: { allow: ['127.0.0.1'], allowHttp: true }, timers: clock });
    const controller = new AbortController();
    const reason = new Error('shutdown');
    const pending = transport.send(post(`${base}/hang`, { timeoutMs: 250, signal: controller.signal }));
    while (clock.pendingTimers === 0) await new Promise((r) => setImmediate(r));
    controller.abort(reason);
    clock.advance(250); // in the same turn, before the request's rejection is handled
    await expect(pending).rejects.toBe(reason);
    await transport.close();
  });

  it('rejects with the caller signal reason when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('shutdown');
    controller.abort(reason);
    await expect(allowed.send(post(`${base}/ok`, { signal: controller.signal }))).rejects.toBe(reason);
    const late = new AbortController();
    const pending = allowed.send(post(`${base}/hang`, { signal: late.signal }));
    setImmediate(() => late.abort(reason));
    await expect(pending).rejects.toBe(reason);
  });

  it('maps connection failures to delivery_network_error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await failure(allowed.send(post(`http://127.0.0.1:${deadPort}/`)))).code).toBe('delivery_network_error');
    const noAddress = createUndiciTransport({ egress: { allowHttp: true }, resolve: async () => [] });
    expect((await failure(noAddress.send(post(`http://nowhere.example:${port}/ok`)))).code).toBe(
      'delivery_network_error',
    );
    const failing = createUndiciTransport({
      egress: { allowHttp: true },
      resolve: () => Promise.reject(new Error('ENOTFOUND')),
    });
    expect((await failure(failing.send(post(`http://nowhere.example:${port}/ok`)))).code).toBe(
      'delivery_network_error',
    );
  });
});

describe('SSRF guard at delivery time', () => {
  it('refuses loopback by default, and http without allowHttp', async () => {
    const strict = createUndiciTransport();
    expect((await failure(strict.send(post(`${base}/ok`)))).code).toBe('delivery_insecure_url');
    expect((await failure(strict.send(post(`https://127.0.0.1:${port}/ok`)))).code).toBe('delivery_egress_refused');
    expect((await failure(strict.send(post(`https://[::1]:${port}/ok`)))).code).toBe('delivery_egress_refused');
    expect((await failure(strict.send(post(`https://[::ffff:127.0.0.1]:${port}/ok`)))).code).toBe(
      'delivery_egress_refused',
    );
    expect((await failure(strict.send(post(`https://169.254.169.254/latest/meta-data`)))).code).toBe(
      'delivery_egress_refused',
    );
    expect((await failure(strict.send(post(`https://10.0.0.1/`)))).code).toBe('delivery_egress_refused');
    await strict.close();
  });

  it('refuses a DNS name that resolves to loopback, checked after resolution', async () => {
    hits.length = 0;
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const transport = createUndiciTransport({ egress: { allowHttp: true }, resolve });
    expect((await failure(transport.send(post(`http://evil.example:${port}/ok`)))).code).toBe(
      'delivery_egress_refused',
    );
    const mapped = createUndiciTransport({
      egress: { allowHttp: true },
      resolve: async () => [{ address: '::ffff:127.0.0.1', family: 6 }],
    });
    expect((await failure(mapped.send(post(`http://evil6.example:${port}/ok`)))).code).toBe('delivery_egress_refused');
    expect(hits).toEqual([]);
    await transport.close();
    await mapped.close();
  });

  it('checks the scheme of a URL on every send, and the address at every new connection to a URL that passed', async () => {
    const strict = createUndiciTransport();
    for (let i = 0; i < 2; i++) {
      expect((await failure(strict.send(post(`${base}/ok`)))).code).toBe('delivery_insecure_url');
    }
    await strict.close();
    // DNS rebinding: the first connection resolves to an allowlisted address, the next (the
    // receiver closed the first) to another loopback address, refused though the URL passed before.
    const answers = ['127.0.0.1', '127.0.0.2'];
    const resolve = async () => [{ address: answers.shift() ?? '127.0.0.2', family: 4 }];
    const transport = createUndiciTransport({ egress: { allowHttp: true, allow: ['127.0.0.1'] }, resolve });
    expect((await transport.send(post(`http://rebind.test:${port}/close`))).body).toBe('closed');
    expect((await failure(transport.send(post(`http://rebind.test:${port}/close`)))).code).toBe(
      'delivery_egress_refused',
    );
    await transport.close();
  });

  it('connects to the resolved address when it is allowlisted (by address or by host name)', async () => {
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const byAddress = createUndiciTransport({ egress: { allowHttp: true, allow: ['127.0.0.0/8'] }, resolve });
    expect((await byAddress.send(post(`http://receiver.test:${port}/ok`))).body).toBe('hello');
    const byHost = createUndiciTransport({ egress: { allowHttp: true, allow: ['receiver.test'] }, resolve });
    expect((await byHost.send(post(`http://receiver.test:${port}/ok`))).body).toBe('hello');
    await byAddress.close();
    await byHost.close();
  });
});
