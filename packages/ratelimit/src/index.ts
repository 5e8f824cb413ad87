/**
 * Fail-closed rate limiting: {@link createRateLimiter} decides within a deadline and always says
 * why (`ok`, `limited`, `store_unavailable`, `store_timeout`). Algorithms: GCRA (default), token
 * bucket, two-window sliding window, fixed window; several policies per key decided atomically.
 * Stores: {@link createMemoryStore} here, Redis in `@bulwark/ratelimit/redis`. HTTP: IETF
 * `RateLimit-Policy`/`RateLimit` fields, 429/503 problem+json, and middleware for Node http,
 * Express, Fastify, Hono and Fetch handlers.
 *
 * @module @bulwark/ratelimit
 */
export { type RatelimitErrorCode, ratelimitErrors } from './errors/codes.js';
export { isRateLimitKeyError, RateLimitKeyError } from './errors/rate-limit-key-error.js';
export {
  isRateLimitKeyRequiredError,
  RateLimitKeyRequiredError,
} from './errors/rate-limit-key-required-error.js';
export { type CloudflareIpKeyOptions, cloudflareIpKey } from './http/cloudflare.js';
export { type FastifyReplyLike, fastifyRateLimit } from './http/fastify.js';
export { type FetchRateLimitOptions, fetchRequestInfo, withRateLimit } from './http/fetch.js';
export type { HttpRateLimitOptions } from './http/guard.js';
export { type RateLimitHeaderOptions, rateLimitHeaders } from './http/headers.js';
export { type HonoContextLike, type HonoRateLimitOptions, honoRateLimit } from './http/hono.js';
export {
  type ApiKeyOptions,
  apiKey,
  clientIp,
  headerKey,
  type IpKeyOptions,
  ipKey,
  type KeyExtractor,
  type RequestInfo,
} from './http/keys.js';
export {
  expressRateLimit,
  type NodeRequestLike,
  type NodeResponseLike,
  nodeRateLimit,
  nodeRequestInfo,
} from './http/node.js';
export {
  type DenialResponse,
  denialResponse,
  QUOTA_EXCEEDED_TYPE,
  TEMPORARY_REDUCED_CAPACITY_TYPE,
} from './http/problem.js';
export { DEFAULT_MAX_KEY_LENGTH } from './key.js';
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { PolicyOptions } from './policy.js';
export {
  createRateLimiter,
  type DecisionEvent,
  type FailMode,
  type LimitOptions,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitLogger,
} from './rate-limiter.js';
export type {
  Algorithm,
  Decision,
  DecisionReason,
  PolicyDecision,
  PolicyOutcome,
  ResolvedPolicy,
  Store,
} from './types.js';
