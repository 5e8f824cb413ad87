import { describe, expectTypeOf, it } from 'vitest';
import {
  createWebhookVerifier,
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
});
