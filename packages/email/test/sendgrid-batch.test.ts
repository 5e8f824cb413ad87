import { parseSendGridWebhook, SENDGRID_DEFAULT_TOLERANCE_SEC } from '@bulwark/email/sendgrid';
import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { suppressionsFromEvents } from '../src/index.js';
import { parseEmailWebhook } from '../src/webhooks.js';
import { events as documented } from './fixtures/sendgrid-events.js';
import { createSendGridSigner } from './helpers/crypto.js';

const TIMESTAMP = 1_700_000_000;
let signer: Awaited<ReturnType<typeof createSendGridSigner>>;
beforeAll(async () => {
  signer = await createSendGridSigner();
});

async function signedBatch(body: string, timestamp = String(TIMESTAMP)) {
  return {
    headers: {
      'X-Twilio-Email-Event-Webhook-Signature': await signer.sign(timestamp, body),
      'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
    },
    rawBody: body,
  };
}

const at = (ms: number) => ({ now: () => ms });
const bounce = (email: string) => ({
  email,
  timestamp: TIMESTAMP,
  event: 'bounce',
  type: 'bounce',
  sg_event_id: email,
});

describe('parseSendGridWebhook: one bad item does not reject the batch', () => {
  it('returns the good events in order and reports each bad one with its index', async () => {
    let deep: unknown = { email: 'deep@example.com' };
    for (let i = 0; i < 2000; i++) deep = { nested: deep };
    const batch = [
      bounce('ada@example.com'),
      1,
      { event: 'delivered', timestamp: TIMESTAMP },
      bounce('bob@example.com'),
      { email: 123, timestamp: TIMESTAMP, event: 'bounce' },
      deep,
      ['not', 'an', 'object'],
      { email: '   ', timestamp: TIMESTAMP },
      bounce('Zoë@exämple.com'),
    ];
    const parsed = await parseSendGridWebhook(await signedBatch(JSON.stringify(batch)), {
      secrets: signer.publicKey,
      clock: at(TIMESTAMP * 1000),
    });
    expect(parsed.map((e) => e.recipient)).toEqual(['ada@example.com', 'bob@example.com', 'Zoë@exämple.com']);
    expect(parsed.rejected.map((r) => [r.index, r.error.code])).toEqual(
      [1, 2, 4, 5, 6, 7].map((index) => [index, 'email_webhook_malformed']),
    );
    expect(parsed.rejected[0]!.raw).toBe(1);
    // The error names what is missing, never the item's content.
    expect(parsed.rejected.map((r) => r.error.detail).join(' ')).not.toContain('deep@example.com');
    expect(suppressionsFromEvents(parsed).map((s) => s.email)).toEqual([
      'ada@example.com',
      'bob@example.com',
      'zoë@exämple.com',
    ]);
  });

  it('partitions any mix of good and bad items: every item is either an event or rejected, in order (property)', async () => {
    const good = fc.constantFrom(...documented);
    const bad = fc.oneof(
      fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
      fc.record({ event: fc.string(), timestamp: fc.oneof(fc.string(), fc.constant(null)) }),
      fc.record({ email: fc.oneof(fc.integer(), fc.constant(''), fc.boolean()), timestamp: fc.integer() }),
    );
    const item = fc.oneof(
      good.map((v) => ({ ok: true, v })),
      bad.map((v) => ({ ok: false, v })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 12 }), async (items) => {
        const parsed = await parseEmailWebhook('sendgrid', await signedBatch(JSON.stringify(items.map((i) => i.v))), {
          secrets: signer.publicKey,
          clock: at(TIMESTAMP * 1000),
        });
        expect(parsed).toHaveLength(items.filter((i) => i.ok).length);
        expect(parsed.rejected.map((r) => r.index)).toEqual(items.flatMap((i, index) => (i.ok ? [] : [index])));
      }),
      { numRuns: 40 },
    );
  });
});

describe('parseSendGridWebhook: replay window', () => {
  const body = JSON.stringify([bounce('ada@example.com')]);
  const window = SENDGRID_DEFAULT_TOLERANCE_SEC * 1000;

  it('has a default tolerance with exact edges, past and future', async () => {
    const request = await signedBatch(body);
    const options = (now: number) => ({ secrets: signer.publicKey, clock: at(now) });
    for (const now of [TIMESTAMP * 1000 + window, TIMESTAMP * 1000 - window]) {
      await expect(parseSendGridWebhook(request, options(now))).resolves.toHaveLength(1);
    }
    for (const now of [TIMESTAMP * 1000 + window + 1, TIMESTAMP * 1000 - window - 1, Date.parse('2026-12-07')]) {
      await expect(parseSendGridWebhook(request, options(now))).rejects.toMatchObject({
        code: 'email_webhook_signature_invalid',
      });
    }
  });

  it.each(['-1', '1e9', ' 1700000000', '1700000000.5', '9'.repeat(400), ''])(
    'refuses the timestamp header %j as unauthentic',
    async (timestamp) => {
      const request = await signedBatch(body, timestamp);
      await expect(
        parseSendGridWebhook(request, { secrets: signer.publicKey, clock: new FakeClock(TIMESTAMP * 1000) }),
      ).rejects.toMatchObject({ code: 'email_webhook_signature_invalid' });
    },
  );

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 86_401, '300', null])(
    'rejects toleranceSec %s as configuration',
    async (toleranceSec) => {
      const request = await signedBatch(body);
      await expect(
        parseSendGridWebhook(request, { secrets: signer.publicKey, toleranceSec } as never),
      ).rejects.toMatchObject({ code: 'email_config_invalid', variable: 'toleranceSec' });
    },
  );
});
