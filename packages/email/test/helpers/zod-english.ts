import { config, type core } from 'zod/mini';
import { en } from 'zod/v4/locales';

const english = en().localeError;

/**
 * Parse options for the zod/mini reference schemas of the tests: zod/mini loads no locale, so
 * this reports the English messages classic zod prints (after a host's own error map), which
 * the hand-written parsers of src/ must match word for word.
 */
export const englishErrors: core.ParseContext<core.$ZodIssue> = Object.freeze({
  error: (issue: core.$ZodRawIssue) => config().customError?.(issue) ?? english(issue),
});
