import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, type DashboardSession, openDashboard } from './chromium.js';
import { ADMIN_TOKEN, buildTestApp } from './helpers.js';

const executablePath = chromiumPath();

describe.skipIf(!executablePath)('dashboard in headless Chromium', () => {
  let session: DashboardSession | undefined;
  let browser: Browser;
  let baseUrl = '';
  const { app, request, services } = buildTestApp();

  beforeAll(async () => {
    session = await openDashboard(app.fetch, executablePath as string);
    ({ browser, baseUrl } = session);
  }, 30_000);

  afterAll(async () => {
    await session?.close();
    for (const closer of services.closers) await closer.close();
  });

  it('asks for the admin token, then shows health and error counts', async () => {
    await request('/does-not-exist');
    await request('/does-not-exist');
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/`);
    await expect.poll(() => page.isVisible('#login')).toBe(true);
    expect(await page.isVisible('#panels')).toBe(false);

    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('#errors-total');

    expect(await page.textContent('#health .body')).toContain('ready');
    expect(await page.textContent('#errors-total')).toBe('2');
    expect(await page.textContent('#errors .body')).toContain('not_found');
    await page.close();
  });

  it('sends a wrong token back to the login form', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/`);
    await page.fill('#token', 'wrong-token');
    await page.click('button[type=submit]');
    await expect.poll(() => page.isVisible('#login'), { timeout: 5_000 }).toBe(true);
    await page.close();
  });
});
