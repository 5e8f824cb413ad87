import { createCircuitBreaker } from '@bulwark/breaker';
import { flushMicrotasks } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createQueueConsumer, defaultPolicies, type QueueEndpoint } from '../src/cloudflare-queues.js';
import { DEFAULT_RETRY_SCHEDULE } from '../src/retry-schedule.js';
import { body, endpoint, FakeMessage, FakeQueue, setup, T0 } from './support/queue-fakes.js';

const DAY = 86_400_000;
const failing500 = () => new Response('no', { status: 500 });

describe('Cloudflare Queues consumer: per-endpoint breaker', () => {
  it('opens after the Node worker’s default thresholds and defers without sending or spending an attempt', async () => {
    const queue = new FakeQueue();
    const t = setup(failing500, endpoint(), { queue });
    for (let i = 0; i < 5; i++) await t.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    expect(t.requests).toHaveLength(5);
    const refused = new FakeMessage(body(), 3);
    await t.consumer.queue({ queue: 'd', messages: [refused] });
    expect(t.requests).toHaveLength(5);
    expect(refused.acked).toBe(true);
    expect(refused.retried).toBeUndefined();
    // Re-enqueued with the attempts made so far (2), due when the breaker re-checks (min(30 s, 5 s)).
    expect(queue.sent).toEqual([{ ...body(), prior: 2 }]);
    expect(queue.delays).toEqual([5]);
    expect(t.events.at(-1)).toEqual({
      attempt: 2,
      messageId: 'msg_1',
      endpointId: 'ep_1',
      outcome: 'deferred',
      error: 'circuit_open',
      delaySeconds: 5,
    });
  });

  it('without the delivery queue binding, a deferral falls back to message.retry()', async () => {
    const t = setup(failing500);
    for (let i = 0; i < 5; i++) await t.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    const refused = new FakeMessage(body());
    await t.consumer.queue({ queue: 'd', messages: [refused] });
    expect(refused.retried).toEqual({ delaySeconds: 5 });
    expect(refused.acked).toBe(false);
  });

  it('closes again after a successful half-open trial; a breaker per endpoint, one endpoint’s failures never open another’s', async () => {
    let healthy = false;
    const t = setup(() => (healthy ? new Response('ok') : failing500()), endpoint());
    for (let i = 0; i < 5; i++) await t.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    const other = createQueueConsumer({
      endpoint: async (id) => endpoint({ id }),
      disable: async () => {},
      deadLetterQueue: new FakeQueue(),
      fetch: async () => new Response('ok'),
    });
    const elsewhere = new FakeMessage(body({ endpointId: 'ep_2' }));
    await other.queue({ queue: 'd', messages: [elsewhere] });
    expect(elsewhere.acked).toBe(true);
    t.clock.advance(30_000);
    healthy = true;
    const trial = new FakeMessage(body());
    await t.consumer.queue({ queue: 'd', messages: [trial] });
    expect(t.events.at(-1)).toMatchObject({ outcome: 'delivered' });
  });

  it('a breaker timeout (call_timeout) is recorded as delivery_timeout', async () => {
    const t = setup(
      (request) =>
        new Promise<Response>((_, reject) =>
          request.signal.addEventListener('abort', () => reject(request.signal.reason)),
        ),
      endpoint(),
      {
        policies: {
          circuit: () => createCircuitBreaker({ timeoutMs: 100, clock: t0clock, timers: t0clock }),
        },
      },
    );
    const t0clock = t.clock;
    const done = t.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    await flushMicrotasks();
    t.clock.advance(100);
    await done;
    expect(t.events[0]).toMatchObject({ outcome: 'retry', error: 'delivery_timeout' });
  });
});

describe('Cloudflare Queues consumer: per-endpoint rate limit', () => {
  it('sends exactly `limit` per interval and defers the rest until the limiter allows them', async () => {
    const queue = new FakeQueue();
    const limited = endpoint({ rateLimit: { limit: 2, intervalMs: 60_000 } });
    const t = setup(() => new Response('ok'), limited, { queue });
    const messages = Array.from({ length: 5 }, (_, i) => new FakeMessage(body(), 1, `m${i}`));
    await t.consumer.queue({ queue: 'd', messages });
    expect(t.requests).toHaveLength(2);
    expect(messages.every((m) => m.acked)).toBe(true);
    expect(queue.sent).toHaveLength(3);
    expect(queue.sent.every((b) => (b as { prior: number }).prior === 0)).toBe(true);
    expect(t.events.filter((e) => e.outcome === 'deferred').map((e) => e.error)).toEqual([
      'rate_limited',
      'rate_limited',
      'rate_limited',
    ]);
    for (const delay of queue.delays) expect(delay).toBeGreaterThanOrEqual(1);
  });

  it('a new rate limit (or URL) gets a new limiter; an endpoint without one is never limited', async () => {
    let target = endpoint({ rateLimit: { limit: 1, intervalMs: 60_000 } });
    const t = setup(() => new Response('ok'), endpoint(), { queue: new FakeQueue() });
    const consumer = createQueueConsumer({
      endpoint: async () => target,
      disable: async () => {},
      deadLetterQueue: new FakeQueue(),
      queue: new FakeQueue(),
      fetch: async () => new Response('ok'),
      clock: t.clock,
      policies: defaultPolicies({ clock: t.clock }),
      onAttempt: (e) => t.events.push(e),
    });
    await consumer.queue({ queue: 'd', messages: [new FakeMessage(body()), new FakeMessage(body())] });
    target = endpoint({ rateLimit: { limit: 3, intervalMs: 60_000 } });
    await consumer.queue({ queue: 'd', messages: [new FakeMessage(body()), new FakeMessage(body())] });
    target = endpoint();
    await consumer.queue({ queue: 'd', messages: Array.from({ length: 10 }, () => new FakeMessage(body())) });
    expect(t.events.map((e) => e.outcome).filter((o) => o === 'deferred')).toHaveLength(1);
  });
});

describe('Cloudflare Queues consumer: attempts across re-enqueued messages', () => {
  it('counts `prior` attempts: the schedule continues where the deferred message left it, then dead-letters', async () => {
    const t = setup(failing500, endpoint(), { policies: {} });
    const late = new FakeMessage(body({ prior: 6 }), 2);
    await t.consumer.queue({ queue: 'd', messages: [late] });
    expect(late.retried).toEqual({ delaySeconds: Math.min(43_200, (DEFAULT_RETRY_SCHEDULE[7] as number) / 1000) });
    const last = new FakeMessage(body({ prior: 8 }), 1);
    await t.consumer.queue({ queue: 'd', messages: [last] });
    expect(t.dlq.sent).toEqual([{ body: body({ prior: 8 }), error: 'http_500', attempts: 9 }]);
  });

  it('refuses a `prior` that this package never writes', async () => {
    for (const prior of [-1, 1.5, 10_001, '3', null, Number.NaN]) {
      const t = setup(() => new Response('ok'));
      const message = new FakeMessage(body({ prior }));
      await t.consumer.queue({ queue: 'd', messages: [message] });
      expect(t.dlq.sent).toEqual([{ body: body({ prior }), error: 'delivery_malformed_message', attempts: 1 }]);
    }
  });
});

describe('Cloudflare Queues consumer: auto-disable, as the Node worker', () => {
  function tracked(target: QueueEndpoint, answer = failing500) {
    const marks: Array<[string, number | null]> = [];
    const t = setup(answer, target, {
      policies: {},
      markFailing: async (id, since) => {
        marks.push([id, since]);
      },
    });
    return { ...t, marks };
  }

  it('records when an endpoint started failing, once', async () => {
    const t = tracked(endpoint());
    await t.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    expect(t.marks).toEqual([['ep_1', T0]]);
    const still = tracked(endpoint({ failingSince: T0 - DAY }));
    await still.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    expect(still.marks).toEqual([]);
    expect(still.disabled).toEqual([]);
  });

  it('disables an endpoint failing for autoDisableAfterMs (5 days) without a success; the message still retries', async () => {
    const t = tracked(endpoint({ failingSince: T0 - 5 * DAY }));
    const message = new FakeMessage(body());
    await t.consumer.queue({ queue: 'd', messages: [message] });
    expect(t.disabled).toEqual(['ep_1']);
    expect(message.retried).toEqual({ delaySeconds: 5 });
    const exhausted = tracked(endpoint({ failingSince: T0 - 6 * DAY }));
    const last = new FakeMessage(body(), 9);
    await exhausted.consumer.queue({ queue: 'd', messages: [last] });
    expect(exhausted.events[0]).toMatchObject({ outcome: 'disabled', error: 'http_500' });
    expect(exhausted.dlq.sent).toHaveLength(1);
  });

  it('a success clears failingSince; a registry failure after the ack does not send again', async () => {
    const t = tracked(endpoint({ failingSince: T0 - DAY }), () => new Response('ok'));
    await t.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    expect(t.marks).toEqual([['ep_1', null]]);
    const broken = setup(() => new Response('ok'), endpoint({ failingSince: T0 - DAY }), {
      markFailing: async () => {
        throw new Error('D1 down');
      },
    });
    const message = new FakeMessage(body());
    await broken.consumer.queue({ queue: 'd', messages: [message] });
    expect(message.acked).toBe(true);
    expect(message.retried).toBeUndefined();
    expect(broken.events[0]).toMatchObject({ outcome: 'delivered' });
  });

  it('a registry failure while recording a failure retries the message as an internal error', async () => {
    const t = setup(failing500, endpoint(), {
      policies: {},
      markFailing: async () => {
        throw new Error('D1 down');
      },
    });
    const message = new FakeMessage(body());
    await t.consumer.queue({ queue: 'd', messages: [message] });
    expect(message.retried).toEqual({ delaySeconds: 5 });
    expect(t.events[0]).toMatchObject({ outcome: 'retry', error: 'delivery_internal_error' });
  });
});

describe('Cloudflare Queues consumer: egress rules that fit Workers', () => {
  it('refuses special-use and single-label host names and every spelling of a private literal address, unless allowlisted; public literal addresses pass', async () => {
    const refused = [
      'https://localhost/',
      'https://LOCALHOST./',
      'https://api.localhost/',
      'https://printer.local/',
      'https://db.internal/',
      'https://router.home.arpa/',
      'https://box.localdomain/',
      'https://metadata/computeMetadata',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://0177.0.0.1/',
      'https://[::1]/',
      'https://[fd00:ec2::254]/',
      'https://100.64.0.1/',
    ];
    for (const url of refused) {
      const t = setup(() => new Response('ok'), endpoint({ url }));
      await t.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
      expect({ url, error: t.events[0]?.error }).toEqual({ url, error: 'delivery_egress_refused' });
      expect(t.requests).toHaveLength(0);
    }
    const allowed = setup(() => new Response('ok'), endpoint({ url: 'https://db.internal/hook' }), {
      egress: { allow: ['db.internal'] },
    });
    await allowed.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    expect(allowed.events[0]).toMatchObject({ outcome: 'delivered' });
    for (const url of ['https://1.1.1.1/hook', 'https://[2606:4700:4700::1111]/hook']) {
      const publicLiteral = setup(() => new Response('ok'), endpoint({ url }));
      await publicLiteral.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
      expect({ url, outcome: publicLiteral.events[0]?.outcome }).toEqual({ url, outcome: 'delivered' });
    }
    const invalid = setup(() => new Response('ok'), endpoint({ url: 'not a url' }));
    await invalid.consumer.queue({ queue: 'd', messages: [new FakeMessage(body())] });
    expect(invalid.events[0]).toMatchObject({ error: 'delivery_egress_refused' });
  });
});

describe('Cloudflare Queues consumer: options', () => {
  const ok = { endpoint: async () => undefined, disable: async () => {}, deadLetterQueue: new FakeQueue() };

  it('refuses non-finite, negative and out-of-range numbers, naming the option', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['retryJitter', { retryJitter: Number.NaN }],
      ['retryJitter', { retryJitter: 1.5 }],
      ['maxRetryAfterMs', { maxRetryAfterMs: -1 }],
      ['timeoutMs', { timeoutMs: 0 }],
      ['timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }],
      ['autoDisableAfterMs', { autoDisableAfterMs: Number.NaN }],
      ['retrySchedule[1]', { retrySchedule: [1, -5] }],
      ['retrySchedule', { retrySchedule: 'fast' }],
      ['queue', { queue: {} }],
      ['markFailing', { markFailing: 'yes' }],
      ['onAttempt', { onAttempt: 1 }],
    ];
    for (const [name, bad] of cases) {
      expect(() => createQueueConsumer({ ...ok, ...bad } as never)).toThrow(`\`${name}\``);
    }
  });
});
