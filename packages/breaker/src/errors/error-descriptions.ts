import type { breakerErrors } from './codes.js';

/**
 * When each {@link breakerErrors} code is raised: the "when" column of the generated error reference,
 * docs/errors.md. Documentation, not behaviour: it stays out of the runtime catalog (and so out of
 * every bundle); only the docs generator (`pnpm docs:errors`) imports this module, and it fails
 * when a code has no description here.
 *
 * @internal
 */
export const breakerErrorDescriptions: Readonly<Record<keyof typeof breakerErrors.definitions, string>> = {
  circuit_open:
    'The circuit breaker for a dependency is open (or its half-open trial permits are taken), so the call was rejected without running; `retryAfterMs` says when to try again.',
  call_timeout:
    'A call guarded by a breaker or timeout policy did not settle within `timeoutMs`; its signal was aborted and its late result is ignored.',
  bulkhead_full:
    'The bulkhead already runs `maxConcurrent` calls and its queue of `maxQueue` is full, so the call was rejected without running.',
};
