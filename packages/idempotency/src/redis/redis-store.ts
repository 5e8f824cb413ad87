import { createHash } from 'node:crypto';
import type { BeginOutcome, BeginRequest, CompleteRequest, IdempotencyStore } from '../store.js';
import { BEGIN_SCRIPT, COMPLETE_SCRIPT, RELEASE_SCRIPT } from './scripts.js';

/**
 * The part of an ioredis `Redis` (or `Cluster`) client the store uses; any client with these
 * methods works. No ioredis import: the store never loads it.
 */
export interface RedisScriptClient {
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  readonly options?: { readonly enableOfflineQueue?: boolean | undefined } | undefined;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * A connected client created with `enableOfflineQueue: false` (so a disconnected Redis fails
   * fast instead of queueing) — e.g. `new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })`.
   */
  readonly client: RedisScriptClient;
  /** Prefix of every key, before the `{…}` hash tag; must not contain braces. @defaultValue 'idem:' */
  readonly prefix?: string | undefined;
}

/** The Redis {@link IdempotencyStore}. */
export interface RedisStore extends IdempotencyStore {
  readonly name: 'redis';
  /** The Redis key holding a storage key's record: `<prefix>{<hex>}`. */
  keyFor(key: string): string;
}

const sha1 = (script: string): string => createHash('sha1').update(script).digest('hex');
const SCRIPTS = {
  begin: { source: BEGIN_SCRIPT, sha: sha1(BEGIN_SCRIPT) },
  complete: { source: COMPLETE_SCRIPT, sha: sha1(COMPLETE_SCRIPT) },
  release: { source: RELEASE_SCRIPT, sha: sha1(RELEASE_SCRIPT) },
} as const;

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function bad(reply: unknown): never {
  throw new TypeError(`Unexpected reply from the idempotency script: ${typeof reply}`);
}

function parseBegin(reply: unknown): BeginOutcome {
  if (!Array.isArray(reply)) bad(reply);
  const [kind, a, b] = reply as unknown[];
  if (kind === 0) return { status: 'acquired', recovered: a === 1 };
  if (typeof a !== 'string') bad(reply);
  if (kind === 1 && typeof b === 'string') return { status: 'in_progress', fingerprint: a, lockExpiresAt: Number(b) };
  if (kind === 2 && typeof b === 'string') return { status: 'completed', fingerprint: a, result: b };
  return bad(reply);
}

/**
 * Creates a Redis store. Each operation is one `EVALSHA` of a Lua script (falling back to `EVAL`
 * after `NOSCRIPT`), so a claim reads and takes the lock atomically and a replay costs one round
 * trip. A record is one hash at `<prefix>{<hex>}`, where `<hex>` is the SHA-256 storage key:
 * the hash tag is always present and brace-free whatever the caller's key, so in Redis Cluster
 * each key's record maps to one slot. Pair it with the idempotency's `deadlineMs`: a stalled
 * Redis then fails closed (503) instead of running the operation twice.
 *
 * @throws {TypeError} when the client queues commands while disconnected or the prefix has a brace.
 * @example
 * ```ts
 * import { createRedisStore } from '@bulwark/idempotency/redis';
 * const client = new Redis(process.env.REDIS_URL ?? '', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * const idempotency = createIdempotency({ store: createRedisStore({ client }), deadlineMs: 250 });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { client } = options;
  if (typeof client?.evalsha !== 'function' || typeof client.eval !== 'function') {
    throw new TypeError('Expected `client` to be an ioredis client (evalsha and eval)');
  }
  if (client.options?.enableOfflineQueue !== false) {
    throw new TypeError(
      'Expected `client.options.enableOfflineQueue` to be false: a queued command waits for the reconnect instead of failing fast',
    );
  }
  const prefix = options.prefix ?? 'idem:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new TypeError('Expected `prefix` to be a string without `{` or `}`');
  }
  const keyFor = (key: string): string => `${prefix}{${key}}`;

  function run(script: { source: string; sha: string }, key: string, args: Array<string | number>): Promise<unknown> {
    const redisKey = keyFor(key);
    return client.evalsha(script.sha, 1, redisKey, ...args).catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      return client.eval(script.source, 1, redisKey, ...args);
    });
  }

  return Object.freeze({
    name: 'redis' as const,
    keyFor,
    begin: (r: BeginRequest) =>
      run(SCRIPTS.begin, r.key, [r.fingerprint, r.token, r.now, r.lockExpiresAt]).then(parseBegin),
    complete: (r: CompleteRequest) =>
      run(SCRIPTS.complete, r.key, [r.token, r.result, r.now, r.expiresAt]).then((reply) => reply === 1),
    release: (key: string, token: string) => run(SCRIPTS.release, key, [token]).then(() => undefined),
  });
}
