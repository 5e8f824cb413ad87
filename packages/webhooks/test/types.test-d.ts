import { describe, expectTypeOf, it } from 'vitest';
import { createInboundVerifier, type InboundProvider, type InboundWebhook } from '../src/inbound.js';
import {
  createWebhookHandler,
  createWebhookVerifier,
  expressWebhook,
  isWebhookVerificationError,
  type SignedHeaders,
  sign,
  type VerifiedWebhook,
  type WebhookErrorCode,
  type WebhookVerificationErrorCode,
  type webhookErrors,
} from '../src/index.js';

describe('types', () => {
  it('verify resolves a VerifiedWebhook and sign resolves headers', () => {
    const verifier = createWebhookVerifier({ secrets: 'whsec_x' });
    expectTypeOf(verifier.verify({ headers: new Headers(), body: '' })).resolves.toEqualTypeOf<VerifiedWebhook>();
    expectTypeOf(sign({ body: '', secrets: 'whsec_x' })).resolves.toEqualTypeOf<SignedHeaders>();
    expectTypeOf<VerifiedWebhook['version']>().toEqualTypeOf<'v1' | 'v1a'>();
  });

  it('narrows error codes', () => {
    const error: unknown = undefined;
    if (isWebhookVerificationError(error)) {
      expectTypeOf(error.code).toEqualTypeOf<WebhookVerificationErrorCode>();
    }
    expectTypeOf<WebhookErrorCode>().toEqualTypeOf<keyof typeof webhookErrors.definitions>();
    expectTypeOf<'webhook_secret_malformed'>().not.toMatchTypeOf<WebhookVerificationErrorCode>();
  });

  it('rejects bodies that are not bytes or strings at compile time', () => {
    const verifier = createWebhookVerifier({ secrets: 'whsec_x' });
    // @ts-expect-error a parsed object is not a raw body
    void verifier.verify({ headers: {}, body: { parsed: true } });
  });

  it('provider verifiers resolve InboundWebhook, and the adapters carry that type through', () => {
    const stripe = createInboundVerifier({ provider: 'stripe', secrets: 'whsec_x' });
    expectTypeOf(
      stripe.verify({ headers: {}, body: '', url: '/x', method: 'POST' }),
    ).resolves.toEqualTypeOf<InboundWebhook>();
    expectTypeOf(stripe.provider).toEqualTypeOf<InboundProvider>();
    createWebhookHandler(stripe, (event) => {
      expectTypeOf(event).toEqualTypeOf<InboundWebhook>();
      return new Response(null);
    });
    expectTypeOf(expressWebhook(stripe))
      .parameter(0)
      .toHaveProperty('webhook')
      .toEqualTypeOf<InboundWebhook | undefined>();
    // @ts-expect-error not a provider
    createInboundVerifier({ provider: 'paypal', secrets: 'x' });
  });
});
