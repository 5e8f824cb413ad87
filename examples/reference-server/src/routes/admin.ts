import type { Context, Hono, Next } from 'hono';
import type { AppEnv, AppServices } from '../app-context.js';

/** Middleware: every `/admin/*` request must carry the admin token or an admin JWT. */
export function requireAdmin(services: AppServices) {
  return async (c: Context<AppEnv>, next: Next): Promise<void> => {
    c.set('principal', await services.adminAuth.authenticate(c.req.header('authorization')));
    await next();
  };
}

/** Records an admin mutation in the audit log. */
export function audit(c: Context<AppEnv>, services: AppServices, action: string, target?: string): void {
  services.audit.record({
    principal: c.get('principal'),
    action,
    requestId: c.get('requestId'),
    ...(target === undefined ? {} : { target }),
  });
}

/** Admin API shared by every feature: error counts, audit log, token rotation, metrics. */
export function adminRoutes(app: Hono<AppEnv>, services: AppServices): void {
  app.use('/admin/*', requireAdmin(services));

  app.get('/admin/errors', (c) => c.json(services.errors.snapshot()));
  app.get('/admin/errors/export', (c) =>
    c.text(services.errors.toPrometheus(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  app.get('/admin/features', (c) => c.json({ features: [...services.features].sort() }));
  app.get('/admin/audit', (c) => c.json({ records: services.audit.list() }));
  app.post('/admin/token/rotate', (c) => {
    const token = services.adminAuth.rotateToken();
    audit(c, services, 'admin_token.rotate');
    services.logger.warn({ action: 'admin_token.rotate' }, 'admin token rotated; the previous token no longer works');
    return c.json({ token, note: 'Shown once. The previous token stopped working.' }, 201, {
      'cache-control': 'no-store',
    });
  });

  app.get('/metrics', async (c) => {
    const text = `${await services.metrics.registry.metrics()}\n${services.slo.toPrometheus()}`;
    return c.text(text, 200, { 'content-type': services.metrics.registry.contentType });
  });
}
