import { flushMicrotasks } from '@bulwark/testing';
import { verifyStandardWebhook } from '@bulwark/webhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createQueueConsumer,
  createQueueProducer,
  type QueueAttemptEvent,
  type QueueEndpoint,
} from '../src/cloudflare-queues.js';
import { DEFAULT_RETRY_SCHEDULE } from '../src/retry-schedule.js';
import { body, endpoint, FakeMessage, FakeQueue, secret, setup } from './support/queue-fakes.js';

describe('Cloudflare Queues producer', () => {
  it('enqueues one message per enabled, subscribed endpoint, in batches of 100, without URL or secrets', async () => {
    const queue = new FakeQueue();
    const endpoints = [
      ...Array.from({ length: 150 }, (_, i) => endpoint({ id: `ep_${i}` })),
      endpoint({ id: 'off', enabled: false }),
      endpoint({ id: 'other', eventTypes: ['user.created'] }),
      endpoint({ id: 'sub', eventTypes: ['invoice.paid'] }),
    ];
    const batches: number[] = [];
    const producer = createQueueProducer({
      queue: {
        send: queue.send.bind(queue),
        sendBatch: async (m) => {
          const list = [...m];
          batches.push(list.length);
          await queue.sendBatch(list);
        },
      },
      endpoints: async () => endpoints,
    });
    const result = await producer.publish({ type: 'invoice.paid', payload: { id: 'in_1' }, id: 'msg_fixed' });
    expect(result).toEqual({ messageId: 'msg_fixed', enqueued: 151 });
    expect(batches).toEqual([100, 51]);
    expect(queue.sent[0]).toEqual({
      v: 1,
      messageId: 'msg_fixed',
      endpointId: 'ep_0',
      type: 'invoice.paid',
      payload: '{"id":"in_1"}',
    });
    expect(JSON.stringify(queue.sent)).not.toContain('whsec_');
    expect((await producer.publish({ type: 'x', payload: 1 })).messageId).toMatch(/^msg_/);
  });

  it('needs only id, enabled and eventTypes of an endpoint (no URL, no secret)', async () => {
    const queue = new FakeQueue();
    const producer = createQueueProducer({
      queue,
      endpoints: async () => [
        { id: 'a', enabled: true },
        { id: 'b', enabled: true, eventTypes: ['other'] },
      ],
    });
    expect(await producer.publish({ type: 'invoice.paid', payload: 1, id: 'msg_a' })).toEqual({
      messageId: 'msg_a',
      enqueued: 1,
    });
    expect(queue.sent).toEqual([{ v: 1, messageId: 'msg_a', endpointId: 'a', type: 'invoice.paid', payload: '1' }]);
  });

  it('rejects bad options and events', async () => {
    const queue = new FakeQueue();
    expect(() => createQueueProducer({ queue: {} as FakeQueue, endpoints: async () => [] })).toThrow(TypeError);
    expect(() => createQueueProducer({ queue, endpoints: undefined as never })).toThrow(TypeError);
    const producer = createQueueProducer({ queue, endpoints: async () => [] });
    await expect(producer.publish({ type: '', payload: 1 })).rejects.toThrow(TypeError);
    await expect(producer.publish({ type: 'a', payload: undefined })).rejects.toThrow(TypeError);
  });
});

describe('Cloudflare Queues consumer', () => {
  it('signs with Standard Webhooks (verified by the Node verifier), posts without following redirects, acks on 2xx', async () => {
    const t = setup(() => new Response('ok'));
    const message = new FakeMessage(body());
    await t.consumer.queue({ queue: 'deliveries', messages: [message] });
    expect(message.acked).toBe(true);
    const request = t.requests[0] as Request;
    expect(request.redirect).toBe('manual');
    const verified = await verifyStandardWebhook({ secrets: secret.toString(), request, clock: t.clock });
    expect(verified.id).toBe('msg_1');
    expect(t.events).toEqual([
      { attempt: 1, messageId: 'msg_1', endpointId: 'ep_1', outcome: 'delivered', error: null },
    ]);
  });

  it('retries on the delivery schedule, then dead-letters when it is exhausted', async () => {
    // No breaker: it would open after 5 failures and defer instead (tested below).
    const t = setup(() => new Response('no', { status: 500 }), endpoint(), { policies: {} });
    for (let attempts = 1; attempts <= DEFAULT_RETRY_SCHEDULE.length; attempts++) {
      const message = new FakeMessage(body(), attempts);
      await t.consumer.queue({ queue: 'deliveries', messages: [message] });
      expect(message.retried).toEqual({
        delaySeconds: Math.min(43_200, (DEFAULT_RETRY_SCHEDULE[attempts - 1] as number) / 1000),
      });
      expect(message.acked).toBe(false);
    }
    const last = new FakeMessage(body(), DEFAULT_RETRY_SCHEDULE.length + 1);
    await t.consumer.queue({ queue: 'deliveries', messages: [last] });
    expect(last.acked).toBe(true);
    expect(t.dlq.sent).toEqual([{ body: body(), error: 'http_500', attempts: 9 }]);
  });

  it('honours Retry-After on 429 and 503 (capped), not on other statuses', async () => {
    const answers = [
      new Response(null, { status: 429, headers: { 'retry-after': '120' } }),
      new Response(null, { status: 503, headers: { 'retry-after': '999999' } }),
      new Response(null, { status: 429, headers: { 'retry-after': 'soon' } }),
      new Response(null, { status: 500, headers: { 'retry-after': '120' } }),
    ];
    const t = setup(() => answers.shift() as Response);
    const delays: Array<number | undefined> = [];
    for (let i = 0; i < 4; i++) {
      const message = new FakeMessage(body());
      await t.consumer.queue({ queue: 'd', messages: [message] });
      delays.push(message.retried?.delaySeconds);
    }
    expect(delays).toEqual([120, 21_600, 5, 5]); // capped at 6 h, as in the Node worker
  });

  it('410 disables the endpoint and dead-letters', async () => {
    const t = setup(() => new Response(null, { status: 410 }));
    const message = new FakeMessage(body());
    await t.consumer.queue({ queue: 'd', messages: [message] });
    expect(t.disabled).toEqual(['ep_1']);
    expect(message.acked).toBe(true);
    expect(t.events[0]).toMatchObject({ outcome: 'disabled', error: 'http_410' });
    expect(t.dlq.sent).toHaveLength(1);
  });

  it('a network error or a timeout retries', async () => {
    const t = setup(() => Promise.reject(new TypeError('fetch failed')));
    const message = new FakeMessage(body(), 2);
    await t.consumer.queue({ queue: 'd', messages: [message] });
    expect(message.retried).toEqual({ delaySeconds: 30 });
    expect(t.events[0]?.error).toBe('delivery_network_error');
    const slow = setup(
      (request) =>
        new Promise<Response>((_, reject) =>
          request.signal.addEventListener('abort', () => reject(request.signal.reason)),
        ),
    );
    const waiting = new FakeMessage(body());
    const done = slow.consumer.queue({ queue: 'd', messages: [waiting] });
    await flushMicrotasks();
    slow.clock.advance(10_000);
    await done;
    expect(slow.events[0]).toMatchObject({ outcome: 'retry', error: 'delivery_timeout', delaySeconds: 5 });
  });

  it('dead-letters malformed bodies, missing or disabled endpoints, and refused egress without sending', async () => {
    const cases: Array<[unknown, QueueEndpoint | 'missing', string]> = [
      [body({ extra: 1 }), endpoint(), 'delivery_malformed_message'],
      ['not an object', endpoint(), 'delivery_malformed_message'],
      [[1], endpoint(), 'delivery_malformed_message'],
      [body({ v: 2 }), endpoint(), 'delivery_malformed_message'],
      [body({ messageId: '' }), endpoint(), 'delivery_malformed_message'],
      [body({ endpointId: 7 }), endpoint(), 'delivery_malformed_message'],
      [body({ type: 'x'.repeat(257) }), endpoint(), 'delivery_malformed_message'],
      [body({ payload: 5 }), endpoint(), 'delivery_malformed_message'],
      [{ v: 1, messageId: 'a', endpointId: 'b', type: 'c', extra: 'd' }, endpoint(), 'delivery_malformed_message'],
      [body(), 'missing', 'delivery_endpoint_not_found'],
      [body(), endpoint({ enabled: false }), 'delivery_endpoint_disabled'],
      [body(), endpoint({ url: 'http://hooks.example.com/in' }), 'delivery_egress_refused'],
      [body(), endpoint({ url: 'https://169.254.169.254/latest' }), 'delivery_egress_refused'],
      [body(), endpoint({ url: 'https://[::ffff:10.0.0.1]/' }), 'delivery_egress_refused'],
      [body(), endpoint({ url: 'ftp://hooks.example.com/' }), 'delivery_egress_refused'],
    ];
    for (const [payload, target, error] of cases) {
      const t = setup(() => new Response('ok'), target);
      const message = new FakeMessage(payload);
      await t.consumer.queue({ queue: 'd', messages: [message] });
      expect(message.acked).toBe(true);
      expect(t.requests).toHaveLength(0);
      expect(t.dlq.sent).toEqual([{ body: payload, error, attempts: 1 }]);
      expect(t.events[0]).toMatchObject({ outcome: 'dead', error });
    }
  });

  it('when the registry or the dead-letter queue fails, the message is retried; a throwing hook changes nothing', async () => {
    const dlq = new FakeQueue();
    dlq.fail = true;
    const events: QueueAttemptEvent[] = [];
    const consumer = createQueueConsumer({
      endpoint: async (id) => {
        if (id === 'broken') throw new Error('D1 down');
        return undefined;
      },
      disable: async () => {},
      deadLetterQueue: dlq,
      retrySchedule: [1_000],
      random: () => 0.5,
      onAttempt: (e) => {
        events.push(e);
        throw new Error('hook');
      },
    });
    const a = new FakeMessage(body({ endpointId: 'broken' }), 1);
    const b = new FakeMessage(body(), 3);
    await consumer.queue({ queue: 'd', messages: [a, b] });
    expect(a.retried).toEqual({ delaySeconds: 1 });
    expect(b.retried).toEqual({ delaySeconds: 1 });
    expect(events.map((e) => e.error)).toEqual(['delivery_internal_error', 'delivery_internal_error']);
    const empty = createQueueConsumer({
      endpoint: async () => {
        throw new Error('x');
      },
      disable: async () => {},
      deadLetterQueue: dlq,
      retrySchedule: [],
    });
    const c = new FakeMessage(body(), 1);
    await empty.queue({ queue: 'd', messages: [c] });
    expect(c.retried).toEqual({ delaySeconds: 0 });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('uses the global fetch, looked up at call time, by default', async () => {
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (input: string) => {
      seen.push(input);
      return new Response(null, { status: 204 });
    });
    const consumer = createQueueConsumer({
      endpoint: async () => endpoint(),
      disable: async () => {},
      deadLetterQueue: new FakeQueue(),
    });
    const message = new FakeMessage(body());
    await consumer.queue({ queue: 'd', messages: [message] });
    expect(seen).toEqual(['https://hooks.example.com/in']);
    expect(message.acked).toBe(true);
  });

  it('rejects bad options', () => {
    const dlq = new FakeQueue();
    const ok = { endpoint: async () => undefined, disable: async () => {}, deadLetterQueue: dlq };
    expect(() => createQueueConsumer({ ...ok, endpoint: undefined as never })).toThrow(TypeError);
    expect(() => createQueueConsumer({ ...ok, disable: undefined as never })).toThrow(TypeError);
    expect(() => createQueueConsumer({ ...ok, deadLetterQueue: undefined as never })).toThrow(TypeError);
  });
});
