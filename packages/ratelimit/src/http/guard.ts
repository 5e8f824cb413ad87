import type { RateLimiter } from '../rate-limiter.js';
import type { Decision } from '../types.js';
import { rateLimitHeaders } from './headers.js';
import { ipKey, type KeyExtractor, type RequestInfo } from './keys.js';
import { type DenialResponse, denialResponse } from './problem.js';

/** Options shared by every middleware. */
export interface HttpRateLimitOptions {
  /** How to key a request. Default: {@link ipKey}`()` (the TCP peer address, no proxies trusted). */
  readonly key?: KeyExtractor | undefined;
  /** Units a request costs. Default: `1`. */
  readonly cost?: ((request: RequestInfo) => number) | undefined;
  /**
   * Requests the extractor gives no key: `shared` puts them all in one bucket named
   * `"(no key)"` (default: never unlimited), `skip` lets them through unlimited.
   */
  readonly onMissingKey?: 'shared' | 'skip' | undefined;
  /** Send `RateLimit-Policy`/`RateLimit` on allowed responses too. Default: `true`. */
  readonly headers?: boolean | undefined;
}

/** What a middleware does with one request. @internal */
export interface GuardResult {
  readonly decision: Decision | undefined;
  /** Header fields to add to the response (empty when skipped or disabled). */
  readonly headers: Record<string, string>;
  /** The response to send instead of the handler's, when denied. */
  readonly denial: DenialResponse | undefined;
}

const NO_KEY = '(no key)';

/** The framework-neutral core of every middleware. @internal */
export function createGuard(limiter: RateLimiter, options: HttpRateLimitOptions = {}) {
  const key = options.key ?? ipKey();
  const cost = options.cost;
  const onMissingKey = options.onMissingKey ?? 'shared';
  if (onMissingKey !== 'shared' && onMissingKey !== 'skip') {
    throw new TypeError(`Expected \`onMissingKey\` to be shared or skip, got ${String(onMissingKey)}`);
  }
  const sendHeaders = options.headers ?? true;
  return async (request: RequestInfo): Promise<GuardResult> => {
    const extracted = await key(request);
    if (!extracted && onMissingKey === 'skip') return { decision: undefined, headers: {}, denial: undefined };
    const decision = await limiter.limit(extracted || NO_KEY, cost ? { cost: cost(request) } : undefined);
    const headers = rateLimitHeaders(decision, { policies: limiter.policies });
    if (!decision.allowed) return { decision, headers, denial: denialResponse(decision, headers) };
    return { decision, headers: sendHeaders ? headers : {}, denial: undefined };
  };
}
