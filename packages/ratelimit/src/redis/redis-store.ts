import { createHash } from 'node:crypto';
import type { PolicyDecision, PolicyOutcome, ResolvedPolicy, Store } from '../types.js';
import { ALGORITHM_IDS, DECIDE_SCRIPT, GCRA_SCRIPT } from './lua.js';

/**
 * The part of an ioredis `Redis` (or `Cluster`) client the store uses. Any client with these
 * methods works.
 */
export interface RedisScriptClient {
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  readonly options?: { readonly enableOfflineQueue?: boolean | undefined } | undefined;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** A connected client configured with `enableOfflineQueue: false` (see {@link redisClientOptions}). */
  readonly client: RedisScriptClient;
  /** Prefix of every key, before the `{key}` hash tag; must not contain braces. Default: `"rl:"`. */
  readonly prefix?: string | undefined;
}

/** A {@link Store} in Redis: one `EVALSHA` per decision. */
export interface RedisStore extends Store {
  readonly name: 'redis';
  /** The Redis keys that hold `key`'s state under `policies` (all in one hash slot). */
  keysFor(key: string, policies: readonly ResolvedPolicy[]): string[];
  decide(key: string, policies: readonly ResolvedPolicy[], cost: number): Promise<readonly PolicyOutcome[]>;
  reset(key: string, policies: readonly ResolvedPolicy[]): Promise<void>;
}

/** SHA-1 of {@link DECIDE_SCRIPT}, the name `EVALSHA` uses. @internal */
export const DECIDE_SHA = createHash('sha1').update(DECIDE_SCRIPT).digest('hex');
/** SHA-1 of {@link GCRA_SCRIPT}. @internal */
export const GCRA_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');

/** Per-limiter key suffixes, script and arguments, computed once. */
interface Prepared {
  readonly suffixes: readonly string[];
  /** One GCRA policy: {@link GCRA_SCRIPT}; otherwise {@link DECIDE_SCRIPT}. */
  readonly script: string;
  readonly sha: string;
  /**
   * The script's per-limiter arguments as strings (converted once, not per call):
   * `[limit, windowMs]` for GCRA_SCRIPT, `[algorithm, limit, windowMs]` per policy otherwise.
   */
  readonly args: readonly string[];
}
/**
 * Creates a Redis store. Each decision is one `EVALSHA` of a Lua script (falling back to
 * `EVAL` when Redis answers `NOSCRIPT`, e.g. after a restart or `SCRIPT FLUSH`), so every
 * policy of a key is decided atomically on the server, with the server's clock (`TIME`). Keys
 * are `<prefix>{<key>}:<policy>:<algorithm>:<limit>:<windowMs>`: the `{…}` hash tag keeps all of
 * a key's policies in one Redis Cluster slot.
 *
 * @throws {TypeError} when the client queues commands while disconnected (`enableOfflineQueue`
 * must be `false`, or a stalled connection would hold decisions until it returns) or the prefix
 * contains a brace.
 * @example
 * ```ts
 * const client = new Redis(process.env.REDIS_URL, redisClientOptions());
 * const limiter = createRateLimiter({ limit: 100, windowMs: 60_000, store: createRedisStore({ client }) });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { client } = options;
  if (typeof client?.evalsha !== 'function') throw new TypeError('Expected `client` to be an ioredis client');
  if (client.options?.enableOfflineQueue !== false) {
    throw new TypeError(
      'Expected `client.options.enableOfflineQueue` to be false: a queued command waits for the reconnect instead of failing fast',
    );
  }
  const prefix = options.prefix ?? 'rl:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new TypeError('Expected `prefix` to be a string without `{` or `}`');
  }
  const prepared = new WeakMap<readonly ResolvedPolicy[], Prepared>();
  let lastPolicies: readonly ResolvedPolicy[] | undefined;
  let lastPrepared: Prepared | undefined;

  function prepare(policies: readonly ResolvedPolicy[]): Prepared {
    if (policies === lastPolicies) return lastPrepared as Prepared;
    let found = prepared.get(policies);
    if (found === undefined) {
      const gcra = policies.length === 1 && policies[0]?.algorithm === 'gcra';
      found = {
        suffixes: policies.map((p) => `}:${p.name}:${ALGORITHM_IDS[p.algorithm]}:${p.limit}:${p.windowMs}`),
        script: gcra ? GCRA_SCRIPT : DECIDE_SCRIPT,
        sha: gcra ? GCRA_SHA : DECIDE_SHA,
        args: policies.flatMap((p) => [
          ...(gcra ? [] : [String(ALGORITHM_IDS[p.algorithm])]),
          String(p.limit),
          String(p.windowMs),
        ]),
      };
      prepared.set(policies, found);
    }
    lastPolicies = policies;
    lastPrepared = found;
    return found;
  }

  function keysFor(key: string, policies: readonly ResolvedPolicy[]): string[] {
    const head = `${prefix}{${key}`;
    return prepare(policies).suffixes.map((suffix) => head + suffix);
  }

  function decide(key: string, policies: readonly ResolvedPolicy[], cost: number): Promise<PolicyDecision[]> {
    const { suffixes, script, sha, args } = prepare(policies);
    const head = `${prefix}{${key}`;
    const n = suffixes.length;
    const argv: string[] = new Array(n + 1 + args.length);
    for (let i = 0; i < n; i++) argv[i] = head + suffixes[i];
    argv[n] = cost === 1 ? '1' : String(cost);
    for (let i = 0; i < args.length; i++) argv[n + 1 + i] = args[i] as string;
    return client.evalsha(sha, n, ...argv).then(
      (reply) => parseReply(reply, policies),
      (error: unknown) => {
        if (!isNoScript(error)) throw error;
        return client.eval(script, n, ...argv).then((reply) => parseReply(reply, policies));
      },
    );
  }

  return Object.freeze({
    name: 'redis' as const,
    keysFor,
    decide,
    async reset(key: string, policies: readonly ResolvedPolicy[]): Promise<void> {
      await client.del(...keysFor(key, policies));
    },
  });
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** The script's flat integer reply as one outcome per policy, each carrying its policy. */
function parseReply(reply: unknown, policies: readonly ResolvedPolicy[]): PolicyDecision[] {
  const count = policies.length;
  if (!Array.isArray(reply) || reply.length !== count * 4) {
    throw new TypeError('Unexpected reply from the decide script');
  }
  const outcomes: PolicyDecision[] = new Array(count);
  for (let i = 0; i < count; i++) {
    outcomes[i] = {
      policy: policies[i] as ResolvedPolicy,
      allowed: reply[i * 4] === 1,
      remaining: Number(reply[i * 4 + 1]),
      resetMs: Number(reply[i * 4 + 2]),
      retryAfterMs: Number(reply[i * 4 + 3]),
    };
  }
  return outcomes;
}
