import { assertNumberOption } from '@bulwark/core';
import type { BeginOutcome, BeginRequest, CompleteRequest, IdempotencyStore } from './store.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most records kept. Past it, the least recently used record that is not a live lock is
   * evicted (expired records go first); when every record is a live lock, new claims fail
   * (the idempotency answers `idempotency_store_unavailable`) rather than dropping a lock.
   * @defaultValue 10000
   */
  readonly maxEntries?: number | undefined;
}

/** The in-process {@link IdempotencyStore}: bounded, LRU, edge-safe. */
export interface MemoryStore extends IdempotencyStore {
  readonly name: 'memory';
  /** Records currently held (live or not yet swept). */
  readonly size: number;
}

interface Entry {
  completed: boolean;
  fingerprint: string;
  token: string;
  result: string;
  /** In progress: when the lock expires; completed: when the result expires. */
  expiresAt: number;
}

/** Entries checked for expiry from the LRU end on every claim: keeps sweeping O(1). */
const SWEEP_PER_CLAIM = 2;

/**
 * Creates an in-memory store for one process (or one edge isolate): a `Map` in LRU order,
 * bounded by `maxEntries`, that sweeps expired records as it goes. Records do not survive a
 * restart and are not shared between processes: use the SQLite or Redis store for that.
 *
 * @param options - Capacity.
 * @throws {RangeError} when `maxEntries` is not a positive integer.
 * @example
 * ```ts
 * const idempotency = createIdempotency({ store: createMemoryStore({ maxEntries: 50_000 }) });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxEntries = options.maxEntries ?? 10_000;
  assertNumberOption('maxEntries', maxEntries, { min: 1, integer: true });
  const entries = new Map<string, Entry>();

  function sweep(now: number): void {
    let checked = 0;
    for (const [key, entry] of entries) {
      if (checked++ >= SWEEP_PER_CLAIM) break;
      if (entry.expiresAt <= now) entries.delete(key);
    }
  }

  function evictOne(now: number): boolean {
    for (const [key, entry] of entries) {
      if (entry.completed || entry.expiresAt <= now) {
        entries.delete(key);
        return true;
      }
    }
    return false;
  }

  function begin(request: BeginRequest): BeginOutcome {
    const { key, now } = request;
    const found = entries.get(key);
    sweep(now);
    if (found && found.expiresAt > now) {
      entries.delete(key);
      entries.set(key, found);
      return found.completed
        ? { status: 'completed', fingerprint: found.fingerprint, result: found.result }
        : { status: 'in_progress', fingerprint: found.fingerprint, lockExpiresAt: found.expiresAt };
    }
    const recovered = found !== undefined && !found.completed;
    entries.delete(key);
    if (entries.size >= maxEntries && !evictOne(now)) {
      throw new Error(`memory idempotency store is full: ${maxEntries} live locks`);
    }
    entries.set(key, {
      completed: false,
      fingerprint: request.fingerprint,
      token: request.token,
      result: '',
      expiresAt: request.lockExpiresAt,
    });
    return { status: 'acquired', recovered };
  }

  function owned(key: string, token: string): Entry | undefined {
    const entry = entries.get(key);
    return entry && !entry.completed && entry.token === token ? entry : undefined;
  }

  const store = {
    name: 'memory' as const,
    begin: (request: BeginRequest) => Promise.resolve().then(() => begin(request)),
    complete(request: CompleteRequest): Promise<boolean> {
      const entry = owned(request.key, request.token);
      if (!entry || entry.expiresAt <= request.now) return Promise.resolve(false);
      entry.completed = true;
      entry.result = request.result;
      entry.expiresAt = request.expiresAt;
      return Promise.resolve(true);
    },
    release(key: string, token: string): Promise<void> {
      if (owned(key, token)) entries.delete(key);
      return Promise.resolve();
    },
  };
  // Not a getter in the literal: V8 builds such a literal in dictionary mode, where each call of
  // `store.begin` is a hash lookup the optimizer cannot inline.
  Object.defineProperty(store, 'size', { get: () => entries.size, enumerable: true, configurable: true });
  return Object.freeze(store) as MemoryStore;
}
