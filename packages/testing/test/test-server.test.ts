import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createTestServer } from '../src/index.js';

describe('createTestServer', () => {
  const server = createTestServer([
    http.post('https://api.fake.test/echo', async ({ request }) => HttpResponse.json({ got: await request.text() })),
  ]);

  it('records calls and answers from handlers', async () => {
    const response = await fetch('https://api.fake.test/echo', { method: 'POST', body: 'hi', headers: { 'x-a': '1' } });
    expect(await response.json()).toEqual({ got: 'hi' });
    expect(server.calls).toEqual([
      expect.objectContaining({ method: 'POST', url: 'https://api.fake.test/echo', body: 'hi' }),
    ]);
    expect(server.calls[0]?.headers['x-a']).toBe('1');
  });

  it('starts each test with no calls and lets a test override handlers', async () => {
    expect(server.calls).toHaveLength(0);
    server.use(http.post('https://api.fake.test/echo', () => HttpResponse.text('override', { status: 503 })));
    const response = await fetch('https://api.fake.test/echo', { method: 'POST', body: 'x' });
    expect(response.status).toBe(503);
    expect(server.calls).toHaveLength(1);
  });

  it('errors on unhandled requests', async () => {
    await expect(fetch('https://api.fake.test/nope')).rejects.toThrow();
  });
});
