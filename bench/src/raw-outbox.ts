import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import { Redis } from 'ioredis';

/** One delivery a raw outbox leased: its row or list entry, its id and its body. */
export interface Leased {
  readonly key: string;
  readonly id: string;
  readonly body: string;
  readonly token: string;
  readonly until: number;
}

/** The least a durable outbox must do per delivery. */
export interface RawOutboxStore {
  /** Resolves once the delivery is durable (committed). */
  insert(id: string, body: string): Promise<void>;
  /** Leases up to `n` due deliveries (expired leases included), oldest first. */
  claim(n: number, leaseMs: number): Promise<Leased[]>;
  /** Marks a leased delivery delivered, fenced by its lease; resolves once durable. */
  complete(item: Leased): Promise<void>;
  close(): Promise<void>;
}

interface BetterSqlite {
  pragma(text: string): unknown;
  exec(sql: string): unknown;
  prepare(sql: string): { run(...args: unknown[]): unknown; all(...args: unknown[]): unknown[] };
  transaction(fn: () => void): { immediate(): void };
  close(): void;
}

/**
 * A minimal SQLite outbox, the same durability as the store's (WAL, `synchronous=NORMAL`, writes
 * of one event-loop turn group-committed, each caller resolved after the commit): one row per
 * delivery, a lease (token, expiry) taken per claim by one read of the due rows and an update
 * of each by rowid in the same transaction, a fenced completion. No endpoints, attempt history, payload sharing or metrics.
 */
export function rawSqliteOutbox(path: string, requireFrom: string): RawOutboxStore {
  const Database = createRequire(requireFrom)('better-sqlite3') as new (path: string) => BetterSqlite;
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, body TEXT NOT NULL, state INTEGER NOT NULL,
             next_at INTEGER NOT NULL, token TEXT);
           CREATE INDEX outbox_queue ON outbox (next_at) WHERE state IN (0, 1);`);
  const insert = db.prepare('INSERT INTO outbox (id, body, state, next_at) VALUES (?, ?, 0, ?)');
  // Read, then leased row by row in the same transaction, as the store does: an UPDATE … RETURNING
  // of the same rows costs ~2x (SQLite runs RETURNING through an ephemeral table per execution).
  const due = db.prepare(
    'SELECT seq, id, body FROM outbox WHERE state IN (0, 1) AND next_at <= ? ORDER BY next_at LIMIT ?',
  );
  const lease = db.prepare('UPDATE outbox SET state = 1, next_at = ?, token = ? WHERE seq = ?');
  const complete = db.prepare('UPDATE outbox SET state = 2, token = NULL WHERE seq = ? AND token = ? AND state = 1');
  type Queued = { write: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };
  let queue: Queued[] = [];
  const flush = (): void => {
    const writes = queue;
    queue = [];
    const results: unknown[] = [];
    try {
      db.transaction(() => {
        for (const w of writes) results.push(w.write());
      }).immediate();
    } catch (error) {
      // A claim the worker issued as the bench closed the database.
      for (const w of writes) w.reject(error);
      return;
    }
    writes.forEach((w, i) => {
      w.resolve(results[i]);
    });
  };
  const run = <T>(write: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
  return {
    insert: async (id, body) => {
      await run(() => insert.run(id, body, Date.now()));
    },
    claim: (n, leaseMs) => {
      const now = Date.now();
      const until = now + leaseMs;
      const token = randomUUID();
      return run(() =>
        (due.all(now, n) as Array<{ seq: number; id: string; body: string }>).map((row) => {
          lease.run(until, token, row.seq);
          return { key: String(row.seq), id: row.id, body: row.body, token, until };
        }),
      );
    },
    complete: async (item) => {
      await run(() => complete.run(Number(item.key), item.token));
    },
    close: async () => db.close(),
  };
}

/** Leases up to ARGV[1] entries: expired leases first, then the queue's head; one ZADD scores them ARGV[3]. */
const CLAIM = `
local n = tonumber(ARGV[1])
local out = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, n)
if #out < n then
  local fresh = redis.call('LPOP', KEYS[1], n - #out)
  if fresh then for _, item in ipairs(fresh) do out[#out + 1] = item end end
end
local leases = {}
for _, item in ipairs(out) do
  leases[#leases + 1] = ARGV[3]
  leases[#leases + 1] = item
end
if #leases > 0 then redis.call('ZADD', KEYS[2], unpack(leases)) end
return out`;
/** Completes each (entry, lease) pair of ARGV only while the entry's lease (score) is still the caller's; 1 or 0 each. */
const COMPLETE = `
local out = {}
for i = 1, #ARGV, 2 do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    out[#out + 1] = redis.call('ZREM', KEYS[1], ARGV[i])
  else
    out[#out + 1] = 0
  end
end
return out`;

/**
 * The calls of one event-loop turn as one `flush(items)` at its end (`setImmediate`), each caller
 * resolved once the batch's write answered, as the store batches its publishes and completions.
 */
function tickBatch<T>(flush: (items: T[]) => Promise<unknown>): (item: T) => Promise<void> {
  let items: T[] = [];
  let waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  const run = (): void => {
    const batch = items;
    const settle = waiters;
    items = [];
    waiters = [];
    flush(batch).then(
      () => {
        for (const w of settle) w.resolve();
      },
      (error: unknown) => {
        for (const w of settle) w.reject(error);
      },
    );
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      if (items.length === 0) setImmediate(run);
      items.push(item);
      waiters.push({ resolve, reject });
    });
}

/**
 * A minimal Redis outbox on one auto-pipelined connection, the same durability as the store's
 * (Redis's own): the publishes of one event-loop turn as one `RPUSH`, a script per claim that
 * leases (a sorted set scored by expiry; expired leases are taken first), the completions of one
 * turn as one script call, each fenced by its lease. No endpoints, attempt history, payload
 * sharing or counters.
 */
export function rawRedisOutbox(url: string, prefix: string): RawOutboxStore {
  const redis: RedisClient = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
  const keys = { queue: `${prefix}:q`, leases: `${prefix}:l` };
  redis.defineCommand('rawClaim', { numberOfKeys: 2, lua: CLAIM });
  redis.defineCommand('rawComplete', { numberOfKeys: 1, lua: COMPLETE });
  const commands = redis as unknown as {
    rawClaim(q: string, l: string, n: number, now: number, until: number): Promise<string[]>;
    rawComplete(l: string, ...pairs: Array<string | number>): Promise<number[]>;
  };
  const insert = tickBatch<string>((entries) => redis.rpush(keys.queue, ...entries));
  const complete = tickBatch<Leased>((items) =>
    commands.rawComplete(keys.leases, ...items.flatMap((item) => [item.key, item.until])),
  );
  return {
    insert: (id, body) => insert(`${id}\n${body}`),
    claim: async (n, leaseMs) => {
      const now = Date.now();
      const until = now + leaseMs;
      const items = await commands.rawClaim(keys.queue, keys.leases, n, now, until);
      return items.map((item) => {
        const cut = item.indexOf('\n');
        return { key: item, id: item.slice(0, cut), body: item.slice(cut + 1), token: String(until), until };
      });
    },
    complete,
    close: async () => {
      await redis.del(keys.queue, keys.leases);
      redis.disconnect();
    },
  };
}

/**
 * The worker of a raw outbox: up to `concurrency` signed POSTs in flight, deliveries leased ahead
 * in batches (claims again when a quarter of `prefetch` is left), each slot held until its
 * completion is durable, as the dispatcher does. Signs as Standard Webhooks does (HMAC-SHA256 of
 * `id.timestamp.body`, `webhook-*` headers).
 */
export function rawOutboxWorker(
  store: RawOutboxStore,
  post: (headers: Record<string, string>, body: string) => Promise<void>,
  { concurrency, prefetch, leaseMs = 30_000 }: { concurrency: number; prefetch: number; leaseMs?: number },
): { wake(): void } {
  const secret = randomBytes(32);
  const queued: Leased[] = [];
  let running = 0;
  let claiming = false;
  let again = false;
  const start = (): void => {
    while (running < concurrency && queued.length > 0) {
      const item = queued.shift() as Leased;
      running++;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', secret).update(`${item.id}.${timestamp}.${item.body}`).digest('base64');
      const headers = {
        'content-type': 'application/json',
        'webhook-id': item.id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      };
      post(headers, item.body)
        .then(() => store.complete(item))
        .finally(() => {
          running--;
          start();
          wake();
        })
        // Only after the bench closed the store (a completion or claim then fails); the receiver counts deliveries.
        .catch(() => {});
    }
  };
  const wake = (): void => {
    if (claiming) {
      again = true;
      return;
    }
    const room = concurrency + prefetch - running - queued.length;
    if (room <= 0 || (running >= concurrency && queued.length > prefetch / 4)) return;
    claiming = true;
    again = false;
    store
      .claim(room, leaseMs)
      .then((items) => {
        queued.push(...items);
        start();
        claiming = false;
        if (again || items.length === room) wake();
      })
      .catch(() => {
        claiming = false;
      });
  };
  return { wake };
}
