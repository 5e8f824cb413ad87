/**
 * Run an operation at most once per idempotency key. {@link createIdempotency} claims a key
 * atomically, replays the stored outcome to retries with the same fingerprint, refuses the key
 * with another fingerprint (422) or while it is in progress (409), and fails closed when its
 * store cannot answer within a deadline (503). In-progress locks expire, so a crashed owner never
 * leaves a key stuck. The `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header)
 * is parsed strictly as an RFC 8941 sf-string. Stores: {@link createMemoryStore} here, SQLite in
 * `@bulwark/idempotency/sqlite`, Redis in `@bulwark/idempotency/redis`.
 *
 * @module @bulwark/idempotency
 */
export { canonicalJson } from './canonical-json.js';
export { type IdempotencyErrorCode, idempotencyErrors } from './errors/codes.js';
export type { Execution } from './execution.js';
export { type FingerprintInput, type FingerprintMode, fingerprintOf, requestFingerprint } from './fingerprint.js';
export { type FastifyIdempotencyHooks, type FastifyReplyLike, fastifyIdempotency } from './http/fastify.js';
export { withIdempotency } from './http/fetch.js';
export type { HttpIdempotencyOptions } from './http/guard.js';
export { type HonoContextLike, honoIdempotency } from './http/hono.js';
export { expressIdempotency, type NodeRequestLike, type NodeResponseLike, nodeIdempotency } from './http/node.js';
export {
  DEFAULT_REPLAY_HEADERS,
  isStoredStatus,
  REPLAYED_HEADER,
  type ResponseParts,
} from './http/stored-response.js';
export {
  type BeginOptions,
  type Claim,
  createIdempotency,
  type Idempotency,
  type Replay,
  type RunContext,
  type RunOptions,
  type RunResult,
  type WaitOptions,
} from './idempotency.js';
export {
  DEFAULT_MAX_KEY_LENGTH,
  formatIdempotencyKey,
  IDEMPOTENCY_KEY_HEADER,
  type ParseKeyOptions,
  parseIdempotencyKey,
} from './idempotency-key.js';
export type { IdempotencyEvent, IdempotencyOptions } from './internal/options.js';
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { BeginOutcome, BeginRequest, CompleteRequest, IdempotencyStore } from './store.js';
