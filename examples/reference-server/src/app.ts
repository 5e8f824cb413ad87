import { err, errorLogFields, fromZodError, problemResponse } from '@bulwark/errors';
import { Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { $ZodError } from 'zod/v4/core';
import { type AppEnv, type AppServices, countError } from './app-context.js';
import { conditionalGet } from './conditional-get.js';
import { dashboardApiRoutes } from './dashboard/dashboard-api.js';
import { suppressionRoutes } from './email/suppression-routes.js';
import { dlqSampler } from './history/history-feed.js';
import { historyRoutes, isDashboardFile, isHistoryRoute } from './history/history-routes.js';
import { publicRateLimit } from './rate-limiting.js';
import { requireJson } from './require-json.js';
import { adminRoutes } from './routes/admin.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { deliveryRoutes } from './routes/delivery.js';
import { emailRoutes } from './routes/email.js';
import { healthRoutes } from './routes/health.js';
import { sloRoutes } from './routes/slo.js';
import { toStorageError } from './storage-errors.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const RATE_LIMITED = /^\/(events(\/|$)|email\/|webhooks\/)/;

/** The route a request matched, for metric and SLO labels: the handler's pattern, never a middleware's. */
function routeLabel(c: Parameters<typeof matchedRoutes>[0]): string {
  const handlers = matchedRoutes(c).filter((route) => route.method !== 'ALL');
  return handlers.at(-1)?.path ?? 'unmatched';
}

/** Sets a header on the final response, copying it first when a middleware returned an immutable one. */
function setResponseHeader(c: { res: Response }, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}

/** Builds the HTTP application from its services. Routes are mounted by feature. */
export function createApp(services: AppServices, mount: Array<(app: Hono<AppEnv>) => void> = []): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { logger, metrics, clock } = services;

  app.use(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    const started = clock.now();
    await next();
    setResponseHeader(c, 'x-request-id', requestId);
    const route = routeLabel(c);
    const seconds = (clock.now() - started) / 1000;
    metrics.httpRequests.inc({ route, method: c.req.method, status: String(c.res.status) });
    metrics.httpDuration.observe({ route, method: c.req.method }, seconds);
    if (isSloSample(c.req.method, route)) {
      services.slo.record(`${c.req.method} ${route}`, seconds * 1000, c.res.status >= 500 ? 'error' : 'ok');
    }
    if (isHistoryRoute(route)) services.history.request(`${c.req.method} ${route}`, seconds * 1000);
  });
  app.use(
    secureHeaders({ referrerPolicy: 'no-referrer', xFrameOptions: 'DENY', crossOriginResourcePolicy: 'same-origin' }),
  );
  // API responses are never rendered: nothing may load, frame or be framed. The dashboard page sets its own.
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has('content-security-policy')) setResponseHeader(c, 'content-security-policy', API_CSP);
  });

  app.onError((thrown, c) => {
    const error = thrown instanceof $ZodError ? fromZodError(thrown) : toStorageError(thrown);
    const requestId = c.get('requestId');
    countError(services, error);
    services.storageHealth.observe(error);
    const fields = errorLogFields(error, { requestId });
    if (fields.error_status >= 500) logger.error(fields, 'request failed');
    else logger.info(fields, 'request rejected');
    const retryAfterMs = (error as { extensions?: { retryAfterMs?: unknown } }).extensions?.retryAfterMs;
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (typeof retryAfterMs === 'number') headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
    return problemResponse(error, { requestId, headers });
  });

  app.notFound((c) => {
    countError(services, err('not_found'));
    const requestId = c.get('requestId');
    return problemResponse(err('not_found', { detail: `No route for ${c.req.method} ${c.req.path}` }), {
      requestId,
      headers: { 'x-request-id': requestId },
    });
  });

  // One decision per request, keyed by client address (trusted proxies honoured).
  const limited = publicRateLimit(services);
  app.use('*', (c, next) => (RATE_LIMITED.test(c.req.path) ? limited(c, next) : next()));
  for (const path of ['/events', '/email/*', '/admin/*']) app.use(path, requireJson());
  // What the dashboard polls answers 304 to a matching If-None-Match.
  for (const path of ['/admin/*', '/health/*']) app.use(path, conditionalGet());

  healthRoutes(app, services);
  adminRoutes(app, services);
  dashboardApiRoutes(app, services);
  suppressionRoutes(app, services);
  historyRoutes(
    app,
    services,
    services.history,
    services.delivery ? dlqSampler(services.history, services.delivery.dispatcher) : async () => {},
  );
  sloRoutes(app, services);
  emailRoutes(app, services);
  deliveryRoutes(app, services);
  for (const add of mount) add(app);
  dashboardRoutes(app);
  return app;
}

/**
 * Whether a request is a sample of the service's SLOs: not probes, scrapes, dashboard files or
 * operator reads (`GET /admin/*`, which the dashboard polls: as samples, every SLO view would
 * change with its own refresh and never answer 304).
 */
function isSloSample(method: string, route: string): boolean {
  if (route === 'unmatched' || route === '/metrics' || route.startsWith('/health') || isDashboardFile(route)) {
    return false;
  }
  return !(method === 'GET' && route.startsWith('/admin/'));
}
