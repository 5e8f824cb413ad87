import { endpointInputSchema, endpointUpdateSchema } from '@bulwark/delivery';
import { err } from '@bulwark/errors';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, AppServices } from '../app-context.js';
import { requireAccess } from '../auth/require-access.js';
import { bodySizeLimit } from '../body-size-limit.js';
import { createEndpointUrlCheck } from '../delivery/endpoint-url-check.js';
import { readJson } from '../read-json.js';
import { audit } from './admin.js';

const MAX_EVENT_BYTES = 256 * 1024;
const requeueSchema = z.union([
  z.object({ deliveryIds: z.array(z.string().min(1).max(200)).min(1).max(1_000) }).strict(),
  z.object({ messageIds: z.array(z.string().min(1).max(200)).min(1).max(1_000) }).strict(),
  z.object({ endpointId: z.string().min(1).max(200).optional() }).strict(),
]);

/** Public event API, endpoint admin, DLQ and delivery inspection. */
export function deliveryRoutes(app: Hono<AppEnv>, services: AppServices): void {
  const delivery = services.delivery;
  if (!delivery) return;
  const { dispatcher } = delivery;
  services.features.add('delivery');
  const checkUrl = createEndpointUrlCheck(services.config);

  const tooLarge = () => {
    throw err('payload_too_large', { detail: `Events are limited to ${MAX_EVENT_BYTES} bytes` });
  };

  app.post(
    '/events',
    requireAccess(services, 'events:publish'),
    bodySizeLimit(MAX_EVENT_BYTES, tooLarge),
    services.idempotencyKeys,
    async (c) => {
      const bytes = Number(c.req.header('content-length') ?? 0) || (await c.req.raw.clone().arrayBuffer()).byteLength;
      const { replayed, ...result } = await services.publish(c.get('principal'), await readJson(c), bytes);
      return c.json(result, 202, replayed ? { 'event-id-replayed': 'true' } : {});
    },
  );

  app.get('/events/:id', requireAccess(services, 'events:read'), async (c) => {
    const deliveries = await dispatcher.inspect(c.req.param('id'));
    if (deliveries.length === 0) throw err('not_found', { detail: 'No deliveries for that event id' });
    return c.json({
      messageId: c.req.param('id'),
      // `simulated`: the last attempt went nowhere (WEBHOOK_REAL off), so `succeeded` means recorded, not received.
      deliveries: deliveries.map((d) => ({
        endpointId: d.endpointId,
        status: d.status,
        attempts: d.attempts,
        simulated: d.history.at(-1)?.simulated === true,
      })),
    });
  });

  app.get('/admin/endpoints', async (c) => c.json({ endpoints: await dispatcher.endpoints.list() }));
  app.post('/admin/endpoints', async (c) => {
    const input = endpointInputSchema.parse(await readJson(c));
    await checkUrl(input.url);
    const created = await dispatcher.endpoints.create(input);
    audit(c, services, 'endpoint.create', created.endpoint.id);
    return c.json({ ...created, note: 'The secret is shown once.' }, 201, { 'cache-control': 'no-store' });
  });
  app.get('/admin/endpoints/:id', async (c) => c.json(await dispatcher.endpoints.get(c.req.param('id'))));
  app.patch('/admin/endpoints/:id', async (c) => {
    const changes = endpointUpdateSchema.parse(await readJson(c));
    if (changes.url !== undefined) await checkUrl(changes.url);
    const updated = await dispatcher.endpoints.update(
      c.req.param('id'),
      Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Parameters<
        typeof dispatcher.endpoints.update
      >[1],
    );
    audit(c, services, 'endpoint.update', updated.id);
    return c.json(updated);
  });
  app.delete('/admin/endpoints/:id', async (c) => {
    await dispatcher.endpoints.delete(c.req.param('id'));
    audit(c, services, 'endpoint.delete', c.req.param('id'));
    return c.body(null, 204);
  });
  app.post('/admin/webhooks/:id/rotate-secret', async (c) => {
    const rotated = await dispatcher.endpoints.rotateSecret(c.req.param('id'));
    audit(c, services, 'endpoint.rotate_secret', rotated.endpoint.id);
    return c.json(
      { ...rotated, note: 'The new secret is shown once; the old one keeps signing during the overlap.' },
      201,
      {
        'cache-control': 'no-store',
      },
    );
  });

  app.get('/admin/dlq', async (c) => {
    const limit = z.coerce.number().int().min(1).max(500).default(100).parse(c.req.query('limit'));
    const [stats, items] = await Promise.all([dispatcher.stats(), dispatcher.dlq.list({ limit })]);
    return c.json({
      stats: {
        pending: stats.pending,
        inflight: stats.inflight,
        succeeded: stats.succeeded,
        dead: stats.dead,
        dlq: stats.dlq,
      },
      items: items.map((d) => ({
        deliveryId: d.id,
        messageId: d.messageId,
        endpointId: d.endpointId,
        eventType: d.eventType,
        attempts: d.attempts,
        lastError: d.lastError,
      })),
    });
  });
  app.post('/admin/dlq/requeue', async (c) => {
    const selector = requeueSchema.parse(await readJson(c));
    let requeued: number;
    if ('messageIds' in selector) {
      const wanted = new Set(selector.messageIds);
      const dead = await dispatcher.dlq.list({ limit: 1_000 });
      const ids = dead.filter((d) => wanted.has(d.messageId)).map((d) => d.id);
      requeued = ids.length === 0 ? 0 : await dispatcher.dlq.requeue(ids);
    } else {
      requeued = await dispatcher.dlq.requeue('deliveryIds' in selector ? selector.deliveryIds : selector);
    }
    audit(c, services, 'dlq.requeue', JSON.stringify(selector).slice(0, 200));
    return c.json({ requeued });
  });

  app.get('/admin/deliveries/:id', async (c) => {
    const deliveries = await dispatcher.inspect(c.req.param('id'));
    if (deliveries.length === 0) throw err('not_found', { detail: 'No deliveries for that message id' });
    return c.json({ messageId: c.req.param('id'), deliveries });
  });
  app.post('/admin/deliveries/:id/redeliver', async (c) => {
    const requeued = await dispatcher.redeliver(c.req.param('id'));
    audit(c, services, 'delivery.redeliver', c.req.param('id'));
    return c.json({ requeued });
  });
}
