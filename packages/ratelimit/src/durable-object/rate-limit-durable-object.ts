import { type Clock, systemClock } from '@bulwark/core';
import { decideRecord, type KeyRecord, recordKey } from './key-state.js';
import { DEADLINE_STATUS, ProtocolError, parseRequest } from './protocol.js';
import type { DurableObjectStateLike, DurableObjectStorageLike } from './types.js';

/** Options of {@link RateLimitDurableObject} beyond what the Workers runtime passes. */
export interface RateLimitDurableObjectOptions {
  /** Wall clock (epoch ms) the algorithms and deadlines use. Default: the system clock. */
  readonly clock?: Clock | undefined;
}

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

function isRecord(value: unknown): value is KeyRecord {
  return typeof value === 'object' && value !== null && typeof (value as KeyRecord).expiresAt === 'number';
}

/**
 * The Durable Object that holds rate-limit state for the keys routed to it by
 * `createDurableObjectStore`. Bind it in `wrangler.toml` and re-export it from your Worker's
 * entry module. Each request decides every policy of one key atomically: requests are handled
 * strictly one after another (a promise chain, on top of the runtime's single thread and input
 * gates), each reads the key's record from storage, runs the package's algorithm steps and
 * writes the new record before the next one starts. A decision that arrives after the caller's
 * deadline consumes nothing and answers 408. Spent records are deleted by an alarm.
 *
 * @example
 * ```ts
 * // The runtime constructs it: re-export the class from the Worker's entry module and bind it
 * // (`[[durable_objects.bindings]] name = "RATE_LIMITER"`, `class_name = "RateLimitDurableObject"`).
 * const object = new RateLimitDurableObject(state, env);
 * const answer = await object.fetch(request);
 * ```
 */
export class RateLimitDurableObject {
  readonly #storage: DurableObjectStorageLike;
  readonly #clock: Clock;
  #tail: Promise<unknown> = Promise.resolve();
  #alarmAt: number | undefined;

  /**
   * @param state - The object's state, from the runtime.
   * @param _env - The Worker's bindings (unused).
   * @param options - `clock` (for tests; the runtime passes only `state` and `env`).
   */
  constructor(state: DurableObjectStateLike, _env?: unknown, options: RateLimitDurableObjectOptions = {}) {
    this.#storage = state.storage;
    this.#clock = options.clock ?? systemClock;
  }

  /** Handles one `decide` or `reset` request of the store (JSON body); anything else is a 400. */
  async fetch(request: Request): Promise<Response> {
    let parsed: ReturnType<typeof parseRequest>;
    try {
      parsed = parseRequest(await request.json());
    } catch (error) {
      const message = error instanceof ProtocolError ? error.message : 'request body must be JSON';
      return json(400, { error: 'bad_request', message });
    }
    const run = this.#tail.then(() => this.#handle(parsed));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Deletes spent records and schedules itself for the next expiry. */
  async alarm(): Promise<void> {
    const now = this.#clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [key, value] of await this.#storage.list()) {
      const expiresAt = isRecord(value) ? value.expiresAt : 0;
      if (expiresAt <= now) await this.#storage.delete(key);
      else next = Math.min(next, expiresAt);
    }
    this.#alarmAt = undefined;
    if (next !== Number.POSITIVE_INFINITY) await this.#schedule(next);
  }

  async #schedule(at: number): Promise<void> {
    if (this.#alarmAt !== undefined && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    await this.#storage.setAlarm(at);
  }

  async #handle(request: ReturnType<typeof parseRequest>): Promise<Response> {
    const storageKey = recordKey(request.key, request.policies);
    if (request.op === 'reset') {
      await this.#storage.delete(storageKey);
      return json(200, { ok: true });
    }
    const stored = await this.#storage.get(storageKey);
    const now = this.#clock.now();
    if (request.deadline !== undefined && now > request.deadline) {
      return json(DEADLINE_STATUS, { error: 'store_timeout' });
    }
    const decided = decideRecord(isRecord(stored) ? stored : undefined, request.policies, request.cost, now);
    if (decided.record !== undefined) {
      await this.#storage.put(storageKey, decided.record);
      await this.#schedule(decided.record.expiresAt);
    }
    return json(200, { outcomes: decided.outcomes });
  }
}
