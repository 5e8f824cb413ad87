import { inspect } from 'node:util';
import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createInboundVerifier } from '../src/inbound.js';
import { createWebhookVerifier, sign, verifyStandardWebhook } from '../src/index.js';
import { clockAt, NEXT_SECRET, NOW_SEC, rejection, SECRET } from './helpers.js';
import { NOW_MS, OTHER_SECRETS, PROVIDERS, SECRETS, signFor } from './inbound-helpers.js';

const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } });

/**
 * A promise that is already rejected when it is returned has no handler yet: Node records it as
 * a possibly unhandled rejection and un-records it when the caller's handler arrives, which cost
 * a forged request more than its MAC. A failure path hands back a pending promise instead.
 */
function expectPendingThenRejected(promise: Promise<unknown>): Promise<{ code?: string }> {
  expect(inspect(promise)).toBe('Promise { <pending> }');
  return rejection(promise);
}

describe('a failure returns a pending promise, rejected once the caller listens', () => {
  const verifier = createWebhookVerifier({ scheme: 'standard', secrets: SECRET, clock: clockAt() });

  it('for a forged signature', async () => {
    const headers = await sign({ scheme: 'standard', body, secrets: NEXT_SECRET, timestamp: NOW_SEC, id: 'f_1' });
    const error = await expectPendingThenRejected(verifier.verify({ headers, body }));
    expect(error.code).toBe('webhook_signature_mismatch');
  });

  it('for a header error found before any MAC', async () => {
    const error = await expectPendingThenRejected(verifier.verify({ headers: {}, body }));
    expect(error.code).toBe('webhook_header_missing');
  });

  it('for a malformed input', async () => {
    const error = await expectPendingThenRejected(verifier.verify(null as never));
    expect(error.code).toBe('webhook_body_unsupported');
  });

  it('for the one-shot form with a malformed secret', async () => {
    const error = await expectPendingThenRejected(verifyStandardWebhook({ headers: {}, body, secrets: 'whsec_x' }));
    expect(error.code).toBe('webhook_secret_malformed');
  });

  it('while a valid request still resolves', async () => {
    const headers = await sign({ scheme: 'standard', body, secrets: SECRET, timestamp: NOW_SEC, id: 'v_1' });
    await expect(verifier.verify({ headers, body })).resolves.toMatchObject({ id: 'v_1' });
  });
});

describe('a provider preset failure returns a pending promise, rejected once the caller listens', () => {
  const verifier = createInboundVerifier({ provider: 'twilio', secrets: SECRETS.twilio });
  const form = 'CallSid=CA1&From=%2B1555&Body=hi+there';
  const url = 'https://h.example/sms';

  it.each(PROVIDERS)('for a forged %s request', async (provider) => {
    const inbound = createInboundVerifier({ provider, secrets: SECRETS[provider], clock: new FakeClock(NOW_MS) });
    const forged = await signFor(provider, body, { secret: OTHER_SECRETS[provider] });
    const error = await expectPendingThenRejected(inbound.verify(forged));
    expect(error.code).toBe('webhook_signature_mismatch');
  });

  it('for a Twilio body that does not match its bodySHA256', async () => {
    const hashUrl = `${url}?bodySHA256=${'0'.repeat(64)}`;
    const headers = { 'x-twilio-signature': `${'A'.repeat(27)}=`, 'content-type': 'application/json' };
    const error = await expectPendingThenRejected(verifier.verify({ headers, body, url: hashUrl }));
    expect(error.code).toBe('webhook_signature_mismatch');
  });

  it('for a header error found before any MAC', async () => {
    const error = await expectPendingThenRejected(verifier.verify({ headers: {}, body: form, url }));
    expect(error.code).toBe('webhook_header_missing');
  });
});
