// The reference Worker's entry: `fetch` (public API, inbound webhooks, admin, health), `queue`
// (webhook delivery and its dead-letter queue) and the Durable Object class of the rate limiter.
import type { QueueBatchLike } from '@bulwark/delivery/cloudflare-queues';
import { RateLimitDurableObject } from '@bulwark/ratelimit/durable-object';
import { type App, createApp } from './app.js';
import type { Env } from './env.js';

export { RateLimitDurableObject };

/** Bounded text of a dead letter's fields, never the payload. */
function field(value: unknown): string | null {
  return typeof value === 'string' ? value.slice(0, 256) : null;
}

// One app per isolate: breakers and cached keys live as long as the isolate does. Env is the
// same for every request of an isolate.
let app: App | undefined;
const appFor = (env: Env): App => {
  app ??= createApp(env);
  return app;
};

// biome-ignore lint/style/noDefaultExport: workerd runs a module Worker's default export.
export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return appFor(env).fetch(request);
  },
  async queue(batch: QueueBatchLike, env: Env): Promise<void> {
    const current = appFor(env);
    if (batch.queue !== 'deliveries-dlq') return current.consumer.queue(batch);
    for (const message of batch.messages) {
      const dead = message.body as { body?: Record<string, unknown>; error?: unknown; attempts?: unknown };
      await current.registry.recordDeadLetter({
        messageId: field(dead?.body?.messageId),
        endpointId: field(dead?.body?.endpointId),
        error: field(dead?.error) ?? 'delivery_dead_lettered',
        attempts: typeof dead?.attempts === 'number' ? dead.attempts : message.attempts,
        now: Date.now(),
      });
      message.ack();
    }
  },
};
