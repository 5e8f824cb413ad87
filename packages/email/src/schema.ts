/**
 * {@link emailMessageSchema}: the zod 4 (`zod/mini`) schema of an `EmailMessage`, for hosts that
 * validate at their own edge or nest it in their schemas (also a Standard Schema). A subpath of
 * its own so that only code that wants a schema bundles zod: sending parses messages with the
 * same rules without it.
 *
 * @module @bulwark/email/schema
 */
export { type EmailMessageSchemaOutput, emailMessageSchema } from './message-schema.js';
