import { MAILGUN_DEFAULT_TOLERANCE_SEC, mailgunSignature, parseMailgunWebhook } from '@bulwark/email/mailgun';
import { FakeClock } from '@bulwark/testing';
import { createRedisReplayStore } from '@bulwark/webhooks/redis';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suppressionsFromEvents } from '../src/index.js';
import { delivered } from './fixtures/mailgun-events.js';

const signingKey = 'key-7e55d003b595d1d6e4d5a2f3e7a9c2b1';
const TS = 1_700_000_000;
const clients: Redis[] = [];

/** A Redis-backed "instance": its own connection and replay store, as another process would have. */
function instance() {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL must point at a Redis for this suite');
  const redis = new Redis(url);
  clients.push(redis);
  return {
    redis,
    options: {
      secrets: signingKey,
      clock: new FakeClock(TS * 1000),
      replayStore: createRedisReplayStore({ redis, prefix: `t:${process.pid}:` }),
    },
  };
}

async function signed(eventData: unknown, token: string, timestamp = String(TS)) {
  const signature = await mailgunSignature(signingKey, timestamp, token);
  return {
    headers: {},
    rawBody: JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData }),
  };
}

const complaint = (recipient: string) => ({ ...delivered, event: 'complained', recipient });

afterAll(async () => {
  await Promise.all(clients.filter((c) => c.status === 'ready').map((c) => c.quit()));
});

describe('parseMailgunWebhook: replay protection shared across instances and restarts (real Redis)', () => {
  let a: ReturnType<typeof instance>;
  let b: ReturnType<typeof instance>;
  beforeAll(() => {
    a = instance();
    b = instance();
  });

  it('a signature used on one instance is refused on another, even carrying a different event', async () => {
    const token = `shared-${process.pid}-${Date.now()}`;
    await expect(parseMailgunWebhook(await signed(delivered, token), a.options)).resolves.toHaveLength(1);
    // Mailgun signs only timestamp + token: the same signature with a forged event must not pass elsewhere.
    const forged = await signed(complaint('victim@example.com'), token);
    let suppressed: string[] = [];
    await expect(
      parseMailgunWebhook(forged, b.options).then((events) => {
        suppressed = suppressionsFromEvents(events).map((s) => s.email);
      }),
    ).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
    expect(suppressed).toEqual([]);
  });

  it('keeps refusing after a restart (new connection, new store) and keeps the token only for the window', async () => {
    const token = `restart-${process.pid}-${Date.now()}`;
    await parseMailgunWebhook(await signed(delivered, token), a.options);
    await a.redis.quit();
    const restarted = instance();
    await expect(parseMailgunWebhook(await signed(delivered, token), restarted.options)).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
    const ttl = await restarted.redis.pttl(`t:${process.pid}:mailgun:${token}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(MAILGUN_DEFAULT_TOLERANCE_SEC * 1000 + 1);
  });

  it('lets exactly one of many concurrent deliveries of one token through (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), fc.uuid(), async (copies, id) => {
        const request = await signed(delivered, `race-${id}`);
        const stores = [b.options, instance().options];
        const outcomes = await Promise.allSettled(
          Array.from({ length: copies }, (_, i) => parseMailgunWebhook(request, stores[i % 2]!)),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      }),
      { numRuns: 10 },
    );
  });
});

describe('parseMailgunWebhook: a replay store that fails', () => {
  it('refuses with a typed, retryable email_webhook_replay_unavailable when Redis is gone (fail closed)', async () => {
    const broken = instance();
    await broken.redis.quit();
    const error = await parseMailgunWebhook(
      await signed(complaint('x@example.com'), 'store-down'),
      broken.options,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'email_webhook_replay_unavailable', status: 503, retryable: true });
    // The store's own typed failure (from @bulwark/webhooks/redis) is kept as the cause, for logs.
    expect((error as Error).cause).toMatchObject({ code: expect.stringMatching(/^webhook_replay_store_/) });
  });
});

describe('parseMailgunWebhook: window and unauthenticated input', () => {
  const fresh = (now: number) => ({ secrets: signingKey, clock: new FakeClock(now) });

  it('has exact tolerance edges, past and future', async () => {
    const window = MAILGUN_DEFAULT_TOLERANCE_SEC * 1000;
    let n = 0;
    for (const now of [TS * 1000 + window, TS * 1000 - window]) {
      await expect(parseMailgunWebhook(await signed(delivered, `edge-ok-${n++}`), fresh(now))).resolves.toHaveLength(1);
    }
    for (const now of [TS * 1000 + window + 1, TS * 1000 - window - 1]) {
      await expect(parseMailgunWebhook(await signed(delivered, `edge-late-${n++}`), fresh(now))).rejects.toMatchObject({
        code: 'email_webhook_signature_invalid',
      });
    }
  });

  it('follows the injected clock in its default store: a token is refused until its window ends', async () => {
    const clock = new FakeClock(TS * 1000);
    const request = await signed(delivered, 'default-store-clock');
    await parseMailgunWebhook(request, { secrets: signingKey, clock });
    clock.advance(MAILGUN_DEFAULT_TOLERANCE_SEC * 1000);
    await expect(parseMailgunWebhook(request, { secrets: signingKey, clock })).rejects.toMatchObject({
      code: 'email_webhook_signature_invalid',
    });
  });

  it.each([0, Number.NaN, Number.POSITIVE_INFINITY, 86_401, '300'])('rejects toleranceSec %s', async (toleranceSec) => {
    await expect(
      parseMailgunWebhook(await signed(delivered, 'cfg'), { secrets: signingKey, toleranceSec } as never),
    ).rejects.toMatchObject({ code: 'email_config_invalid', variable: 'toleranceSec' });
  });

  it('refuses any body a stranger posts as unauthentic, never as malformed (property)', async () => {
    const options = fresh(TS * 1000);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.json(), fc.constant('{"signature":{"timestamp":"1","token":"t"}}')),
        async (rawBody) => {
          await expect(parseMailgunWebhook({ headers: {}, rawBody }, options)).rejects.toMatchObject({
            code: 'email_webhook_signature_invalid',
          });
        },
      ),
      { numRuns: 200 },
    );
    await expect(
      parseMailgunWebhook({ headers: {}, rawBody: new Uint8Array([0xc3, 0x28]) }, options),
    ).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
  });
});
