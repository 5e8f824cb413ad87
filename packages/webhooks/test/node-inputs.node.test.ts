import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../src/index.js';
import { clockAt, NOW_SEC, SECRET } from './helpers.js';

describe('Node inputs', () => {
  it('verifies a Buffer body with IncomingHttpHeaders', async () => {
    const body = Buffer.from([0x7b, 0x7d, 0xff]);
    const signed = await sign({ body, secrets: SECRET, timestamp: NOW_SEC, id: 'buf' });
    const headers: IncomingHttpHeaders = { ...signed, host: '127.0.0.1', 'x-forwarded-for': ['a', 'b'] as never };
    const result = await verify({ headers, body, secrets: SECRET, clock: clockAt() });
    expect(result).toMatchObject({ id: 'buf', keyId: '0' });
    expect(result.body).toBe(body);
  });
});
