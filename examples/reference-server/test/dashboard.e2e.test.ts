import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardWeight, loadDashboardAssets } from '../src/dashboard/dashboard-assets.js';
import { listenOnLoopback } from '../src/listen-on-loopback.js';
import { chromiumPath, type DashboardSession, openDashboard } from './chromium.js';
import { ADMIN_TOKEN, buildTestApp } from './helpers.js';

const executablePath = chromiumPath();
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts', 'dashboard');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [390, 1280, 1920] as const;
const VIEWS = ['#endpoints', '#dlq', '#suppressions', '#errors', '#slo', '#health', '#audit', '#email'];
const CHARTS = ['deliveries', 'publishes', 'errors', 'latency', 'breakers', 'dlq'];

/** Seeds a server with an hour of activity: two endpoints (one failing), a DLQ, suppressions, errors, SLO data. */
async function seed(built: ReturnType<typeof buildTestApp>, receiverUrl: string) {
  const { request, services, clock } = built;
  const create = async (path: string) =>
    (
      await (
        await request('/admin/endpoints', {
          method: 'POST',
          admin: true,
          body: JSON.stringify({ url: `${receiverUrl}${path}`, eventTypes: ['order.created'] }),
        })
      ).json()
    ).endpoint.id as string;
  const good = await create('/hooks/orders');
  await create('/hooks/fails-with-a-rather-long-path/that/must/wrap/inside/its/card');
  await request(`/admin/webhooks/${good}/rotate-secret`, { method: 'POST', admin: true });
  const dispatcher = services.delivery?.dispatcher;
  dispatcher?.start();
  for (let bucket = 0; bucket < 24; bucket++) {
    for (let i = 0; i < 1 + (bucket % 4); i++) {
      await request('/events', {
        admin: true,
        method: 'POST',
        body: JSON.stringify({ type: 'order.created', payload: { bucket, i } }),
      });
    }
    await dispatcher?.idle();
    if (bucket % 3 === 0) await request('/events/no-such-message', { admin: true });
    if (bucket % 5 === 0) await request('/admin/features', { headers: { authorization: 'Bearer nope' } });
    for (let i = 0; i < 6; i++) {
      const ms = 20 + ((bucket * 7 + i * 13) % 60) + (i === 5 ? 150 : 0);
      services.slo.record('GET /events/:id', ms, 'ok');
      services.history.request('GET /events/:id', ms);
    }
    clock.advance(10_000);
  }
  const at = new Date(clock.now() - 3_600_000);
  services.email?.store.addSuppressions(
    ['ann@acme.test', 'bob@example.org', 'complaints@acme.test'].map((email, i) => ({
      email,
      reason: i === 2 ? ('complaint' as const) : ('hard_bounce' as const),
      provider: 'resend',
      providerMessageId: undefined,
      occurredAt: at,
    })),
    at,
  );
  services.email?.store.addEvents(
    [
      {
        type: 'bounced',
        provider: 'resend',
        recipient: 'ann@acme.test',
        providerMessageId: 'm_1',
        eventId: 'evt_1',
        occurredAt: at,
        metadata: {},
        raw: {},
      },
    ],
    at,
  );
  await services.health.refresh();
}

async function signIn(page: Page, baseUrl: string, token = ADMIN_TOKEN, query = '') {
  await page.goto(`${baseUrl}/${query}`);
  await page.fill('#token', token);
  await page.click('#login button[type=submit]');
}

/** What a chart plots, from the page's own module instance (read as a string: vitest would rewrite import()). */
function plotted(page: Page, id: string): Promise<Array<Array<number | null>> | null> {
  return page.evaluate(`import('/dashboard/charts.js').then((charts) => charts.chartData(${JSON.stringify(id)}))`);
}
/** A chart's y axis as drawn: unit label, bottom of the scale, tick values. */
function yAxis(
  page: Page,
  id: string,
): Promise<{ unit: string | null; min: number; ticks: number[]; xOverflow: number } | null> {
  return page.evaluate(`import('/dashboard/charts.js').then((charts) => charts.chartAxis(${JSON.stringify(id)}))`);
}

/** axe-core run inside the page (injected once): its serious and critical violations, with their targets. */
async function seriousAxeViolations(page: Page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<Record<string, unknown>> }> } }).axe;
    return (await axe.run()).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        nodes: (v.nodes as Array<{ target: unknown }>).map((n) => n.target),
      }));
  });
}

/** Waits until every chart follows its card's width again (ResizeObserver → uPlot setSize). */
function chartsFit(page: Page) {
  return page.waitForFunction(() =>
    [...document.querySelectorAll('.chart')].every(
      (chart) => Math.abs(((chart.firstElementChild as HTMLElement | null)?.offsetWidth ?? 0) - chart.clientWidth) <= 3,
    ),
  );
}

/** Cards wider than themselves, tables wider than their wrapper, and page-level overflow. */
function overflow(page: Page) {
  return page.evaluate(() => {
    const wide = (el: Element) => el.scrollWidth > el.clientWidth + 1;
    const cards = [...document.querySelectorAll('.card, .table-wrap')].filter(
      (el) => (el as HTMLElement).offsetParent !== null && wide(el),
    );
    return {
      page: document.documentElement.scrollWidth - window.innerWidth,
      cards: cards.map((el) => el.id || el.closest('.card')?.id || el.className),
    };
  });
}

/**
 * Words broken across two lines inside a table cell (a word: a run between spaces, `-` and `/`,
 * where a browser may wrap a URL or path anyway). On screens that show tables as tables, an
 * e-mail address, an id or a code split in two is hard to read and to copy.
 */
function brokenWords(page: Page) {
  return page.evaluate(() => {
    const broken: string[] = [];
    for (const cell of document.querySelectorAll('#panels td')) {
      if ((cell as HTMLElement).offsetParent === null) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[^\s/-]{2,}/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (tops.size > 1) broken.push(match[0]);
        }
      }
    }
    return broken;
  });
}

describe('operator dashboard in headless Chromium', () => {
  if (!executablePath) throw new Error('chromium not found (pnpm test installs it)');
  let session: DashboardSession | undefined;
  let browser: Browser;
  let baseUrl = '';
  let receiver: Server;
  let built: ReturnType<typeof buildTestApp>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    receiver = createServer((req, res) => {
      res.statusCode = req.url?.startsWith('/hooks/orders') ? 204 : 500;
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
    await seed(built, `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`);
    session = await openDashboard(built.app.fetch, executablePath);
    ({ browser, baseUrl } = session);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    for (const closer of built?.services.closers ?? []) await closer.close();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  it('a wrong token or an API key is refused with a message saying which, and the dashboard stays closed', async () => {
    const page = await browser.newPage();
    await signIn(page, baseUrl, 'wrong-token');
    await page.waitForSelector('#login-error:not([hidden])');
    expect(await page.textContent('#login-error')).toContain('rejected');
    expect(await page.isVisible('#panels')).toBe(false);
    // A valid API key is not an admin credential, and the page says that instead.
    const created = await built.request('/admin/api-keys', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ name: 'publisher', scopes: ['events:publish'] }),
    });
    const { key } = await created.json();
    await signIn(page, baseUrl, key);
    await expect.poll(() => page.textContent('#login-error')).toContain('not admin credentials');
    expect(await page.isVisible('#panels')).toBe(false);
    await page.close();
  });

  it('shows every view and chart with data, fits 390/1280/1920 px, passes axe, obeys the CSP', async () => {
    const context = await browser.newContext({ colorScheme: 'light', timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/.test(message.text())) cspViolations.push(message.text());
    });
    await signIn(page, baseUrl, ADMIN_TOKEN);
    await page.waitForSelector('#dlq-size');
    await page.waitForFunction(() => document.querySelectorAll('.uplot').length === 6);
    for (const view of VIEWS) {
      await page.waitForSelector(`${view} table`);
    }
    expect(await page.textContent('#dlq-size')).not.toBe('0');
    expect(await page.textContent('#endpoints')).toContain('/hooks/orders');
    expect(await page.textContent('#endpoints')).toContain('rotating');
    expect(await page.textContent('#endpoints')).toMatch(/open/);
    expect(await page.textContent('#dlq')).toContain('http_500');
    expect(await page.textContent('#errors')).toContain('not_found');
    expect(await page.getAttribute('#errors a', 'href')).toMatch(/^https:\/\/bulwark\.dev\/problems\/[a-z_]+$/);
    expect(await page.textContent('#slo')).toContain('GET /events/:id');
    expect(await page.textContent('#slo')).toContain('not enough data');
    expect(await page.textContent('#slo')).not.toMatch(/\bwarn\b/);
    // Burn: a route with 2 requests was never judged by an alert rule, so it is not "ok" either.
    const burn = (route: string) => page.locator('#slo tr', { hasText: route }).locator('td').last().textContent();
    expect(await burn('POST /admin/endpoints')).toBe('not enough data');
    expect(await burn('GET /events/:id')).toBe('ok');
    expect(await page.textContent('#suppressions')).toContain('bob@example.org');
    expect(await page.textContent('#audit')).toContain('endpoint.rotate_secret');
    expect(await page.textContent('#chart-latency .legend-note')).toMatch(/threshold \d+ ms/);
    for (const chart of CHARTS) expect(await page.isVisible(`#chart-${chart} canvas`)).toBe(true);
    // The time axes are in the browser's zone, and the heading says which.
    expect(await page.textContent('#charts-h')).toBe('Last 15 minutes · times in Europe/Berlin');
    // Units on every y axis; rates, counts and latencies from 0; counts on whole ticks.
    const units = {
      deliveries: 'per second',
      publishes: 'per second',
      errors: 'errors per 10 s',
      latency: 'ms',
      dlq: 'deliveries',
    };
    for (const [chart, unit] of Object.entries(units)) {
      expect(await yAxis(page, `chart-${chart}`), chart).toMatchObject({ unit, min: 0 });
    }
    for (const chart of ['errors', 'dlq']) {
      await expect.poll(async () => (await yAxis(page, `chart-${chart}`))?.ticks.length ?? 0).toBeGreaterThan(1);
      expect((await yAxis(page, `chart-${chart}`))?.ticks.every(Number.isInteger), chart).toBe(true);
    }

    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await chartsFit(page);
      expect(await overflow(page), `overflow at ${width}px`).toEqual({ page: 0, cards: [] });
      if (width >= 1280) expect(await brokenWords(page), `words split at ${width}px`).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${width}.png`), fullPage: true });
      if (width === 390) {
        // The stacked table layout is its own markup for assistive tech: axe checks it too.
        expect(await seriousAxeViolations(page), 'axe at 390px').toEqual([]);
        await page.screenshot({ path: join(ARTIFACTS, 'dashboard-390-top.png') });
        for (const view of ['#endpoints', '#dlq', '#slo']) {
          await page.locator(view).screenshot({ path: join(ARTIFACTS, `dashboard-390-${view.slice(1)}.png`) });
        }
      }
    }

    expect(await seriousAxeViolations(page), 'axe at 1920px').toEqual([]);

    // Dark mode: the toggle, a screenshot per width, then axe again (contrast is theme-dependent).
    await page.click('#theme');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await chartsFit(page);
      expect(await overflow(page), `overflow at ${width}px, dark`).toEqual({ page: 0, cards: [] });
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${width}-dark.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await seriousAxeViolations(page), 'axe at 1280px, dark').toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('dark mode follows the system preference', async () => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await page.getAttribute('#theme', 'aria-pressed')).toBe('true');
    await context.close();
  });

  it('a fresh server shows empty states in every view, reachable by keyboard from the skip link', async () => {
    const fresh = buildTestApp();
    const server = await listenOnLoopback(fresh.app.fetch);
    const page = await browser.newPage();
    try {
      await signIn(page, server.url);
      await page.waitForSelector('#dlq .empty');
      for (const view of ['#endpoints', '#dlq', '#suppressions', '#errors', '#audit', '#email']) {
        expect(await page.isVisible(`${view} .empty`), view).toBe(true);
      }
      expect(await page.locator('#panels .error').count()).toBe(0);
      expect(await page.textContent('#chart-breakers .legend-note')).toContain('all closed');
      await page.waitForFunction(() => document.querySelectorAll('.uplot').length === 6);
      expect(await page.textContent('#route')).toBe('no requests yet');
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await chartsFit(page);
        // The window ends on a tick here (the clock starts at midnight): its label stays inside.
        for (const chart of CHARTS) {
          await expect
            .poll(async () => (await yAxis(page, `chart-${chart}`))?.xOverflow, { message: `${chart} at ${width}px` })
            .toBe(0);
        }
        expect(await overflow(page), `overflow at ${width}px, empty`).toEqual({ page: 0, cards: [] });
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-empty-${width}.png`), fullPage: true });
      }
      // Keyboard, from a fresh load: the skip link first, then the section links and controls.
      await page.reload();
      await page.waitForSelector('#dlq .empty');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      const reached: string[] = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        reached.push(
          await page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent || ''),
        );
      }
      expect(reached).toEqual(
        expect.arrayContaining(['Charts', 'Audit', 'window', 'theme', 'logout', 'suppression-q']),
      );
    } finally {
      await page.close();
      await server.close();
      for (const closer of fresh.services.closers) await closer.close();
    }
  });

  it('polls every view with If-None-Match and gets 304 while nothing changed', async () => {
    const page = await browser.newPage();
    // Path without query → statuses seen, and whether each poll after the first sent a validator.
    const seen = new Map<string, { statuses: number[]; validated: boolean[] }>();
    page.on('response', async (response) => {
      const url = new URL(response.url());
      if (!/^\/(admin|health)\//.test(url.pathname)) return;
      const entry = seen.get(url.pathname) ?? { statuses: [], validated: [] };
      seen.set(url.pathname, entry);
      entry.statuses.push(response.status());
      entry.validated.push(Boolean(await response.request().headerValue('if-none-match')));
    });
    await signIn(page, baseUrl, ADMIN_TOKEN, '?poll=250');
    const polled = [
      '/admin/features',
      '/admin/history',
      '/admin/dashboard/endpoints',
      '/admin/dashboard/dlq',
      '/admin/email/suppressions',
      '/admin/errors',
      '/admin/audit',
      '/admin/email/events',
      '/admin/slo/recommend',
      '/health/dependencies',
    ];
    await expect
      .poll(() => polled.filter((path) => !seen.get(path)?.statuses.includes(304)), { timeout: 10_000 })
      .toEqual([]);
    for (const path of polled) expect(seen.get(path)?.statuses.slice(0, 2), path).toEqual([200, 304]);
    for (const path of polled) expect(seen.get(path)?.validated.slice(1).every(Boolean), path).toBe(true);
    // On a 304 the views keep their last body: the DLQ still lists its deliveries.
    expect(Number(await page.textContent('#dlq-size'))).toBeGreaterThan(0);
    expect(await page.locator('#panels .error').count()).toBe(0);
    await page.close();
  });

  it('the charts plot exactly the series of the history API (15 min and 1 h)', async () => {
    const fresh = buildTestApp();
    const { request, services, clock } = fresh;
    const server = await listenOnLoopback(fresh.app.fetch);
    const page = await browser.newPage();
    try {
      const created = await request('/admin/endpoints', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ url: 'https://receiver.example.com/hooks', eventTypes: ['order.created'] }),
      });
      expect(created.status).toBe(201);
      services.delivery?.dispatcher.start();
      // Four 10 s buckets: 1, 2, 3, 4 events published and delivered; 2 not_found in the third;
      // one endpoint's breaker opens in the second and closes in the fourth.
      for (let bucket = 0; bucket < 4; bucket++) {
        if (bucket === 1) services.history.breaker('ep_probe', 'open');
        if (bucket === 3) services.history.breaker('ep_probe', 'closed');
        for (let i = 0; i <= bucket; i++) {
          const published = await request('/events', {
            admin: true,
            method: 'POST',
            body: JSON.stringify({ type: 'order.created', payload: { bucket, i } }),
          });
          expect(published.status).toBe(202);
        }
        await services.delivery?.dispatcher.idle();
        if (bucket === 2) for (let i = 0; i < 2; i++) await request('/events/no-such-message', { admin: true });
        clock.advance(10_000);
      }

      await signIn(page, server.url);
      const plottedHere = (id: string) => plotted(page, id);
      const history = async (window: string) =>
        (await (await request(`/admin/history?window=${window}`, { admin: true })).json()) as {
          timestamps: number[];
          deliveries: { succeeded: number[]; retried: number[]; failed: number[] };
          publishes: number[];
          errors: Array<{ code: string; counts: number[] }>;
          dlqDepth: Array<number | null>;
          latency: Array<{
            route: string;
            p50Series: Array<number | null>;
            p90Series: Array<number | null>;
            threshold: { status: string; thresholdMs?: number };
          }>;
          breakers: Array<{ endpointId: string; levels: number[] }>;
        };
      await page.waitForFunction(() => document.querySelectorAll('.uplot').length === 6);
      for (const [window, buckets] of [
        ['15m', 90],
        ['1h', 360],
      ] as const) {
        if (window === '1h') {
          await page.selectOption('#window', '1h');
          await expect.poll(async () => (await plottedHere('chart-publishes'))?.[0]?.length).toBe(buckets);
        }
        const h = await history(window);
        expect(await plottedHere('chart-publishes')).toEqual([h.timestamps, h.publishes]);
        // Failed first and succeeded last: uPlot draws in order, so where all three are 0 the
        // baseline is green, not the red of failures.
        expect(await plottedHere('chart-deliveries')).toEqual([
          h.timestamps,
          h.deliveries.failed,
          h.deliveries.retried,
          h.deliveries.succeeded,
        ]);
        expect(await plottedHere('chart-errors')).toEqual([h.timestamps, ...h.errors.map((e) => e.counts)]);
        expect(await plottedHere('chart-dlq')).toEqual([h.timestamps, h.dlqDepth]);
        // The busiest route's p50/p90 (and its threshold once it has one), and the breaker timeline.
        const route = h.latency[0];
        expect(route?.route).toBe('POST /events');
        expect(await plottedHere('chart-latency')).toEqual([
          h.timestamps,
          route?.p50Series,
          route?.p90Series,
          ...(route?.threshold.status === 'ok' ? [h.timestamps.map(() => route.threshold.thresholdMs)] : []),
        ]);
        expect(await plottedHere('chart-breakers')).toEqual([h.timestamps, ...h.breakers.map((b) => b.levels)]);
        expect(h.breakers[0]?.levels.slice(-5)).toEqual([0, 2, 2, 2, 0]);
        // And the API says what the server was driven through: per second, 10 s buckets, the
        // last four closed buckets then the current (empty) one.
        const [t, publishes] = (await plottedHere('chart-publishes')) as [number[], number[]];
        expect(t).toHaveLength(buckets);
        expect(t.at(-1)).toBe(Math.floor(clock.now() / 10_000) * 10);
        expect(publishes.slice(-5)).toEqual([0.1, 0.2, 0.3, 0.4, 0]);
        expect(publishes.slice(0, -5).every((v) => v === 0)).toBe(true);
        const [, failed, retried, succeeded] = (await plottedHere('chart-deliveries')) as number[][];
        expect(succeeded?.slice(-5)).toEqual([0.1, 0.2, 0.3, 0.4, 0]);
        expect([...(retried ?? []), ...(failed ?? [])].every((v) => v === 0)).toBe(true);
        const [, notFound] = (await plottedHere('chart-errors')) as number[][];
        expect(h.errors.map((e) => e.code)).toEqual(['not_found']);
        expect(notFound?.slice(-5)).toEqual([0, 0, 2, 0, 0]);
      }
    } finally {
      await page.close();
      await server.close();
      for (const closer of fresh.services.closers) await closer.close();
    }
  });

  it('draws open breakers and the most frequent codes first, and says what the charts leave out', async () => {
    const fresh = buildTestApp();
    const { history } = fresh.services;
    const server = await listenOnLoopback(fresh.app.fetch);
    const page = await browser.newPage();
    try {
      // Eight endpoints tripped in turn; only the last is still open. Eight codes, code_7 the most frequent.
      for (let i = 0; i < 8; i++) history.breaker(`ep_${i}`, 'open');
      for (let i = 0; i < 7; i++) history.breaker(`ep_${i}`, 'closed');
      for (let i = 0; i < 8; i++) for (let n = 0; n <= i; n++) history.error(`code_${i}`);
      await signIn(page, server.url);
      await page.waitForFunction(() => document.querySelectorAll('.uplot').length === 6);
      const breakers = (await plotted(page, 'chart-breakers')) as number[][];
      expect(breakers).toHaveLength(7); // timestamps + 6 endpoints
      // The one open now is drawn first (all eight opened in this bucket, so every bucket shows open).
      const legend = await page.locator('#chart-breakers .u-legend .u-series').allTextContents();
      expect(legend.map((label) => label.trim()).filter((label) => label.startsWith('ep_'))).toEqual([
        'ep_7',
        'ep_0',
        'ep_1',
        'ep_2',
        'ep_3',
        'ep_4',
      ]);
      expect(breakers[1]?.at(-1)).toBe(2);
      expect(await page.textContent('#chart-breakers .legend-note')).toContain(
        '2 more endpoints not drawn (0 open now)',
      );
      const errors = (await plotted(page, 'chart-errors')) as number[][];
      expect(errors.slice(1).map((counts) => counts.reduce((a, b) => a + b, 0))).toEqual([8, 7, 6, 5, 4, 3]);
      expect(await page.textContent('#chart-errors .legend-note')).toContain('the 6 most frequent of 8 codes drawn');
    } finally {
      await page.close();
      await server.close();
      for (const closer of fresh.services.closers) await closer.close();
    }
  });

  it('a view says Loading… (aria-busy) until its data arrives', async () => {
    const page = await browser.newPage();
    // Hold the DLQ answer back until the loading state has been seen.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/admin/dashboard/dlq*', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await signIn(page, baseUrl);
      await page.waitForSelector('#endpoints table');
      expect(await page.textContent('#dlq .body')).toBe('Loading…');
      expect(await page.getAttribute('#dlq .body', 'aria-busy')).toBe('true');
      release();
      await page.waitForSelector('#dlq table');
      expect(await page.getAttribute('#dlq .body', 'aria-busy')).toBeNull();
    } finally {
      release();
      await page.close();
    }
  });

  it('an admin JWT that expires while the dashboard is open sends the operator back to the login with a message', async () => {
    const secret = 'j'.repeat(40);
    const fresh = buildTestApp({ ADMIN_JWT_SECRET: secret });
    const server = await listenOnLoopback(fresh.app.fetch);
    const page = await browser.newPage();
    try {
      const now = Math.floor(fresh.clock.now() / 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('ops')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(secret));
      await signIn(page, server.url, token, '?poll=250');
      await page.waitForSelector('#errors-total');
      expect(await page.isVisible('#login-error')).toBe(false);
      fresh.clock.advance(3_600_000); // an hour later the token's exp has passed
      await page.waitForSelector('#login-error:not([hidden])');
      expect(await page.textContent('#login-error')).toMatch(/wrong, expired or was rotated/);
      expect(await page.isVisible('#panels')).toBe(false);
    } finally {
      await page.close();
      await server.close();
      for (const closer of fresh.services.closers) await closer.close();
    }
  });

  it('requeues and redelivers from the DLQ, removes a suppression, and the audit log shows each', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, baseUrl, ADMIN_TOKEN);
    await page.waitForSelector('#dlq button[data-requeue]');
    const before = Number(await page.textContent('#dlq-size'));
    await page.focus('#dlq button[data-requeue]');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#status')).toMatch(/^Requeued|^Updated/);
    await built.services.delivery?.dispatcher.idle();
    await page.click('#dlq button[data-redeliver]');
    await built.services.delivery?.dispatcher.idle();
    await expect.poll(() => page.textContent('#audit'), { timeout: 5_000 }).toContain('delivery.redeliver');
    expect(await page.textContent('#audit')).toContain('dlq.requeue');
    expect(before).toBeGreaterThan(0);

    await page.fill('#suppression-q', 'acme');
    await expect.poll(() => page.textContent('#suppressions')).not.toContain('bob@example.org');
    await page.click('button[data-unsuppress="ann@acme.test"]');
    await expect.poll(() => page.textContent('#suppressions')).not.toContain('ann@acme.test');
    expect(built.services.email?.store.suppressed(['ann@acme.test'])).toEqual([]);
    await expect.poll(() => page.textContent('#audit'), { timeout: 5_000 }).toContain('suppression.remove');
    await page.close();
  });

  // Last: it rotates the admin token.
  it('a token that stops working (rotated) sends the operator back to the login with a message', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, baseUrl);
    await page.waitForSelector('#errors-total');
    const rotated = await built.request('/admin/token/rotate', { method: 'POST', admin: true });
    const { token } = await rotated.json();
    await page.reload();
    await page.waitForSelector('#login-error:not([hidden])');
    expect(await page.textContent('#login-error')).toMatch(/wrong, expired or was rotated/);
    expect(await page.isVisible('#panels')).toBe(false);
    await signIn(page, baseUrl, token);
    await page.waitForSelector('#errors-total');
    await context.close();
  });

  it('page weight budget: at most 150 kB gzip including uPlot', () => {
    const weight = dashboardWeight(loadDashboardAssets());
    console.log(
      `[budget] dashboard page weight: ${(weight.gzip / 1024).toFixed(1)} KiB gzip (${(weight.raw / 1024).toFixed(1)} KiB raw), budget 150 kB`,
    );
    expect(weight.gzip).toBeLessThanOrEqual(150_000);
  });
});
