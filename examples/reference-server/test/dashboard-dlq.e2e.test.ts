import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, type DashboardSession, openDashboard } from './chromium.js';
import { ADMIN_TOKEN, buildTestApp } from './helpers.js';

const executablePath = chromiumPath();

describe.skipIf(!executablePath)('dashboard: delivery queue and DLQ in headless Chromium', () => {
  let healthy = false;
  let receiver: Server;
  let session: DashboardSession | undefined;
  let browser: Browser;
  let baseUrl = '';
  let built: ReturnType<typeof buildTestApp>;

  beforeAll(async () => {
    receiver = createServer((_req, res) => {
      res.statusCode = healthy ? 204 : 500;
      res.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    built = buildTestApp({
      WEBHOOK_REAL: '1',
      WEBHOOK_ALLOW_HTTP: '1',
      WEBHOOK_EGRESS_ALLOW: '127.0.0.1',
      DELIVERY_RETRY_SCHEDULE_MS: '0',
      DELIVERY_POLL_INTERVAL_MS: '10',
    });
    session = await openDashboard(built.app.fetch, executablePath as string);
    ({ browser, baseUrl } = session);
  }, 30_000);

  afterAll(async () => {
    await session?.close();
    for (const closer of built.services.closers) await closer.close();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  it('shows a dead-lettered delivery and requeues it with the Requeue button', async () => {
    const { request, services } = built;
    const port = (receiver.address() as AddressInfo).port;
    await request('/admin/endpoints', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['order.created'] }),
    });
    const { messageId } = await (
      await request('/events', {
        admin: true,
        method: 'POST',
        body: JSON.stringify({ type: 'order.created', payload: { id: 1 } }),
      })
    ).json();
    services.delivery?.dispatcher.start();
    await services.delivery?.dispatcher.idle();

    const page = await browser.newPage();
    await page.goto(`${baseUrl}/`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('#dlq-size');
    expect(await page.textContent('#dlq-size')).toBe('1');
    expect(await page.textContent('#queue .body')).toContain(messageId);
    expect(await page.textContent('#queue .body')).toContain('http_500');

    healthy = true;
    await page.click('button[data-requeue]');
    await services.delivery?.dispatcher.idle();
    await expect.poll(() => page.textContent('#dlq-size'), { timeout: 10_000 }).toBe('0');
    const status = await (await request(`/events/${messageId}`, { admin: true })).json();
    expect(status.deliveries[0].status).toBe('succeeded');
    await page.close();
  });
});
