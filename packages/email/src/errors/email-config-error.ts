import { BulwarkError, brandError, createErrorGuard } from '@bulwark/errors';
import { emailErrors } from './codes.js';

/**
 * Invalid email configuration, raised at startup: a named provider whose key variable is
 * missing, an unknown `EMAIL_PROVIDER`, or invalid adapter options. `variable` names the culprit.
 *
 * @example
 * ```ts
 * try { createEmailProviderFromEnv(process.env); } catch (error) {
 *   if (isEmailConfigError(error)) console.error(`set ${error.variable}`);
 * }
 * ```
 */
export class EmailConfigError extends BulwarkError<'email_config_invalid'> {
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static override readonly brand: true = /* @__PURE__ */ brandError(this, 'EmailConfigError');

  declare name: 'EmailConfigError';
  /** The environment variable or option at fault. */
  readonly variable: string;

  constructor(variable: string, detail: string) {
    const definition = emailErrors.definitions.email_config_invalid;
    super({ code: 'email_config_invalid', status: definition.status, title: definition.title, detail });
    this.name = 'EmailConfigError';
    this.variable = variable;
  }
}

/**
 * Reports whether `value` is an {@link EmailConfigError}.
 *
 * @example
 * ```ts
 * if (isEmailConfigError(error)) process.exit(1);
 * ```
 */
export const isEmailConfigError = /* @__PURE__ */ createErrorGuard<EmailConfigError>('EmailConfigError');
