import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdempotency, createMemoryStore, type IdempotencyStore, withIdempotency } from '@bulwark/idempotency';
import { createRedisStore } from '@bulwark/idempotency/redis';
import { createSqliteStore } from '@bulwark/idempotency/sqlite';
import { Redis } from 'ioredis';
import type { BenchCase, BenchSuite } from '../suite.js';

const BODY = JSON.stringify({ amount: 4200, currency: 'eur', customer: 'cus_123', description: 'x'.repeat(200) });
const noop = (): void => {};
let sequence = 0;

function request(key: string): Request {
  return new Request('http://api.test/charges', {
    method: 'POST',
    body: BODY,
    headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` },
  });
}

/** The bare handler every subject wraps: what a request costs without idempotency. */
const handler = (req: Request): Response =>
  new Response(JSON.stringify({ id: 'ch_1', path: new URL(req.url).pathname }), {
    status: 201,
    headers: { 'content-type': 'application/json', location: '/charges/ch_1' },
  });

const cleanups: Array<() => void | Promise<void>> = [];

async function redisClient(): Promise<Redis> {
  const client = new Redis(process.env.REDIS_URL as string, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on('error', noop);
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  cleanups.push(() => client.disconnect());
  return client;
}

/** One case per store: a bare handler (floor) vs the wrapped handler on a new key and on a replay. */
async function httpCase(name: string, store: IdempotencyStore): Promise<BenchCase> {
  const fetch = withIdempotency(createIdempotency({ store }), handler);
  const replayKey = `replay-${name}-${Date.now()}`;
  await fetch(request(replayKey));
  return {
    name: `HTTP POST, ${name} store`,
    subjects: [
      { name: 'bare handler (floor)', floor: true, fn: () => handler(request('k')) },
      { name: `withIdempotency ${name}: new key (claim + store)`, fn: () => fetch(request(`k${sequence++}`)) },
      { name: `withIdempotency ${name}: replay`, fn: () => fetch(request(replayKey)) },
    ],
  };
}

/** Redis commands per request, counted by the server (INFO commandstats after CONFIG RESETSTAT). */
async function redisRoundTrips(client: Redis): Promise<void> {
  const admin = await redisClient();
  const fetch = withIdempotency(
    createIdempotency({ store: createRedisStore({ client, prefix: 'bench-rt:' }) }),
    handler,
  );
  const key = `rt-${Date.now()}`;
  await fetch(request(`${key}-warm`));
  const count = async (label: string, run: () => Promise<unknown>, n: number): Promise<void> => {
    await admin.config('RESETSTAT');
    for (let i = 0; i < n; i++) await run();
    const info = await admin.info('commandstats');
    const calls = [...info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/gm)]
      .filter(([, command]) => command !== 'config' && command !== 'info')
      .map(([, command, n2, usec]) => ({ command, calls: Number(n2), usec: Number(usec) }));
    // Round trips are the commands the client sent (EVALSHA/EVAL); the others ran inside the scripts.
    const trips = calls.filter((c) => c.command === 'evalsha' || c.command === 'eval');
    const roundTrips = trips.reduce((sum, c) => sum + c.calls, 0);
    const usec = trips.reduce((sum, c) => sum + c.usec, 0);
    console.log(
      `Redis ${label}: ${(roundTrips / n).toFixed(2)} round trips per request (${trips.map((c) => `${c.command}=${c.calls}`).join(', ')}), ${(usec / n).toFixed(1)} µs of Redis time per request`,
    );
  };
  await count('new key', () => fetch(request(`${key}-${sequence++}`)), 1_000);
  await fetch(request(key));
  await count('replay', () => fetch(request(key)), 1_000);
}

export const suite: BenchSuite = {
  name: 'idempotency',
  description:
    'per-request overhead of withIdempotency (memory, SQLite, Redis) over a bare fetch handler, new key vs replay; Redis commands per request',
  async cases() {
    const dir = mkdtempSync(join(tmpdir(), 'bench-idem-'));
    const sqlite = createSqliteStore({ path: join(dir, 'idempotency.db') });
    cleanups.push(() => {
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const redis = await redisClient();
    await redisRoundTrips(redis);
    const core = createIdempotency({ store: createMemoryStore() });
    const op = () => 42;
    await core.run('core-replay', op);
    return [
      {
        name: 'core run(), memory store',
        subjects: [
          { name: 'await operation (floor)', floor: true, fn: async () => op() },
          { name: 'run: new key', fn: () => core.run(`c${sequence++}`, op) },
          { name: 'run: replay', fn: () => core.run('core-replay', op) },
        ],
      },
      await httpCase('memory', createMemoryStore()),
      await httpCase('sqlite', sqlite),
      await httpCase('redis', createRedisStore({ client: redis, prefix: 'bench-idem:' })),
    ];
  },
  async dispose() {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  },
};
