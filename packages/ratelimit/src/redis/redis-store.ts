import { createHash } from 'node:crypto';
import type { Clock } from '@bulwark/core';
import { DECIDE_INTO, type DecisionSink } from '../internal/decide-into.js';
import type { PolicyDecision, PolicyOutcome, ResolvedPolicy, Store } from '../types.js';
import { ClockOffset } from './clock-offset.js';
import { type BatchPolicies, BatchQueue, type DecisionBatch } from './decision-batch.js';
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
  /** ioredis: `true` on a `Cluster`, `false` on a standalone `Redis` (see {@link RedisStoreOptions.crossSlotBatches}). */
  readonly isCluster?: boolean | undefined;
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
  /**
   * Decisions a limiter asks for in the same tick go to Redis as one script call (see the
   * README). Whether one call may carry keys of different hash slots: a standalone server
   * accepts that; a Redis Cluster, and a proxy in front of one, does not, and there only the
   * decisions of one key share a call. Default: `true` for a client that says it is standalone
   * (ioredis `Redis`, `isCluster: false`), else `false`.
   */
  readonly crossSlotBatches?: boolean | undefined;
}

/** A {@link Store} in Redis: one `EVALSHA` per batch of decisions (a lone decision is a batch of one). */
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

/**
 * Where the outcomes array of a decision keeps the reply's Redis time, for a refund: one
 * `{ at }` per batch that its decisions share (a pointer each, no boxed number per decision).
 */
const DECIDED_AT = Symbol('decidedAt');
type Outcomes = PolicyDecision[] & { [DECIDED_AT]?: { readonly at: number } };

const monotonic: Clock = Object.freeze({ now: () => performance.now() });

/** SHA-1 of {@link DECIDE_SCRIPT}, the name `EVALSHA` uses. @internal */
export const DECIDE_SHA = createHash('sha1').update(DECIDE_SCRIPT).digest('hex');
/** SHA-1 of {@link GCRA_SCRIPT}. @internal */
export const GCRA_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');
/** SHA-1 of {@link REFUND_SCRIPT}. @internal */
export const REFUND_SHA = createHash('sha1').update(REFUND_SCRIPT).digest('hex');

/** Per-limiter key suffixes, script and arguments, computed once. */
interface Prepared extends BatchPolicies {
  /** One GCRA policy: {@link GCRA_SCRIPT}; otherwise {@link DECIDE_SCRIPT}. */
  readonly script: string;
  /** Whether {@link script} is {@link GCRA_SCRIPT} (its reply has three integers per decision). */
  readonly gcra: boolean;
  readonly sha: string;
  /**
   * The script's per-limiter arguments as strings (converted once, not per call), before the
   * deadline and the costs: `[limit, windowMs]` for GCRA_SCRIPT, `[n, algorithm, limit,
   * windowMs per policy]` otherwise.
   */
  readonly args: readonly string[];
  /** `[algorithm, limit, windowMs]` per policy, for {@link REFUND_SCRIPT}. */
  readonly refundArgs: readonly string[];
}
/**
 * Creates a Redis store. Each decision runs in a Lua script called by `EVALSHA` (falling back to
 * `EVAL` when Redis answers `NOSCRIPT`, e.g. after a restart or `SCRIPT FLUSH`), so every
 * policy of a key is decided atomically on the server, with the server's clock (`TIME`). The
 * decisions a limiter asks for in one tick share one call, decided in order at one server time
 * (see {@link RedisStoreOptions.crossSlotBatches} for Redis Cluster). Keys
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
  const crossSlot = options.crossSlotBatches ?? client.isCluster === false;
  if (typeof crossSlot !== 'boolean') throw new TypeError('Expected `crossSlotBatches` to be a boolean');
  const offset = new ClockOffset(clock);
  const queue = new BatchQueue(send, !crossSlot);
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
        policies,
        suffixes: policies.map((p) => `}:${p.name}:${ALGORITHM_IDS[p.algorithm]}:${p.limit}:${p.windowMs}`),
        script: gcra ? GCRA_SCRIPT : DECIDE_SCRIPT,
        gcra,
        sha: gcra ? GCRA_SHA : DECIDE_SHA,
        args: [
          ...(gcra ? [] : [String(policies.length)]),
          ...policies.flatMap((p) => [
            ...(gcra ? [] : [String(ALGORITHM_IDS[p.algorithm])]),
            String(p.limit),
            String(p.windowMs),
          ]),
        ],
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
    return new Promise<PolicyDecision[]>((resolve, reject) => {
      decideInto(key, policies, cost, deadlineMs, { reply: resolve as DecisionSink['reply'], fail: reject });
    });
  }

  /** {@link decide} for the limiter: the answer goes straight to `sink` (see {@link DECIDE_INTO}). */
  function decideInto(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    deadlineMs: number | undefined,
    sink: DecisionSink,
  ): void {
    const waiting = readiness.wait();
    if (waiting === undefined) {
      enqueue(key, policies, cost, deadlineMs, sink);
      return;
    }
    // The wait counts against the deadline: a caller denied meanwhile gets no decision sent at all.
    const started = clock.now();
    waiting.then(() => {
      if (deadlineMs === undefined) return enqueue(key, policies, cost, undefined, sink);
      const left = deadlineMs - (clock.now() - started);
      if (left <= 0) return sink.fail(new DeadlinePassed());
      enqueue(key, policies, cost, left, sink);
    }, sink.fail.bind(sink));
  }

  function enqueue(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    deadlineMs: number | undefined,
    sink: DecisionSink,
  ): void {
    queue.add(prepare(policies), `${prefix}{${hashTag(key)}`, cost, offset.deadline(deadlineMs), sink);
  }

  /**
   * One EVALSHA for a batch: keys, the limiter's arguments, the deadline, no time override
   * (`''`: the script reads `TIME`), then one cost per decision, or the batch's one cost once.
   */
  function send(batch: DecisionBatch): void {
    const { keys, costs, deadline } = batch;
    const { script, sha, args } = batch.group as Prepared;
    const argv = keys.concat(
      args,
      deadline === 0 ? '0' : String(deadline),
      '',
      batch.sameCost ? (costs[0] as string) : costs,
    );
    const settle = (reply: unknown): void => settleBatch(batch, reply, offset);
    client
      .evalsha(sha, keys.length, ...argv)
      .then(settle, (error: unknown) => {
        if (!isNoScript(error)) throw error;
        return client.eval(script, keys.length, ...argv).then(settle);
      })
      .then(undefined, (error: unknown) => batch.fail(error));
  }

  async function refund(
    key: string,
    policies: readonly ResolvedPolicy[],
    cost: number,
    outcomes: readonly PolicyOutcome[],
  ): Promise<void> {
    const at = (outcomes as Outcomes)[DECIDED_AT]?.at;
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
    [DECIDE_INTO]: decideInto,
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
 * Settles a batch from the script's flat integer reply: one outcome per policy per decision,
 * each carrying its policy; the Redis time it ends with feeds the clock offset and is kept for a
 * refund. {@link GCRA_SCRIPT} sends `remaining, resetMs, retryAfterMs` per decision (allowed
 * when `retryAfterMs` is 0), {@link DECIDE_SCRIPT} `allowed, remaining, resetMs, retryAfterMs`
 * per policy. `[-1, time]` means the script ran after the deadline and consumed nothing.
 * Anything else fails every decision of the batch.
 */
function settleBatch(batch: DecisionBatch, reply: unknown, offset: ClockOffset): void {
  const { policies, gcra } = batch.group as Prepared;
  const count = policies.length;
  const decisions = batch.size;
  const width = gcra ? 3 : count * 4;
  if (!Array.isArray(reply) || (reply.length !== decisions * width + 1 && !(reply.length === 2 && reply[0] === -1))) {
    throw new TypeError('Unexpected reply from the decide script');
  }
  const at = Number(reply[reply.length - 1]);
  offset.sample(at);
  if (reply.length === 2) {
    batch.fail(new DeadlinePassed());
    return;
  }
  const sinks = batch.sinks;
  const decided = { at };
  if (gcra) {
    const policy = policies[0] as ResolvedPolicy;
    for (let d = 0, base = 0; d < decisions; d++, base += 3) {
      const retryAfterMs = Number(reply[base + 2]);
      const outcomes: Outcomes = [
        {
          policy,
          allowed: retryAfterMs === 0,
          remaining: Number(reply[base]),
          resetMs: Number(reply[base + 1]),
          retryAfterMs,
        },
      ];
      outcomes[DECIDED_AT] = decided;
      (sinks[d] as DecisionSink).reply(outcomes);
    }
    return;
  }
  for (let d = 0; d < decisions; d++) {
    const outcomes: Outcomes = new Array(count);
    outcomes[DECIDED_AT] = decided;
    for (let i = 0; i < count; i++) {
      const base = (d * count + i) * 4;
      outcomes[i] = {
        policy: policies[i] as ResolvedPolicy,
        allowed: reply[base] === 1,
        remaining: Number(reply[base + 1]),
        resetMs: Number(reply[base + 2]),
        retryAfterMs: Number(reply[base + 3]),
      };
    }
    (sinks[d] as DecisionSink).reply(outcomes);
  }
}
