// The Worker the workerd Queues test runs: a producer route, the delivery consumer on `deliveries`,
// and a consumer on the dead-letter queue that reports what it received to the test server.
import {
  createQueueConsumer,
  createQueueProducer,
  type QueueConsumer,
  type QueueEndpoint,
  type QueueLike,
} from '../../src/cloudflare-queues.js';

interface Env {
  readonly DELIVERIES: QueueLike;
  readonly DLQ: QueueLike;
  readonly HOOK_URL: string;
  readonly REPORT_URL: string;
  readonly SECRET: string;
}

const endpointOf = (env: Env): QueueEndpoint => ({
  id: 'ep_1',
  url: env.HOOK_URL,
  enabled: true,
  secrets: [{ secret: env.SECRET, expiresAt: null }],
});

let consumer: QueueConsumer | undefined;

// biome-ignore lint/style/noDefaultExport: workerd runs a module Worker's default export.
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const producer = createQueueProducer({ queue: env.DELIVERIES, endpoints: async () => [endpointOf(env)] });
    return Response.json(
      await producer.publish({ type: 'invoice.paid', payload: await request.json(), id: 'msg_workerd' }),
    );
  },
  async queue(
    batch: {
      queue: string;
      messages: readonly {
        id: string;
        body: unknown;
        attempts: number;
        ack(): void;
        retry(o?: { delaySeconds?: number }): void;
      }[];
    },
    env: Env,
  ): Promise<void> {
    if (batch.queue === 'dlq') {
      for (const message of batch.messages) {
        await fetch(env.REPORT_URL, { method: 'POST', body: JSON.stringify(message.body) });
        message.ack();
      }
      return;
    }
    // Once per isolate, as a real Worker does, so breakers and limiters outlive one batch.
    consumer ??= createQueueConsumer({
      endpoint: async () => endpointOf(env),
      disable: async () => {},
      deadLetterQueue: env.DLQ,
      retrySchedule: [0],
      egress: { allow: ['127.0.0.1'], allowHttp: true },
    });
    await consumer.queue(batch);
  },
};
