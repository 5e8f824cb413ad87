import { isBulwarkError } from '@bulwark/errors';
import { expectBrandedByClass } from '@bulwark/testing';
import { describe, it } from 'vitest';
import {
  EmailConfigError,
  EmailError,
  EmailWebhookError,
  isEmailConfigError,
  isEmailError,
  isEmailWebhookError,
} from '../src/index.js';

// Errors are constructed on failure paths (a forged webhook, a refused send), so a class is
// branded once, on its prototype; an instance carries its fields and nothing more.
describe('error classes', () => {
  it.each([
    ['EmailError', () => new EmailError({ code: 'email_rate_limited', provider: 'resend' }), isEmailError, EmailError],
    [
      'EmailWebhookError',
      () => new EmailWebhookError('email_webhook_signature_invalid', 'ses', 'bad signature'),
      isEmailWebhookError,
      EmailWebhookError,
    ],
    ['EmailConfigError', () => new EmailConfigError('apiKey', 'missing'), isEmailConfigError, EmailConfigError],
  ] as const)('%s is branded by its class, not per instance', (name, make, guard, Class) => {
    expectBrandedByClass(make(), { name, Class, guards: [guard, isBulwarkError] });
  });
});
