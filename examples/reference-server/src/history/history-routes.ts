import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, AppServices } from '../app-context.js';
import { queryHistory, type RouteThreshold } from './history-query.js';
import type { MetricsHistory } from './metrics-history.js';

const WINDOWS = { '15m': 15 * 60_000, '1h': 60 * 60_000 } as const;
const querySchema = z.object({ window: z.enum(['15m', '1h']).default('15m') }).strict();

/** The dashboard page and its static files: not API routes, so neither SLOs nor the history count them. */
export function isDashboardFile(route: string): boolean {
  return route === '/' || route === '/favicon.ico' || route.startsWith('/dashboard/');
}

/** Routes the history leaves out: the dashboard and its admin polling (watching must not move the charts). */
export function isHistoryRoute(route: string): boolean {
  return !(
    route === 'unmatched' ||
    route === '/metrics' ||
    isDashboardFile(route) ||
    route.startsWith('/health') ||
    route.startsWith('/admin')
  );
}

/**
 * The SLO recorder's recommendation for a route, reduced to what the charts draw. Memoized per
 * route for the current bucket (so at most one bucket old) and while the route records nothing:
 * a recommendation costs ~0.1 ms per route (it formats its explanation with Intl), more than
 * the rest of the history query.
 */
function sloThreshold(services: AppServices, history: MetricsHistory): (route: string) => RouteThreshold {
  const memo = new Map<string, { samples: number; bucket: number; threshold: RouteThreshold }>();
  return (route) => {
    const samples = history.routeSamples(route);
    const bucket = history.currentIndex();
    const cached = memo.get(route);
    if (cached && (cached.samples === samples || cached.bucket === bucket)) return cached.threshold;
    const result = services.slo.recommendThreshold(route);
    const threshold: RouteThreshold =
      result.status === 'ok'
        ? { status: 'ok', thresholdMs: result.thresholdMs }
        : { status: 'insufficient_data', samples: result.samples, minSamples: result.minSamples };
    memo.set(route, { samples, bucket, threshold });
    return threshold;
  };
}

/**
 * `GET /admin/history?window=15m|1h`: the in-process history as aligned series. Answers with an
 * ETag naming (window, current bucket, history version) and 304 to a matching `If-None-Match`,
 * without building the body. Admin-only (the `/admin/*` guard).
 */
export function historyRoutes(
  app: Hono<AppEnv>,
  services: AppServices,
  history: MetricsHistory,
  sampleDlq: () => Promise<void>,
): void {
  const cache = new Map<string, { etag: string; body: string }>();
  const thresholds = sloThreshold(services, history);
  app.get('/admin/history', async (c) => {
    const { window } = querySchema.parse(c.req.query());
    await sampleDlq();
    const etag = `"h-${window}-${history.currentIndex()}-${history.version()}"`;
    const headers = { etag, 'cache-control': 'private, no-cache', vary: 'authorization' };
    const match = c.req.header('if-none-match');
    if (match?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
      return c.body(null, 304, headers);
    }
    let cached = cache.get(window);
    if (cached?.etag !== etag) {
      cached = { etag, body: JSON.stringify(queryHistory(history, WINDOWS[window], thresholds)) };
      cache.set(window, cached);
    }
    return c.body(cached.body, 200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  });
}
