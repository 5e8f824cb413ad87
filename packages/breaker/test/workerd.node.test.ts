import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, COMPATIBILITY_DATE, startMiniflare } from '@bulwark/testing/workerd';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

// Real workerd (miniflare 4.20260426.0). workerd binds I/O objects such as an AbortSignal to the
// request that created them: a signal cached at module scope by one request throws ("Cannot perform
// I/O on behalf of a different request") when a later request reads it or passes it to fetch.
describe('breaker and retry in workerd, across requests', () => {
  let server: Server;
  let mf: Miniflare;

  beforeAll(async () => {
    server = createServer((_, res) => res.end('ok'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    mf = await startMiniflare({
      modules: true,
      script: (await bundleWorker(join(here, 'support/workerd-worker.ts'))).code,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { TARGET: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
    });
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    await new Promise((done) => server?.close(done));
  });

  it.each(['/breaker', '/retry'])(
    '%s: the signal handed to a call works in every request, not only the first',
    async (path) => {
      const answers: string[] = [];
      for (let i = 0; i < 3; i++) answers.push(await (await mf.dispatchFetch(`http://worker.test${path}`)).text());
      const concurrent = await Promise.all(
        Array.from({ length: 3 }, async () => (await mf.dispatchFetch(`http://worker.test${path}`)).text()),
      );
      expect([...answers, ...concurrent]).toEqual(Array.from({ length: 6 }, () => 'status 200'));
    },
  );
});
