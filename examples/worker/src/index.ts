// The reference Worker's entry: `fetch` (public API, inbound webhooks, admin, health), `queue`
// (webhook delivery and its dead-letter queue) and the Durable Object class of the rate limiter.
import { type QueueBatchLike, readDeadLetter } from '@bulwark/delivery/cloudflare-queues';
import { RateLimitDurableObject } from '@bulwark/ratelimit/durable-object';
import { type App, createApp } from './app.js';
import type { Env } from './env.js';

export { RateLimitDurableObject };

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
    // What the consumer gave up on, and what Queues moved here after max_retries (no reason or count).
    for (const message of batch.messages) {
      const dead = readDeadLetter(message.body);
      await current.registry.recordDeadLetter({
        messageId: dead.delivery?.messageId ?? null,
        endpointId: dead.delivery?.endpointId ?? null,
        error: dead.error,
        attempts: dead.attempts ?? null,
        now: Date.now(),
      });
      message.ack();
    }
  },
};
