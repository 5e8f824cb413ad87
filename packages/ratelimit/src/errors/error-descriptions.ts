import type { ratelimitErrors } from './codes.js';

/**
 * When each {@link ratelimitErrors} code is raised: the "when" column of the generated error reference,
 * docs/errors.md. Documentation, not behaviour: it stays out of the runtime catalog (and so out of
 * every bundle); only the docs generator (`pnpm docs:errors`) imports this module, and it fails
 * when a code has no description here.
 *
 * @internal
 */
export const ratelimitErrorDescriptions: Readonly<Record<keyof typeof ratelimitErrors.definitions, string>> = {
  rate_limit_exceeded: 'The client exceeded a rate-limit policy; `Retry-After` says when to try again.',
  rate_limiter_unavailable:
    'The rate limiter could not reach its store within its deadline and failed closed; the request was not processed.',
  rate_limit_invalid_key: '`limit()` was called with an empty or non-string key (a programming error).',
  rate_limit_key_required:
    'A Fetch-based rate-limit middleware has no `key` function and the runtime exposes no client address, so every client would share one bucket (a configuration error).',
};
