import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import type { PolicyOutcome, ResolvedPolicy, Store } from '../types.js';
import { DEADLINE_STATUS, type DecideRequest, parseOutcomes, type ResetRequest } from './protocol.js';
import { shardOf } from './shard.js';
import type { DurableObjectNamespaceLike } from './types.js';

/** Options of {@link createDurableObjectStore}. */
export interface DurableObjectStoreOptions {
  /** The binding of {@link RateLimitDurableObject} (e.g. `env.RATE_LIMITER`). */
  readonly namespace: DurableObjectNamespaceLike;
  /**
   * Omitted: one object per key (`<prefix>key:<key>`). A positive integer `n`: keys are hashed
   * (FNV-1a, 32 bit) into `n` buckets, one object per bucket (`<prefix>shard:<i>`).
   */
  readonly shards?: number | undefined;
  /** Prefix of every object name, to share a namespace between limiters. Default: `"rl:"`. */
  readonly prefix?: string | undefined;
  /** Wall clock (epoch ms) that deadlines are sent in. Default: the system clock. */
  readonly clock?: Clock | undefined;
}

/** A {@link Store} in Durable Objects: one object request per decision. */
export interface DurableObjectStore extends Store {
  readonly name: 'durable-object';
  /** The name of the object `key` is routed to (`namespace.idFromName(name)`). */
  objectName(key: string): string;
  decide(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    deadlineMs?: number,
  ): Promise<readonly PolicyOutcome[]>;
  reset(key: string, policies: readonly ResolvedPolicy[]): Promise<void>;
}

/** A failed object request; `reason: 'store_timeout'` when the object refused a late decision. */
class DurableObjectStoreError extends Error {
  override readonly name = 'DurableObjectStoreError';
  constructor(
    message: string,
    readonly reason: 'store_unavailable' | 'store_timeout',
  ) {
    super(message);
  }
}

const ORIGIN = 'https://ratelimit.durable-object';
const HEADERS = Object.freeze({ 'content-type': 'application/json' });

/**
 * Creates a store whose decisions run inside {@link RateLimitDurableObject}s: a key is routed to
 * one object (by the key, or by its hash bucket with `shards`), which decides all of the key's
 * policies atomically and persists the state in its storage. The store sends the limiter's
 * deadline as an epoch instant; the object consumes nothing when it runs later. An unreachable,
 * throwing or malformed object rejects, and a slow one is cut off by the limiter's deadline, so
 * the limiter answers `store_unavailable` / `store_timeout` (fail closed by default) as with any
 * other store.
 *
 * @throws {RangeError} when `shards` is not a positive integer.
 * @throws {TypeError} when `namespace` is not a Durable Object namespace binding.
 * @example
 * ```ts
 * const limiter = createRateLimiter({
 *   limit: 100,
 *   windowMs: 60_000,
 *   store: createDurableObjectStore({ namespace: env.RATE_LIMITER, shards: 64 }),
 * });
 * ```
 */
export function createDurableObjectStore(options: DurableObjectStoreOptions): DurableObjectStore {
  const { namespace, shards } = options;
  if (typeof namespace?.idFromName !== 'function' || typeof namespace.get !== 'function') {
    throw new TypeError('Expected `namespace` to be a Durable Object namespace binding');
  }
  if (shards !== undefined) assertNumberOption('shards', shards, { min: 1, integer: true });
  const prefix = options.prefix ?? 'rl:';
  if (typeof prefix !== 'string') throw new TypeError('Expected `prefix` to be a string');
  const clock = options.clock ?? systemClock;

  function objectName(key: string): string {
    return shards === undefined ? `${prefix}key:${key}` : `${prefix}shard:${shardOf(key, shards)}`;
  }

  async function call(key: string, body: DecideRequest | ResetRequest): Promise<Response> {
    const stub = namespace.get(namespace.idFromName(objectName(key)));
    return stub.fetch(`${ORIGIN}/${body.op}`, { method: 'POST', body: JSON.stringify(body), headers: HEADERS });
  }

  async function failure(response: Response): Promise<never> {
    await response.body?.cancel();
    if (response.status === DEADLINE_STATUS) {
      throw new DurableObjectStoreError(
        'the object ran the decision after its deadline; nothing consumed',
        'store_timeout',
      );
    }
    throw new DurableObjectStoreError(`the object answered ${response.status}`, 'store_unavailable');
  }

  return Object.freeze({
    name: 'durable-object' as const,
    objectName,
    async decide(key: string, policies: readonly ResolvedPolicy[], cost: number, deadlineMs?: number) {
      const deadline = deadlineMs === undefined ? undefined : clock.now() + deadlineMs;
      const response = await call(key, { op: 'decide', key, policies: plain(policies), cost, deadline });
      if (response.status !== 200) return failure(response);
      return parseOutcomes(await response.json(), policies.length);
    },
    async reset(key: string, policies: readonly ResolvedPolicy[]): Promise<void> {
      const response = await call(key, { op: 'reset', key, policies: plain(policies) });
      if (response.status !== 200) return failure(response);
      await response.body?.cancel();
    },
  });
}

/** The policy fields the object needs, nothing else the caller's objects may carry. */
function plain(policies: readonly ResolvedPolicy[]): ResolvedPolicy[] {
  return policies.map(({ name, algorithm, limit, windowMs }) => ({ name, algorithm, limit, windowMs }));
}
