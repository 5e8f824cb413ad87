import { randomUUID } from 'node:crypto';
import { assertNumberOption, systemTimers, type TimerHandle, type TimerProvider } from '@bulwark/core';
import { type ChainableCommander, type Cluster, Redis } from 'ioredis';
import { DeliveryError } from '../errors/delivery-error.js';
import { leased } from '../internal/leased.js';
import type {
  AttemptRecord,
  ClaimedDelivery,
  Completion,
  DeliveryCounts,
  DeliveryRecord,
  DeliveryStore,
  DlqStats,
  EndpointRecord,
  EnqueueLease,
  ListDeliveriesOptions,
  NewDelivery,
} from '../store.js';
import { encodeForEnqueue, parseStored, toRecord } from './redis-records.js';
import { CLAIM, COMPLETE, ENQUEUE, isNoScript, PRUNE, RENEW, REQUEUE, scriptSha } from './redis-scripts.js';
import { TickBatch } from './tick-batch.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * A Redis URL (`redis://…`), or an ioredis client: a standalone `Redis` or a Redis Cluster
   * client (`new Cluster(nodes)`); a client is not closed by `store.close()`.
   */
  readonly connection: string | Redis | Cluster;
  /**
   * Names the store's data: every key is `{<prefix>}:…`, the prefix being the keys' Redis Cluster
   * hash tag, so one store's keys share one slot (its scripts are atomic across endpoints) and
   * stores with different prefixes spread over the cluster. Must not contain `{` or `}`.
   * @defaultValue 'bulwark:delivery'
   */
  readonly prefix?: string | undefined;
  /**
   * Every store call settles within this many milliseconds: while Redis is unreachable,
   * stalled or not connected yet, it rejects with `delivery_store_timeout` (retryable) instead
   * of waiting in a client queue. A call that timed out may still be applied later by Redis
   * (publishing the same message id again is idempotent).
   * @defaultValue 3000
   */
  readonly deadlineMs?: number | undefined;
  /** Timers for the deadline. @defaultValue the global timers */
  readonly timers?: TimerProvider | undefined;
  /**
   * Replicas that must have a write before the calls that acknowledge something to a caller
   * (`enqueue`, so `publish()`; `saveEndpoint`, `deleteEndpoint`, `requeue`) resolve: the write
   * is followed by `WAIT <waitReplicas> <waitTimeoutMs>` on the same connection. Redis replicates
   * asynchronously, so without it a publish acknowledged by a master that dies before
   * replicating is lost in the failover; with it, it is on a replica that can be promoted. When
   * fewer replicas confirm in time the call fails with `delivery_store_unavailable` (the write
   * may still survive; publishing the same message id again is idempotent). Claims, renewals and
   * completions do not wait: losing one costs at most a repeated delivery, never a lost one.
   * Use `1` on a Redis Cluster (or a primary with replicas); `0` skips `WAIT`.
   * @defaultValue 0
   */
  readonly waitReplicas?: number | undefined;
  /** How long `WAIT` waits for `waitReplicas`, in ms. @defaultValue 500 */
  readonly waitTimeoutMs?: number | undefined;
}

/** Largest delay a Node.js timer honours. */
const MAX_TIMER_MS = 2_147_483_647;

const CHUNK = 500;

/**
 * A Redis store for fleets of workers: the same {@link DeliveryStore} contract as SQLite, with
 * every claim, completion and requeue one atomic Lua script, so any number of worker processes
 * can share one Redis. Durability is Redis's: enable AOF (`appendfsync everysec` or `always`).
 *
 * @param options - Connection and key prefix.
 * @example
 * ```ts
 * import { createRedisStore } from '@bulwark/delivery/redis';
 * const store = createRedisStore({ connection: process.env.REDIS_URL! });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): DeliveryStore {
  const deadlineMs = options.deadlineMs ?? 3_000;
  assertNumberOption('deadlineMs', deadlineMs, { min: 1, max: MAX_TIMER_MS });
  const timers = options.timers ?? systemTimers;
  const waitReplicas = options.waitReplicas ?? 0;
  assertNumberOption('waitReplicas', waitReplicas, { min: 0, max: 100, integer: true });
  const waitTimeoutMs = options.waitTimeoutMs ?? 500;
  assertNumberOption('waitTimeoutMs', waitTimeoutMs, { min: 1, max: MAX_TIMER_MS, integer: true });
  const owned = typeof options.connection === 'string';
  // Our own connection never queues a command while disconnected (ioredis' default would hold
  // it through ~20 reconnect attempts): calls wait for `ready` under the deadline instead.
  // Auto-pipelining: the calls issued in one event-loop turn (a burst of completions, a claim)
  // leave in one socket write instead of one write each.
  const redis =
    typeof options.connection === 'string'
      ? new Redis(options.connection, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          enableAutoPipelining: true,
        })
      : options.connection;
  // Connection errors surface as rejected store calls (which the dispatcher handles); without a
  // listener ioredis would also print every reconnect failure as an unhandled error event.
  if (owned) (redis as Redis).on('error', () => {});
  const prefix = options.prefix ?? 'bulwark:delivery';
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new TypeError('Expected `prefix` to be a non-empty string without `{` or `}`');
  }
  // Every key of the store carries the same hash tag: one Redis Cluster slot, so each script's
  // keys (declared or built from `p` inside it) are on the node that runs it.
  const p = `{${prefix}}`;
  // KEYS[1] routes the script to the slot's node (a Cluster client picks the node by the keys).
  // EVALSHA: the script's text (up to 2 kB) is sent, and hashed by Redis, only after a NOSCRIPT
  // (a restarted or failed-over node, SCRIPT FLUSH).
  const run = (script: string, args: ReadonlyArray<string | number>): Promise<unknown> => {
    const argv = [`${p}:d`, p, ...args.map(String)];
    return redis.evalsha(scriptSha(script), 1, ...argv).catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      return redis.eval(script, 1, ...argv);
    });
  };

  // `WAIT` blocks the connection it is sent on until the replicas answer (up to waitTimeoutMs,
  // e.g. while a promoted master has no replica yet): the writes that wait get their own
  // connection, so claims, renewals and completions never queue behind one.
  const writer = waitReplicas > 0 ? redis.duplicate() : undefined;
  writer?.on('error', () => {});
  let writerConnecting: Promise<void> | undefined;
  const writerReady = (): Promise<void> =>
    (writerConnecting ??= new Promise<void>((resolve) => {
      writer?.once('ready', () => {
        writerConnecting = undefined;
        resolve();
      });
    }));

  /**
   * Runs a write and, with `waitReplicas`, `WAIT` on the same connection (one pipeline: a Cluster
   * client sends the keyless WAIT to the node of the write's slot); resolves the write's reply
   * once enough replicas have it.
   */
  async function durable(operation: string, write: (pipeline: ChainableCommander) => ChainableCommander) {
    if (writer === undefined) {
      const [[error, reply]] = (await write(redis.pipeline()).exec()) as [[Error | null, unknown]];
      if (error) throw error;
      return reply;
    }
    if (writer.status !== 'ready') await writerReady();
    const replies = (await write(writer.pipeline()).call('WAIT', waitReplicas, waitTimeoutMs).exec()) as Array<
      [Error | null, unknown]
    >;
    for (const [error] of replies) {
      if (!error) continue;
      // A Cluster client retries a pipeline redirected by MOVED/ASK only when every command of it
      // was; the keyless WAIT is not, so the stale slot map would stay (every later write sent
      // to the old master): refresh it, and this call fails retryable.
      if (/^(MOVED|ASK) /.test(error.message)) (writer as Partial<Cluster>).refreshSlotsCache?.();
      throw error;
    }
    const acknowledged = Number(replies[1]?.[1]);
    if (!(acknowledged >= waitReplicas)) {
      throw new DeliveryError('delivery_store_unavailable', {
        detail: `${operation}: written, but ${acknowledged} of ${waitReplicas} replicas confirmed it within ${waitTimeoutMs} ms`,
      });
    }
    return replies[0]?.[1];
  }
  const runDurable = (operation: string, script: string, args: ReadonlyArray<string | number>): Promise<unknown> => {
    const argv = [`${p}:d`, p, ...args.map(String)];
    return durable(operation, (pipeline) => pipeline.evalsha(scriptSha(script), 1, ...argv)).catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      return durable(operation, (pipeline) => pipeline.eval(script, 1, ...argv));
    });
  };

  let closed = false;

  /** Runs one store call under the deadline; connection failures become typed, retryable errors. */
  async function call<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (closed || redis.status === 'end') {
      throw new DeliveryError('delivery_store_unavailable', { detail: `${operation}: the Redis connection is closed` });
    }
    let timer: TimerHandle | undefined;
    let onReady: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = timers.setTimeout(
        () =>
          reject(
            new DeliveryError('delivery_store_timeout', {
              detail: `${operation}: Redis did not answer within ${deadlineMs} ms (status ${redis.status})`,
            }),
          ),
        deadlineMs,
        { unref: true },
      );
    });
    try {
      if (redis.status !== 'ready') {
        await Promise.race([
          new Promise<void>((resolve) => {
            onReady = resolve;
            redis.once('ready', resolve);
          }),
          expired,
        ]);
      }
      return await Promise.race([
        body().catch((cause: unknown) => {
          throw storeError(operation, cause);
        }),
        expired,
      ]);
    } finally {
      if (timer !== undefined) timers.clearTimeout(timer);
      if (onReady) redis.off('ready', onReady);
    }
  }

  async function records(ids: readonly string[]): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const stored = (await redis.hmget(`${p}:d`, ...ids.slice(i, i + CHUNK))).flatMap((raw) =>
        raw ? [parseStored(raw)] : [],
      );
      const hashes = [...new Set(stored.flatMap((s) => (s.payloadHash === undefined ? [] : [s.payloadHash])))];
      const bodies = hashes.length > 0 ? await redis.hmget(`${p}:pl`, ...hashes) : [];
      const byHash = new Map(hashes.map((hash, j) => [hash, bodies[j]]));
      for (const s of stored)
        out.push(toRecord(s, s.payloadHash === undefined ? undefined : byHash.get(s.payloadHash)));
    }
    return out;
  }

  async function candidates(selector: {
    ids?: readonly string[] | undefined;
    messageId?: string | undefined;
  }): Promise<string[]> {
    if (selector.ids) return [...selector.ids];
    if (selector.messageId) return (await redis.smembers(`${p}:msg:${selector.messageId}`)).sort();
    return redis.zrange(`${p}:ids`, 0, -1);
  }

  // The publishes of one event-loop turn are written by one ENQUEUE call (durable, with WAIT when
  // asked), per CHUNK deliveries; each publish gets the ids it inserted. A delivery id published
  // twice in one batch is inserted by its first publish, as it would be one call after the other.
  const enqueues = new TickBatch<EnqueueCall, readonly string[]>(async (batch) => {
    const all = batch.flatMap((call) => call.deliveries);
    const leases = batch.flatMap((call) => call.deliveries.map(() => call.lease));
    const inserted: string[] = [];
    for (let i = 0; i < all.length; i += CHUNK) {
      const slice = all.slice(i, i + CHUNK);
      const args = encodeForEnqueue(slice, (j) => leases[i + j]);
      inserted.push(...((await runDurable('enqueue', ENQUEUE, args(0, slice.length))) as string[]));
    }
    let next = 0;
    return batch.map((call) => {
      const mine: string[] = [];
      for (const delivery of call.deliveries) {
        if (inserted[next] !== delivery.id) continue;
        mine.push(delivery.id);
        next++;
      }
      return mine;
    });
  });

  // The completions of one event-loop turn (a burst of responses) are one COMPLETE call.
  const completions = new TickBatch<CompleteCall, boolean>(async (batch) => {
    const args = batch.flatMap(({ id, leaseToken, completion: c }) => [
      id,
      leaseToken,
      c.status,
      c.nextAt,
      c.lastError === null ? '' : `:${c.lastError}`,
      c.now,
      // Without `n`: the script numbers the attempt (the delivery's total so far).
      c.attempt ? JSON.stringify({ ...c.attempt, n: undefined }) : '',
    ]);
    return ((await run(COMPLETE, args)) as number[]).map((done) => done === 1);
  });

  const calls: Omit<DeliveryStore, 'kind' | 'close'> = {
    async saveEndpoint(endpoint: EndpointRecord) {
      await durable('saveEndpoint', (pipeline) =>
        pipeline.hset(`${p}:endpoints`, endpoint.id, JSON.stringify(endpoint)),
      );
    },
    async getEndpoint(id: string) {
      const raw = await redis.hget(`${p}:endpoints`, id);
      return raw ? (JSON.parse(raw) as EndpointRecord) : undefined;
    },
    async listEndpoints() {
      const all = await redis.hvals(`${p}:endpoints`);
      return all.map((raw) => JSON.parse(raw) as EndpointRecord).sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async deleteEndpoint(id: string) {
      return Number(await durable('deleteEndpoint', (pipeline) => pipeline.hdel(`${p}:endpoints`, id))) > 0;
    },
    enqueue: (deliveries, lease) => enqueues.add({ deliveries, lease }),
    async claim({ now, leaseMs, limit, excludeEndpoints = [], maxPerEndpoint = limit, endpointCaps }) {
      if (limit <= 0) return [];
      const until = now + leaseMs;
      const token = randomUUID();
      // Whole numbers in [0, maxPerEndpoint] for the script (NaN skips the endpoint, as a cap of 0).
      const capOf = (cap: number): number => (cap >= 1 ? Math.floor(Math.min(cap, maxPerEndpoint)) : 0);
      const caps = endpointCaps ? [...endpointCaps].flatMap(([id, cap]) => [id, capOf(cap)]) : [];
      const args = [now, until, token, limit, maxPerEndpoint, caps.length / 2, ...caps, ...excludeEndpoints];
      // Pairs: the record, then its body from `<p>:pl` ('' for a record with the body inline).
      const pairs = (await run(CLAIM, args)) as string[];
      const rows: ClaimedDelivery[] = [];
      for (let i = 0; i < pairs.length; i += 2) {
        const record = toRecord(parseStored(pairs[i] as string), pairs[i + 1]);
        rows.push(leased(record, token, until));
      }
      return rows.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    },
    complete: (id, leaseToken, completion) => completions.add({ id, leaseToken, completion }),
    async renew(leases, until) {
      if (leases.length === 0) return [];
      return (await run(RENEW, [until, ...leases.flatMap((l) => [l.id, l.leaseToken])])) as string[];
    },
    async getDelivery(id: string) {
      return (await records([id]))[0];
    },
    async listDeliveries(opts: ListDeliveriesOptions = {}) {
      const limit = opts.limit ?? 100;
      const ids = opts.messageId
        ? await candidates({ messageId: opts.messageId })
        : opts.status === 'dead'
          ? (await redis.zrange(`${p}:dead`, 0, -1)).sort()
          : await redis.zrangebylex(`${p}:ids`, opts.after ? `(${opts.after}` : '-', '+');
      const out: DeliveryRecord[] = [];
      for (let i = 0; i < ids.length && out.length < limit; i += CHUNK) {
        const page = ids.slice(i, i + CHUNK).filter((id) => opts.after === undefined || id > opts.after);
        for (const record of await records(page)) {
          if (opts.status && record.status !== opts.status) continue;
          if (opts.endpointId && record.endpointId !== opts.endpointId) continue;
          if (out.length < limit) out.push(record);
        }
      }
      return out;
    },
    async listAttempts(deliveryId: string) {
      return (await redis.lrange(`${p}:att:${deliveryId}`, 0, -1)).map((raw) => {
        const attempt = JSON.parse(raw) as AttemptRecord;
        return { ...attempt, simulated: attempt.simulated === true };
      });
    },
    async requeue(selector, now) {
      if (selector.statuses.length === 0) return 0;
      const ids =
        !selector.ids && !selector.messageId && selector.statuses.length === 1 && selector.statuses[0] === 'dead'
          ? await redis.zrange(`${p}:dead`, 0, -1)
          : await candidates(selector);
      let count = 0;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const filters = [now, selector.messageId ?? '', selector.endpointId ?? '', selector.statuses.join(',')];
        count += (await runDurable('requeue', REQUEUE, [...filters, ...ids.slice(i, i + CHUNK)])) as number;
      }
      return count;
    },
    async prune({ before, limit }) {
      if (limit <= 0) return 0;
      return (await run(PRUNE, [before, limit])) as number;
    },
    async counts(): Promise<DeliveryCounts> {
      const raw = await redis.hgetall(`${p}:counts`);
      return {
        pending: Number(raw.pending ?? 0),
        inflight: Number(raw.inflight ?? 0),
        succeeded: Number(raw.succeeded ?? 0),
        dead: Number(raw.dead ?? 0),
      };
    },
    async dlqStats(): Promise<DlqStats> {
      const [byRaw, oldest] = await Promise.all([
        redis.hgetall(`${p}:deadby`),
        redis.zrange(`${p}:dead`, 0, 0, 'WITHSCORES'),
      ]);
      const byEndpoint: Record<string, number> = {};
      let size = 0;
      for (const [endpoint, n] of Object.entries(byRaw)) {
        if (Number(n) > 0) {
          byEndpoint[endpoint] = Number(n);
          size += Number(n);
        }
      }
      return { size, byEndpoint, oldestAt: oldest[1] === undefined ? null : Number(oldest[1]) };
    },
  };

  const store: Record<string, unknown> = { kind: 'redis' };
  for (const [name, method] of Object.entries(calls) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    store[name] = (...args: unknown[]) => call(name, () => method(...args));
  }
  store.close = async () => {
    if (writer && writer.status !== 'end') writer.disconnect();
    if (!owned || closed) return;
    closed = true;
    // QUIT needs a live connection; while Redis is unreachable it would wait for retries.
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  };
  return store as unknown as DeliveryStore;
}

interface EnqueueCall {
  readonly deliveries: readonly NewDelivery[];
  readonly lease: EnqueueLease | undefined;
}

interface CompleteCall {
  readonly id: string;
  readonly leaseToken: string;
  readonly completion: Completion;
}

/**
 * Replies by which Redis says it cannot serve the command now (a Cluster failing over, a
 * replica still loading, a master without the replicas it requires): outages, not refusals.
 */
const UNAVAILABLE_REPLY = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|NOREPLICAS|MOVED|ASK) /;

/** ioredis' answer to a command Redis itself refused (a script error): not a connection failure. */
function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError' && !UNAVAILABLE_REPLY.test(error.message);
}

function storeError(operation: string, cause: unknown): unknown {
  if (isReplyError(cause) || cause instanceof DeliveryError) return cause;
  return new DeliveryError('delivery_store_unavailable', {
    detail: `${operation}: Redis is unreachable`,
    cause,
  });
}
