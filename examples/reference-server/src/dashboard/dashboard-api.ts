import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, AppServices } from '../app-context.js';

const dlqQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();

/**
 * Read-only views the dashboard needs beyond the plain admin API, under `/admin/dashboard/*`
 * (admin-only through the `/admin/*` guard):
 * - `GET /admin/dashboard/endpoints`: URL, enabled, breaker state, last success/failure seen by
 *   this process, failing since, and the secret rotation state (never a secret);
 * - `GET /admin/dashboard/dlq`: dead deliveries with their endpoint URL, age and attempts.
 */
export function dashboardApiRoutes(app: Hono<AppEnv>, services: AppServices): void {
  const delivery = services.delivery;
  if (!delivery) return;
  const { dispatcher, breakers, store } = delivery;

  app.get('/admin/dashboard/endpoints', async (c) => {
    const records = await store.listEndpoints();
    const now = services.clock.now();
    const states = breakers.snapshot().breakers;
    const endpoints = records
      .map((record) => {
        const activity = services.history.activity(record.id);
        const retiring = record.secrets.filter((s) => s.expiresAt !== null && s.expiresAt > now);
        return {
          id: record.id,
          url: record.url,
          enabled: record.enabled,
          disabledReason: record.disabledReason,
          breaker: states[`webhook:${record.id}`]?.state ?? 'closed',
          failingSince: record.failingSince,
          lastSuccessAt: activity?.lastSuccessAt ?? null,
          lastFailureAt: activity?.lastFailureAt ?? null,
          lastError: activity?.lastError ?? null,
          rotation:
            retiring.length > 0
              ? { state: 'overlap', previousExpiresAt: Math.max(...retiring.map((s) => s.expiresAt as number)) }
              : { state: 'single', previousExpiresAt: null },
          createdAt: record.createdAt,
        };
      })
      .sort((a, b) => a.createdAt - b.createdAt);
    return c.json({ now, endpoints });
  });

  app.get('/admin/dashboard/dlq', async (c) => {
    const { limit } = dlqQuerySchema.parse(c.req.query());
    const [stats, items, endpoints] = await Promise.all([
      dispatcher.dlq.stats(),
      dispatcher.dlq.list({ limit }),
      dispatcher.endpoints.list(),
    ]);
    services.history.dlqDepth(stats.size);
    const urls = new Map(endpoints.map((e) => [e.id, e.url]));
    const now = services.clock.now();
    return c.json({
      now,
      size: stats.size,
      oldestAt: stats.oldestAt,
      items: items.map((d) => ({
        deliveryId: d.id,
        messageId: d.messageId,
        endpointId: d.endpointId,
        endpointUrl: urls.get(d.endpointId) ?? null,
        eventType: d.eventType,
        attempts: d.attempts,
        lastError: d.lastError,
        createdAt: d.createdAt,
        deadAt: d.updatedAt,
        ageMs: Math.max(0, now - d.createdAt),
      })),
    });
  });
}
