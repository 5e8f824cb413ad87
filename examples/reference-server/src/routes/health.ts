import { createHealthHandler } from '@bulwark/health';
import type { Hono } from 'hono';
import type { AppEnv, AppServices } from '../app-context.js';
import { requireAccess } from '../auth/require-access.js';

/**
 * `/health/liveness` and `/health/readiness` (anonymous, answered from cached check results, so
 * they cost the same at any data size) and `/health/dependencies` (admin: it names every dependency).
 */
export function healthRoutes(app: Hono<AppEnv>, services: AppServices): void {
  const probes = createHealthHandler(services.health);
  app.get('/health/liveness', (c) => probes(c.req.raw) ?? c.notFound());
  app.get('/health/readiness', (c) => probes(c.req.raw) ?? c.notFound());
  app.get('/health/dependencies', requireAccess(services, 'admin'), (c) => {
    const report = services.health.dependencies();
    return c.json({
      status: report.status,
      shuttingDown: report.shuttingDown,
      dependencies: report.checks.map((check) => ({
        name: check.name,
        status: check.status,
        critical: check.critical,
        ...(check.code ? { code: check.code } : {}),
        ...(check.checkedAtMs === undefined ? {} : { checkedAt: new Date(check.checkedAtMs).toISOString() }),
        ...(check.details ? { details: check.details } : {}),
      })),
    });
  });
}
