import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

describe('reference server: SLO recording', () => {
  it('records the API routes (not operator reads) and recommends a threshold once enough requests were seen', async () => {
    const { request } = buildTestApp();
    for (let i = 0; i < 5; i++) await request('/events/none', { admin: true });
    let body = await (await request('/admin/slo/recommend', { admin: true })).json();
    expect(body.routes).toContainEqual(
      expect.objectContaining({ route: 'GET /events/:id', status: 'insufficient_data', samples: 5 }),
    );

    for (let i = 0; i < 120; i++) await request('/events/none', { admin: true });
    body = await (await request('/admin/slo/recommend', { admin: true })).json();
    const route = body.routes.find((r: { route: string }) => r.route === 'GET /events/:id');
    expect(route).toMatchObject({ status: 'ok', quantile: 0.975, samples: 125, withinTarget: true });
    expect(route.explanation).toContain('p97.5');
    expect(body.routes.some((r: { route: string }) => r.route.includes('/health'))).toBe(false);
    // The dashboard polls the admin GETs: they are not samples, so the SLO view can answer 304.
    expect(body.routes.some((r: { route: string }) => r.route.startsWith('GET /admin/'))).toBe(false);
  });

  it('says whether the burn rate was evaluated: too few requests in every alert window is not an ok', async () => {
    const { request } = buildTestApp();
    const burnOf = async () =>
      (await (await request('/admin/slo/recommend', { admin: true })).json()).routes.find(
        (r: { route: string }) => r.route === 'GET /events/:id',
      ).burnRate;
    // DEFAULT_BURN_RATE_MIN_EVENTS (10) requests in both windows of a rule are needed to judge.
    for (let i = 0; i < 9; i++) await request('/events/none', { admin: true });
    expect(await burnOf()).toMatchObject({ severity: 'none', evaluated: false, minEvents: 10 });
    await request('/events/none', { admin: true });
    expect(await burnOf()).toMatchObject({ severity: 'none', evaluated: true });
  });

  it('rejects bad query parameters with validation_failed', async () => {
    const { request } = buildTestApp();
    const response = await request('/admin/slo/recommend?quantile=2', { admin: true });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ pointer: '/quantile' })],
    });
  });

  it('exports SLO metrics on /metrics', async () => {
    const { request } = buildTestApp();
    await request('/events/none', { admin: true });
    expect(await (await request('/metrics', { admin: true })).text()).toContain('GET /events/:id');
  });
});
