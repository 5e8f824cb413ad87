import { config, type core } from 'zod/mini';
import { en } from 'zod/v4/locales';

const english = en().localeError;

/**
 * Parse options for our `zod/mini` schemas. zod/mini is the tree-shakable zod 4 API (the edge
 * bundles stay small) but loads no locale, so its messages would be a bare "Invalid input":
 * this reports the English messages classic zod prints, after a host's own error map
 * (`z.config({ customError })`), as classic zod does.
 */
export const englishErrors: core.ParseContext<core.$ZodIssue> = Object.freeze({
  error: (issue: core.$ZodRawIssue) => config().customError?.(issue) ?? english(issue),
});
