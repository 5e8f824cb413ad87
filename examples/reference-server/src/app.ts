import { err, errorLogFields, fromZodError, problemResponse } from '@bulwark/errors';
import { Hono } from 'hono';
import { ZodError } from 'zod';
import { type AppEnv, type AppServices, countError } from './app-context.js';
import { publicRateLimit } from './rate-limiting.js';
import { adminRoutes } from './routes/admin.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { deliveryRoutes } from './routes/delivery.js';
import { emailRoutes } from './routes/email.js';
import { healthRoutes } from './routes/health.js';
import { sloRoutes } from './routes/slo.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Builds the HTTP application from its services. Routes are mounted by feature. */
export function createApp(services: AppServices, mount: Array<(app: Hono<AppEnv>) => void> = []): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { logger, metrics, clock } = services;

  app.use(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    c.header('x-request-id', requestId);
    const started = clock.now();
    await next();
    const route = c.req.routePath || 'unmatched';
    const seconds = (clock.now() - started) / 1000;
    metrics.httpRequests.inc({ route, method: c.req.method, status: String(c.res.status) });
    metrics.httpDuration.observe({ route, method: c.req.method }, seconds);
    if (route !== 'unmatched' && !route.startsWith('/health') && route !== '/metrics') {
      services.slo.record(`${c.req.method} ${route}`, seconds * 1000, c.res.status >= 500 ? 'error' : 'ok');
    }
  });

  app.onError((thrown, c) => {
    const error = thrown instanceof ZodError ? fromZodError(thrown) : thrown;
    const requestId = c.get('requestId');
    countError(services, error);
    const fields = errorLogFields(error, { requestId });
    if (fields.error_status >= 500) logger.error(fields, 'request failed');
    else logger.info(fields, 'request rejected');
    return problemResponse(error, { requestId, headers: { 'x-request-id': requestId } });
  });

  app.notFound((c) => {
    countError(services, err('not_found'));
    const requestId = c.get('requestId');
    return problemResponse(err('not_found', { detail: `No route for ${c.req.method} ${c.req.path}` }), {
      requestId,
      headers: { 'x-request-id': requestId },
    });
  });

  const limited = publicRateLimit(services);
  for (const path of ['/events', '/events/*', '/email/*', '/webhooks/*']) app.use(path, limited);

  healthRoutes(app, services);
  adminRoutes(app, services);
  sloRoutes(app, services);
  emailRoutes(app, services);
  deliveryRoutes(app, services);
  for (const add of mount) add(app);
  dashboardRoutes(app);
  return app;
}
