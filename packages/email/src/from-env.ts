/**
 * {@link createEmailProviderFromEnv}: the provider named by `EMAIL_PROVIDER`, configured from
 * the environment ({@link EMAIL_ENV_VARIABLES}). A subpath of its own because it bundles all
 * five adapters; an edge function that sends through one provider imports that provider's
 * subpath instead.
 *
 * @module @bulwark/email/from-env
 */
export {
  createEmailProviderFromEnv,
  EMAIL_ENV_VARIABLES,
  type EmailFromEnvOptions,
  type EmailLogger,
} from './email-provider-from-env.js';
