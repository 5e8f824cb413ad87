// Fakes of the Cloudflare Queues bindings and a consumer wired to them, shared by the consumer tests.
import { FakeClock } from '@bulwark/testing';
import { generateSecret } from '@bulwark/webhooks';
import {
  createQueueConsumer,
  type QueueAttemptEvent,
  type QueueConsumerOptions,
  type QueueEndpoint,
  type QueueMessageLike,
} from '../../src/cloudflare-queues.js';

export const secret = generateSecret();
export const T0 = Date.UTC(2026, 0, 1);

export class FakeQueue {
  readonly sent: unknown[] = [];
  readonly delays: Array<number | undefined> = [];
  fail = false;
  async send(body: unknown, options?: { delaySeconds?: number }): Promise<void> {
    if (this.fail) throw new Error('queue down');
    this.sent.push(body);
    this.delays.push(options?.delaySeconds);
  }
  async sendBatch(messages: Iterable<{ body: unknown }>): Promise<void> {
    for (const m of messages) this.sent.push(m.body);
  }
}

export class FakeMessage implements QueueMessageLike {
  acked = false;
  retried: { delaySeconds?: number } | undefined;
  constructor(
    readonly body: unknown,
    readonly attempts = 1,
    readonly id = 'm1',
  ) {}
  ack(): void {
    this.acked = true;
  }
  retry(options?: { delaySeconds?: number }): void {
    this.retried = options ?? {};
  }
}

export function endpoint(overrides: Partial<QueueEndpoint> = {}): QueueEndpoint {
  return {
    id: 'ep_1',
    url: 'https://hooks.example.com/in',
    enabled: true,
    secrets: [{ secret: secret.toString(), expiresAt: null }],
    ...overrides,
  };
}

export const body = (overrides: Record<string, unknown> = {}) => ({
  v: 1,
  messageId: 'msg_1',
  endpointId: 'ep_1',
  type: 'invoice.paid',
  payload: '{"id":"in_1"}',
  ...overrides,
});

export function setup(
  answer: (request: Request) => Response | Promise<Response>,
  target: QueueEndpoint | 'missing' = endpoint(),
  extra: Partial<QueueConsumerOptions> = {},
) {
  const clock = new FakeClock(T0);
  const dlq = new FakeQueue();
  const disabled: string[] = [];
  const events: QueueAttemptEvent[] = [];
  const requests: Request[] = [];
  const consumer = createQueueConsumer({
    endpoint: async () => (target === 'missing' ? undefined : target),
    disable: async (id) => {
      disabled.push(id);
    },
    deadLetterQueue: dlq,
    fetch: async (input, init) => {
      const request = new Request(input as string, init);
      requests.push(request.clone());
      return answer(request);
    },
    clock,
    timers: clock,
    random: () => 0.5,
    onAttempt: (e) => events.push(e),
    ...extra,
  });
  return { consumer, clock, dlq, disabled, events, requests };
}
