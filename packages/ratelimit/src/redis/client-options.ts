/** The ioredis options {@link redisClientOptions} returns (a subset of ioredis `RedisOptions`). */
export interface SafeRedisOptions {
  readonly enableOfflineQueue: false;
  readonly maxRetriesPerRequest: number;
  readonly connectTimeout: number;
  readonly enableAutoPipelining: boolean;
  readonly retryStrategy: (times: number) => number;
}

/**
 * ioredis options for a rate-limit client: commands fail immediately while disconnected
 * (`enableOfflineQueue: false`) instead of queueing until Redis returns, each command is resent
 * at most once after a reconnect, connecting gives up after `connectTimeout`, and reconnects
 * back off up to 1 s, so recovery is automatic.
 *
 * @param overrides - Any other ioredis options (`connectTimeout`, `tls`, `password`, …).
 * @example
 * ```ts
 * const client = new Redis(process.env.REDIS_URL, redisClientOptions({ connectTimeout: 500 }));
 * ```
 */
export function redisClientOptions<T extends object = object>(overrides?: T): SafeRedisOptions & T {
  return {
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    enableAutoPipelining: true,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
    ...(overrides as T),
    enableOfflineQueue: false,
  };
}
