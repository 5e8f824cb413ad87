import { err } from '@bulwark/errors';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, AppServices } from '../app-context.js';
import { requireAccess } from '../auth/require-access.js';
import { scopesSchema } from '../auth/scopes.js';
import { readJson } from '../read-json.js';

const apiKeyInputSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: scopesSchema,
  })
  .strict();

/** Records an admin mutation in the audit log, with the request's source address. */
export function audit(c: Context<AppEnv>, services: AppServices, action: string, target?: string): void {
  services.audit.record({
    principal: c.get('principal'),
    action,
    requestId: c.get('requestId'),
    source: c.get('source'),
    ...(target === undefined ? {} : { target }),
  });
}

/** Admin API shared by every feature: API keys, error counts, audit log, token rotation, metrics. */
export function adminRoutes(app: Hono<AppEnv>, services: AppServices): void {
  app.use('/admin/*', requireAccess(services, 'admin'));

  app.post('/admin/api-keys', async (c) => {
    const input = apiKeyInputSchema.parse(await readJson(c));
    const created = await services.apiKeys.create(input.name, input.scopes);
    audit(c, services, 'api_key.create', created.id);
    return c.json(
      { id: created.id, key: created.key, name: input.name, scopes: input.scopes, note: 'The key is shown once.' },
      201,
      { 'cache-control': 'no-store' },
    );
  });
  app.get('/admin/api-keys', async (c) => c.json({ keys: await services.apiKeys.list() }));
  app.delete('/admin/api-keys/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await services.apiKeys.revoke(id))) throw err('not_found', { detail: 'No live API key with that id' });
    audit(c, services, 'api_key.revoke', id);
    return c.body(null, 204);
  });

  app.get('/admin/errors', (c) => c.json(services.errors.snapshot()));
  app.get('/admin/errors/export', (c) =>
    c.text(services.errors.toPrometheus(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  app.get('/admin/features', (c) => c.json({ features: [...services.features].sort() }));
  app.get('/admin/audit', (c) => {
    const limit = z.coerce.number().int().min(1).max(1_000).default(100).parse(c.req.query('limit'));
    return c.json({ records: services.audit.list(limit) });
  });
  app.post('/admin/token/rotate', async (c) => {
    const token = await services.adminAuth.rotateToken();
    audit(c, services, 'admin_token.rotate');
    services.logger.warn(
      { action: 'admin_token.rotate', source: c.get('source') },
      'admin token rotated; the previous token and older admin JWTs no longer work',
    );
    return c.json({ token, note: 'Shown once. The previous token and older admin JWTs stopped working.' }, 201, {
      'cache-control': 'no-store',
    });
  });

  const metrics = async (c: Context<AppEnv>) => {
    const text = `${await services.metrics.registry.metrics()}\n${services.slo.toPrometheus()}`;
    return c.text(text, 200, { 'content-type': services.metrics.registry.contentType });
  };
  if (services.config.METRICS_PUBLIC) app.get('/metrics', metrics);
  else app.get('/metrics', requireAccess(services, 'metrics:read'), metrics);
}
