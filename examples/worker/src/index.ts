// The reference Worker's entry: `fetch` (public API, inbound webhooks, admin, health), `queue`
// (webhook delivery and its dead-letter queue) and the Durable Object class of the rate limiter.
import type { QueueBatchLike } from '@bulwark/delivery/cloudflare-queues';
import { RateLimitDurableObject } from '@bulwark/ratelimit/durable-object';
import { type App, createApp } from './app.js';
import { recordDeadLetters } from './dead-letter-consumer.js';
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
    return recordDeadLetters(batch, current.registry, Date.now());
  },
};
