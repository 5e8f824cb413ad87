import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPostmarkProvider } from '@bulwark/email/postmark';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmailProviderFromEnv } from '../src/from-env.js';
import { sendOk } from './fixtures/postmark-api.js';

let server: Server;
let baseUrl: string;
const seen: Array<{ url: string; token: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', token: req.headers['x-postmark-server-token'] as string | undefined, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sendOk));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('adapters over a real loopback socket', () => {
  it('send through the default global fetch', async () => {
    const postmark = createPostmarkProvider({ serverToken: 'tok', baseUrl: `${baseUrl}/` });
    await expect(
      postmark.send({ from: 'a@example.com', to: 'b@example.org', subject: 'Hi', text: 'Hello' }),
    ).resolves.toMatchObject({ provider: 'postmark', messageId: sendOk.MessageID });
    expect(seen.at(-1)).toMatchObject({ url: '/email', token: 'tok' });
  });

  it('logs the simulated fallback through console by default', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    expect(createEmailProviderFromEnv({}).name).toBe('simulated');
    expect(info).toHaveBeenCalledWith(expect.stringContaining('EMAIL_PROVIDER is not set'), { provider: 'simulated' });
    info.mockRestore();
  });
});
