// Request body limits on the real app behind the Node adapter: a declared Content-Length over
// the limit is refused before the body is read, a chunked body as soon as it crosses the limit.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type LoopbackServer, listenOnLoopback } from '../src/listen-on-loopback.js';
import { buildTestApp } from './helpers.js';

const LIMIT = 256 * 1024;
const open: Array<{ server: LoopbackServer; built: ReturnType<typeof buildTestApp> }> = [];
afterEach(async () => {
  for (const { server, built } of open.splice(0)) {
    await server.close();
    for (const closer of built.services.closers) await closer.close();
  }
});

async function serve() {
  const built = buildTestApp();
  const server = await listenOnLoopback(built.app.fetch);
  open.push({ server, built });
  const created = await built.request('/admin/api-keys', {
    method: 'POST',
    admin: true,
    body: JSON.stringify({ name: 'publisher', scopes: ['events:publish'] }),
  });
  const { key } = (await created.json()) as { key: string };
  return { url: server.url, key };
}

/** Sends a raw request; `chunks` are written one by one (chunked unless a content-length is given). */
function send(
  url: string,
  headers: Record<string, string>,
  chunks: readonly string[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/events`, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const event = (padding: number) => JSON.stringify({ type: 'load.test', payload: { pad: 'x'.repeat(padding) } });

describe('body size limit (POST /events, 256 KiB)', () => {
  it('refuses a declared Content-Length over the limit with 413, and accepts one at the limit', async () => {
    const { url, key } = await serve();
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const over = event(LIMIT);
    const refused = await send(url, { ...headers, 'content-length': String(Buffer.byteLength(over)) }, [over]);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'payload_too_large' });
    const fits = event(LIMIT - event(0).length);
    expect(Buffer.byteLength(fits)).toBe(LIMIT);
    const accepted = await send(url, { ...headers, 'content-length': String(LIMIT) }, [fits]);
    expect(accepted.status).toBe(202);
  });

  it('counts a chunked body while it streams: 413 once it crosses the limit', async () => {
    const { url, key } = await serve();
    const body = event(LIMIT);
    const chunks = [body.slice(0, 100_000), body.slice(100_000, 200_000), body.slice(200_000)];
    const refused = await send(
      url,
      { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks,
    );
    expect(refused.status).toBe(413);
    const small = await send(
      url,
      { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      [event(10)],
    );
    expect(small.status).toBe(202);
  });
});
