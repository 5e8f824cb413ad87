import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { err, writeProblem } from '../src/index.js';

describe('writeProblem on a real node:http server', () => {
  const server = createServer((_req, res) => {
    writeProblem(res, err('forbidden', { detail: 'no access' }), { requestId: 'r1' });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves an RFC 9457 body', async () => {
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({
      code: 'forbidden',
      title: 'Forbidden',
      detail: 'no access',
      requestId: 'r1',
    });
  });
});
