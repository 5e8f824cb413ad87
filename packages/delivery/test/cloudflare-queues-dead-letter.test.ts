import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDeadLetter } from '../src/cloudflare-queues.js';
import { body, endpoint, FakeMessage, setup } from './support/queue-fakes.js';

const delivery = body();

describe('readDeadLetter', () => {
  it('reads back what the consumer dead-lettered: the delivery, its error and its attempts', async () => {
    const gone = setup(() => new Response('', { status: 410 }));
    await gone.consumer.queue({ queue: 'd', messages: [new FakeMessage(body({ prior: 2 }), 3)] });
    expect(readDeadLetter(gone.dlq.sent[0])).toEqual({
      delivery: { ...delivery, prior: 2 },
      error: 'http_410',
      attempts: 5,
    });
    const malformed = setup(() => new Response('ok'), endpoint());
    await malformed.consumer.queue({ queue: 'd', messages: [new FakeMessage('garbage')] });
    expect(readDeadLetter(malformed.dlq.sent[0])).toEqual({
      delivery: undefined,
      error: 'delivery_malformed_message',
      attempts: 1,
    });
  });

  it('a delivery message Queues moved there after max_retries: delivery_max_retries_exceeded, attempts unknown', () => {
    expect(readDeadLetter(body({ prior: 4 }))).toEqual({
      delivery: { ...delivery, prior: 4 },
      error: 'delivery_max_retries_exceeded',
      attempts: undefined,
    });
  });

  it('anything else is a malformed dead letter without a delivery', () => {
    const hostile: unknown[] = [
      null,
      undefined,
      'text',
      42,
      [delivery, 'http_500', 1],
      {},
      { body: delivery, error: 'http_500' },
      { body: delivery, error: 'http_500', attempts: 1, extra: true },
      { body: delivery, error: 'HTTP 500', attempts: 1 },
      { body: delivery, error: 'x'.repeat(65), attempts: 1 },
      { body: delivery, error: 500, attempts: 1 },
      ...[-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 10_102, '1', null].map((attempts) => ({
        body: delivery,
        error: 'http_500',
        attempts,
      })),
      JSON.parse('{"__proto__": {"messageId": "x"}, "error": "http_500", "attempts": 1}'),
      body({ v: 2 }),
      body({ prior: -1 }),
    ];
    for (const value of hostile) {
      expect(readDeadLetter(value)).toEqual({
        delivery: undefined,
        error: 'delivery_malformed_message',
        attempts: undefined,
      });
    }
  });

  it('never throws, and every reason it returns is a snake_case code (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ body: fc.jsonValue(), error: fc.string(), attempts: fc.oneof(fc.integer(), fc.double()) }),
        ),
        (value) => {
          const read = readDeadLetter(value);
          expect(read.error).toMatch(/^[a-z0-9_]{1,64}$/);
          expect(read.attempts === undefined || Number.isInteger(read.attempts)).toBe(true);
        },
      ),
    );
  });
});
