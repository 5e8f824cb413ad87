import { createHash } from 'node:crypto';
import type { Clock } from '@bulwark/core';
import type { PolicyDecision, PolicyOutcome, ResolvedPolicy, Store } from '../types.js';
import { ClockOffset } from './clock-offset.js';
import { hashTag } from './hash-tag.js';
import { ALGORITHM_IDS, DECIDE_SCRIPT, GCRA_SCRIPT, REFUND_SCRIPT } from './lua.js';
import { type ClientConnection, Readiness } from './readiness.js';

/**
 * The part of an ioredis `Redis` (or `Cluster`) client the store uses. Any client with these
 * methods works; `status`, `connect`, `once` and `off` let the store wait for the first connection.
 */
export interface RedisScriptClient extends ClientConnection {
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  readonly options?: { readonly enableOfflineQueue?: boolean | undefined } | undefined;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** A client configured with `enableOfflineQueue: false` (see {@link redisClientOptions}); it may still be connecting. */
  readonly client: RedisScriptClient;
  /** Prefix of every key, before the `{key}` hash tag; must not contain braces. Default: `"rl:"`. */
  readonly prefix?: string | undefined;
  /**
   * Host clock that the offset to Redis time is measured on (deadlines sent to the script).
   * Default: `performance.now()` (monotonic, so host clock steps do not matter).
   */
  readonly clock?: Clock | undefined;
}

/** A {@link Store} in Redis: one `EVALSHA` per decision. */
export interface RedisStore extends Store {
  readonly name: 'redis';
  /** The Redis keys that hold `key`'s state under `policies` (all in one hash slot). */
  keysFor(key: string, policies: readonly ResolvedPolicy[]): string[];
  decide(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    deadlineMs?: number,
  ): Promise<readonly PolicyOutcome[]>;
  refund(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    outcomes: readonly PolicyOutcome[],
  ): Promise<void>;
  reset(key: string, policies: readonly ResolvedPolicy[]): Promise<void>;
}

/** The error a decision rejects with when it ran (or would have been sent) after the caller's deadline: nothing consumed. */
class DeadlinePassed extends Error {
  readonly reason = 'store_timeout';
  constructor() {
    super('Redis ran the decision after its deadline; nothing was consumed');
  }
}

/** Where a reply's Redis time is kept on the outcomes array, for a refund. */
const DECIDED_AT = Symbol('decidedAt');
type Outcomes = PolicyDecision[] & { [DECIDED_AT]?: number };

const monotonic: Clock = Object.freeze({ now: () => performance.now() });

/** SHA-1 of {@link DECIDE_SCRIPT}, the name `EVALSHA` uses. @internal */
export const DECIDE_SHA = createHash('sha1').update(DECIDE_SCRIPT).digest('hex');
/** SHA-1 of {@link GCRA_SCRIPT}. @internal */
export const GCRA_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');
/** SHA-1 of {@link REFUND_SCRIPT}. @internal */
export const REFUND_SHA = createHash('sha1').update(REFUND_SCRIPT).digest('hex');

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
  /** `[algorithm, limit, windowMs]` per policy, for {@link REFUND_SCRIPT}. */
  readonly refundArgs: readonly string[];
}
/**
 * Creates a Redis store. Each decision is one `EVALSHA` of a Lua script (falling back to
 * `EVAL` when Redis answers `NOSCRIPT`, e.g. after a restart or `SCRIPT FLUSH`), so every
 * policy of a key is decided atomically on the server, with the server's clock (`TIME`). Keys
 * are `<prefix>{<key>}:<policy>:<algorithm>:<limit>:<windowMs>`: the `{…}` hash tag (the key with
 * `\`, `}` and lone surrogates escaped) keeps all of a key's policies in one Redis Cluster slot.
 * The script gets the limiter's deadline in Redis time and consumes nothing when it runs later;
 * a charge whose reply comes too late is refunded ({@link RedisStore.refund}). Decisions made
 * while the client's first connection is still being made wait for it (within the deadline).
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
  const clock = options.clock ?? monotonic;
  if (typeof clock?.now !== 'function') throw new TypeError('Expected `clock` to have a `now` function');
  const offset = new ClockOffset(clock);
  const readiness = new Readiness(client);
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
        refundArgs: policies.flatMap((p) => [String(ALGORITHM_IDS[p.algorithm]), String(p.limit), String(p.windowMs)]),
      };
      prepared.set(policies, found);
    }
    lastPolicies = policies;
    lastPrepared = found;
    return found;
  }

  function keysFor(key: string, policies: readonly ResolvedPolicy[]): string[] {
    const head = `${prefix}{${hashTag(key)}`;
    return prepare(policies).suffixes.map((suffix) => head + suffix);
  }

  function decide(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    deadlineMs?: number,
  ): Promise<PolicyDecision[]> {
    const waiting = readiness.wait();
    if (waiting === undefined) return send(key, policies, cost, deadlineMs);
    if (deadlineMs === undefined) return waiting.then(() => send(key, policies, cost, undefined));
    // The wait counts against the deadline: a caller denied meanwhile gets no decision sent at all.
    const started = clock.now();
    return waiting.then(() => {
      const left = deadlineMs - (clock.now() - started);
      if (left <= 0) throw new DeadlinePassed();
      return send(key, policies, cost, left);
    });
  }

  function send(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    deadlineMs: number | undefined,
  ): Promise<PolicyDecision[]> {
    const { suffixes, script, sha, args } = prepare(policies);
    const head = `${prefix}{${hashTag(key)}`;
    const n = suffixes.length;
    const argv: string[] = new Array(n + 2 + args.length);
    for (let i = 0; i < n; i++) argv[i] = head + suffixes[i];
    argv[n] = cost === 1 ? '1' : String(cost);
    for (let i = 0; i < args.length; i++) argv[n + 1 + i] = args[i] as string;
    const deadline = offset.deadline(deadlineMs);
    argv[n + 1 + args.length] = deadline === 0 ? '0' : String(deadline);
    const parse = (reply: unknown): PolicyDecision[] => parseReply(reply, policies, offset);
    return client.evalsha(sha, n, ...argv).then(parse, (error: unknown) => {
      if (!isNoScript(error)) throw error;
      return client.eval(script, n, ...argv).then(parse);
    });
  }

  async function refund(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    outcomes: readonly PolicyOutcome[],
  ): Promise<void> {
    const at = (outcomes as Outcomes)[DECIDED_AT];
    if (at === undefined || cost === 0) return;
    const keys = keysFor(key, policies);
    const argv = [...keys, String(cost), String(at), ...prepare(policies).refundArgs];
    await client.evalsha(REFUND_SHA, keys.length, ...argv).catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      return client.eval(REFUND_SCRIPT, keys.length, ...argv);
    });
  }

  return Object.freeze({
    name: 'redis' as const,
    keysFor,
    decide,
    refund,
    async reset(key: string, policies: readonly ResolvedPolicy[]): Promise<void> {
      await client.del(...keysFor(key, policies));
    },
  });
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * The script's flat integer reply as one outcome per policy, each carrying its policy; the Redis
 * time it ends with feeds the clock offset and is kept for a refund. `[-1, time]` means the
 * script ran after the deadline and consumed nothing.
 */
function parseReply(reply: unknown, policies: readonly ResolvedPolicy[], offset: ClockOffset): PolicyDecision[] {
  const count = policies.length;
  if (!Array.isArray(reply) || (reply.length !== count * 4 + 1 && !(reply.length === 2 && reply[0] === -1))) {
    throw new TypeError('Unexpected reply from the decide script');
  }
  const at = Number(reply[reply.length - 1]);
  offset.sample(at);
  if (reply.length === 2) throw new DeadlinePassed();
  const outcomes: Outcomes = new Array(count);
  outcomes[DECIDED_AT] = at;
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
