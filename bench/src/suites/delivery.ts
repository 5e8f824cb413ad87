import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDispatcher, type DeliveryStore, type Dispatcher } from '@bulwark/delivery';
import { createRedisStore } from '@bulwark/delivery/redis';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { Queue, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { type RawOutboxStore, rawOutboxWorker, rawRedisOutbox, rawSqliteOutbox } from '../raw-outbox.js';
import { redisServerCpuUs } from '../redis-cpu.js';
import { median, perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

// undici is a dependency of @bulwark/delivery, not of the bench package: load the same copy.
const deliveryDir = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/delivery');
interface UndiciLike {
  Agent: new (options: { connections: number }) => { close(): Promise<void> };
  request(
    url: string,
    options: Record<string, unknown>,
  ): Promise<{ statusCode: number; body: { text(): Promise<string> } }>;
}

const BATCH = 200;
const CONCURRENCY = 16;
/**
 * Interleaved rounds: every subject once per round, so load drift shows as spread between rounds
 * (BENCH_ROUNDS overrides). A warmup round runs first and is left out of the ratios: in the
 * first round of earlier runs the floor ran at a sixth of its later rate (JIT, connection pools,
 * SQLite page cache), which made that round's ratios meaningless.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARMUP_CASE = 'deliver 200 [warmup round, not counted]';
/** Iterations (of 200 deliveries) per subject and round. */
const ITERATIONS = 12;
const CASE = `deliver ${BATCH}`;

const FLOOR = 'raw undici POST loop (floor)';
const SQLITE = '@bulwark/delivery + SQLite (WAL)';
const REDIS = '@bulwark/delivery + Redis';
const BULLMQ = 'BullMQ queue + worker (peer)';
const SQLITE_BOUND = 'no-HTTP bound: SQLite, simulated transport';
const REDIS_BOUND = 'no-HTTP bound: Redis, simulated transport';
const SQLITE_RAW = 'bound: minimal durable outbox, SQLite';
const REDIS_RAW = 'bound: minimal durable outbox, Redis';

/** Percentile of a sorted array. */
const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

let server: Server | undefined;
let dir: string | undefined;
const closers: Array<() => Promise<void>> = [];
const latencies = new Map<string, number[]>();
/** 1-minute load averages at the start and the end of the run (the VM is shared). */
const loads: number[] = [];

/**
 * CPU per delivery of each subject, per iteration of 200: this process (client, receiver and
 * subject, every thread: V8's GC and compiler threads too) and, with REDIS_URL, redis-server.
 * Sampled in `beforeEach` (outside the timed function): the difference between two consecutive
 * samples of the same subject is one iteration.
 */
const cpu = new Map<string, { node: number[]; redis: number[] }>();
let lastSample: { subject: string; node: number; redis: number } | undefined;
let redisInfo: Redis | undefined;

/** `subject` with a CPU sample before each of its iterations. */
function metered(subject: BenchSubject): BenchSubject {
  return {
    ...subject,
    beforeEach: async () => {
      const redis = redisInfo ? await redisServerCpuUs(redisInfo) : 0;
      const usage = process.cpuUsage();
      const node = usage.user + usage.system;
      if (lastSample?.subject === subject.name) {
        const entry = cpu.get(subject.name) ?? { node: [], redis: [] };
        entry.node.push((node - lastSample.node) / BATCH);
        entry.redis.push((redis - lastSample.redis) / BATCH);
        cpu.set(subject.name, entry);
      }
      lastSample = { subject: subject.name, node, redis };
    },
  };
}

/**
 * Deliveries/s to a local receiver on loopback: a raw undici POST loop (the floor, 16 in
 * parallel) against `@bulwark/delivery` through the durable SQLite store (publish → outbox →
 * leased worker → signed POST → completion) and, when `REDIS_URL` is set, the Redis store and
 * the peer, a BullMQ queue + worker; 200 webhooks per iteration, published by 200 concurrent
 * producers. Prints p50/p99 enqueue-to-delivery latency per subject.
 */
export const suite: BenchSuite = {
  name: 'delivery',
  description: `deliver ${BATCH} webhooks to 127.0.0.1: raw undici POST loop (floor) vs @bulwark/delivery (SQLite outbox; Redis and BullMQ when REDIS_URL is set)`,
  async cases() {
    const undici = (await import(
      pathToFileURL(createRequire(join(deliveryDir, 'package.json')).resolve('undici')).href
    )) as UndiciLike;
    const publishedAt = new Map<string, number>();
    let pending = 0;
    let wake: (() => void) | undefined;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = req.headers['webhook-id'];
        if (typeof id === 'string') {
          const at = publishedAt.get(id);
          if (at !== undefined) {
            const store = id.slice(0, id.indexOf('_'));
            const list = latencies.get(store) ?? [];
            list.push(performance.now() - at);
            latencies.set(store, list);
            publishedAt.delete(id);
          }
        }
        res.writeHead(204).end();
        if (--pending <= 0) wake?.();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const agent = new undici.Agent({ connections: CONCURRENCY });
    closers.push(() => agent.close());

    async function rawLoop(): Promise<void> {
      let next = 0;
      const body = JSON.stringify({ type: 'bench.event', timestamp: new Date().toISOString(), data: { n: 1 } });
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next++ < BATCH) {
            const response = await undici.request(url, {
              method: 'POST',
              body,
              dispatcher: agent,
              headers: { 'content-type': 'application/json' },
            });
            await response.body.text();
          }
        }),
      );
    }

    dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-delivery-'));
    let sequence = 0;
    /**
     * `@bulwark/delivery` on `store`. Simulated (`real: false`): the same publishes, claims,
     * signatures and completions with no HTTP exchange, counted by the dispatcher's `attempt`
     * events; its rate is the store-and-dispatcher bound of the real subject.
     */
    async function durableSubject(name: string, store: DeliveryStore, real = true): Promise<() => Promise<void>> {
      const dispatcher: Dispatcher = createDispatcher({
        store,
        real,
        egress: { allow: ['127.0.0.1'], allowHttp: true },
        concurrency: CONCURRENCY,
        maxInflightPerEndpoint: CONCURRENCY,
        pollIntervalMs: 50,
      });
      if (!real) {
        dispatcher.on('attempt', (event) => {
          if (event.outcome !== 'succeeded') return;
          const at = publishedAt.get(event.messageId);
          if (at !== undefined) {
            const list = latencies.get(name) ?? [];
            list.push(performance.now() - at);
            latencies.set(name, list);
            publishedAt.delete(event.messageId);
          }
          if (--pending <= 0) wake?.();
        });
      }
      closers.push(async () => {
        await dispatcher.close({ deadlineMs: 1_000 });
        await store.close();
      });
      await dispatcher.endpoints.create({ id: `bench-${name}`, url });
      dispatcher.start();
      return async () => {
        pending = BATCH;
        const done = new Promise<void>((resolve) => {
          wake = resolve;
        });
        // 200 concurrent producers (request handlers), each awaiting its own durable publish.
        await Promise.all(
          Array.from({ length: BATCH }, async (_, i) => {
            const id = `${name}_${sequence++}`;
            publishedAt.set(id, performance.now());
            await dispatcher.publish({ type: 'bench.event', payload: { i }, id });
          }),
        );
        await done;
      };
    }
    /**
     * A bound: the least the row's semantics take per delivery, written by hand on the same
     * store — a durable insert before the producer's await resolves, a lease taken in batches, a
     * Standard Webhooks HMAC signature, the POST, a fenced durable completion before the slot
     * frees (16 in flight, 16 leased ahead). No endpoint registry, SSRF check, breaker, rate
     * limiter, retry schedule, attempt history, payload sharing, events or metrics.
     */
    function rawOutboxSubject(name: string, store: RawOutboxStore): () => Promise<void> {
      closers.push(() => store.close());
      const worker = rawOutboxWorker(
        store,
        async (headers, body) => {
          const response = await undici.request(url, { method: 'POST', body, dispatcher: agent, headers });
          await response.body.text();
          if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}`);
        },
        { concurrency: CONCURRENCY, prefetch: CONCURRENCY },
      );
      return async () => {
        pending = BATCH;
        const done = new Promise<void>((resolve) => {
          wake = resolve;
        });
        await Promise.all(
          Array.from({ length: BATCH }, async (_, i) => {
            const id = `${name}_${sequence++}`;
            publishedAt.set(id, performance.now());
            const body = JSON.stringify({ type: 'bench.event', timestamp: new Date().toISOString(), data: { i } });
            await store.insert(id, body);
            worker.wake();
          }),
        );
        await done;
      };
    }
    const subjects: BenchSubject[] = [
      { name: FLOOR, floor: true, fn: rawLoop },
      { name: SQLITE, fn: await durableSubject('sqlite', createSqliteStore({ path: join(dir, 'bench.db') })) },
      {
        name: SQLITE_BOUND,
        fn: await durableSubject('sqlitesim', createSqliteStore({ path: join(dir, 'bound.db') }), false),
      },
      {
        name: SQLITE_RAW,
        fn: rawOutboxSubject('sqliteraw', rawSqliteOutbox(join(dir, 'raw.db'), join(deliveryDir, 'package.json'))),
      },
    ];
    const redisUrl = process.env.REDIS_URL;
    if (redisUrl) {
      redisInfo = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      closers.push(async () => {
        redisInfo?.disconnect();
      });
      const prefix = `bulwark-bench:${Date.now()}`;
      subjects.push({
        name: REDIS,
        fn: await durableSubject('redis', createRedisStore({ connection: redisUrl, prefix })),
      });
      subjects.push({
        name: REDIS_BOUND,
        fn: await durableSubject(
          'redissim',
          createRedisStore({ connection: redisUrl, prefix: `${prefix}:sim` }),
          false,
        ),
      });
      subjects.push({ name: REDIS_RAW, fn: rawOutboxSubject('redisraw', rawRedisOutbox(redisUrl, `${prefix}:raw`)) });
      subjects.push({ name: BULLMQ, fn: bullmqSubject(redisUrl, prefix) });
    }
    const seeds = process.env.REDIS_CLUSTER_NODES;
    if (seeds) {
      const nodes = seeds
        .split(',')
        .map((seed) => ({ host: seed.split(':')[0] as string, port: Number(seed.split(':')[1]) }));
      const cluster = new Cluster(nodes, { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 } });
      cluster.on('error', () => {});
      await new Promise((resolve) => cluster.once('ready', resolve));
      closers.push(async () => cluster.disconnect());
      const prefix = `bulwark-bench-cluster:${Date.now()}`;
      subjects.push({
        name: '@bulwark/delivery + Redis Cluster',
        fn: await durableSubject('cluster', createRedisStore({ connection: cluster, prefix })),
      });
      subjects.push({
        name: '@bulwark/delivery + Redis Cluster, waitReplicas 1',
        fn: await durableSubject(
          'cluster-wait',
          createRedisStore({ connection: cluster, prefix: `${prefix}:w`, waitReplicas: 1 }),
        ),
      });
    }

    /**
     * The peer: a BullMQ queue whose worker (same concurrency) POSTs each job's body with
     * undici; 200 jobs added with one addBulk, like a producer that batches its events.
     */
    function bullmqSubject(redisUrl: string, prefix: string): () => Promise<void> {
      const { hostname, port } = new URL(redisUrl);
      const connection = { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
      const queue = new Queue('bench-webhooks', { connection, prefix: `${prefix}:bullmq` });
      const worker = new Worker(
        'bench-webhooks',
        async (job) => {
          const response = await undici.request(url, {
            method: 'POST',
            body: job.data.body as string,
            dispatcher: agent,
            headers: { 'content-type': 'application/json', 'webhook-id': job.data.id as string },
          });
          await response.body.text();
          if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}`);
        },
        { connection, prefix: `${prefix}:bullmq`, concurrency: CONCURRENCY },
      );
      closers.push(async () => {
        await worker.close();
        await queue.obliterate({ force: true });
        await queue.close();
      });
      return async () => {
        pending = BATCH;
        const done = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const jobs = Array.from({ length: BATCH }, (_, i) => {
          const id = `bullmq_${sequence++}`;
          publishedAt.set(id, performance.now());
          const body = JSON.stringify({ type: 'bench.event', timestamp: new Date().toISOString(), data: { i } });
          return {
            name: 'bench.event',
            data: { id, body },
            opts: { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true },
          };
        });
        await queue.addBulk(jobs);
        await done;
      };
    }

    loads.push(loadavg()[0] as number);
    const measured = subjects.map(metered);
    return [
      { name: WARMUP_CASE, subjects: measured, iterations: ITERATIONS / 2, warmupIterations: 2 },
      ...Array.from(
        { length: ROUNDS },
        (_, r): BenchCase => ({
          name: roundName(CASE, r + 1, ROUNDS),
          subjects: measured,
          iterations: ITERATIONS,
          warmupIterations: 2,
        }),
      ),
    ];
  },
  summary,
  async dispose() {
    loads.push(loadavg()[0] as number);
    for (const close of closers.splice(0)) await close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const [name, values] of latencies) {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(
        `enqueue-to-delivery (${name}): p50 ${pct(sorted, 50).toFixed(2)} ms, p99 ${pct(sorted, 99).toFixed(2)} ms over ${sorted.length} deliveries`,
      );
    }
  },
};

/**
 * Ratios within each round. The no-HTTP bound: with the store and dispatcher at S deliveries/s
 * (simulated transport) and the bare POST loop at F, both on the same cores, a delivery costs at
 * least 1/S + 1/F seconds of them, so the real subject cannot pass S / (S + F) of the floor.
 */
function summary(rounded: readonly BenchResult[]): string[] {
  // ops/s are rounded to integers (4–30 iterations/s here); the ratio to the floor keeps 3 decimals.
  const results = rounded.map((r) => ({ ...r, opsPerSec: r.ratioToFloor }));
  const lines = [
    `deliveries/s, ratios within each of ${ROUNDS} interleaved rounds (after a warmup round not counted); ` +
      `load average ${loads.map((l) => l.toFixed(2)).join(' -> ')}:`,
  ];
  const row = (label: string, ratio: (ops: (prefix: string) => number) => number) => {
    const values = perRound(results, CASE, ratio);
    if (values.length > 0) lines.push(`  ${label.padEnd(44)} ${spread(values)}`);
  };
  for (const [name, bound, raw] of [
    [SQLITE, SQLITE_BOUND, SQLITE_RAW],
    [REDIS, REDIS_BOUND, REDIS_RAW],
  ] as const) {
    row(`${name} ÷ floor`, (ops) => ops(name) / ops(FLOOR));
    row(`${name} ÷ BullMQ`, (ops) => ops(name) / ops(BULLMQ));
    row(`  ${raw} ÷ floor`, (ops) => ops(raw) / ops(FLOOR));
    row(`  ${raw} ÷ BullMQ`, (ops) => ops(raw) / ops(BULLMQ));
    row(`  ${name.replace('@bulwark/delivery + ', '')} ÷ that bound`, (ops) => ops(name) / ops(raw));
    row(`  its no-HTTP bound S ÷ floor`, (ops) => ops(bound) / ops(FLOOR));
    row(`  its ceiling S ÷ (S + floor)`, (ops) => ops(bound) / (ops(bound) + ops(FLOOR)));
    row(
      `  ${name.replace('@bulwark/delivery + ', '')} ÷ its ceiling`,
      (ops) => ops(name) / ops(FLOOR) / (ops(bound) / (ops(bound) + ops(FLOOR))),
    );
  }
  row(`${BULLMQ} ÷ floor`, (ops) => ops(BULLMQ) / ops(FLOOR));
  lines.push(
    'CPU per delivery, µs (median of iterations, every round): this process (client, receiver, subject; all threads)' +
      (redisInfo ? ' + redis-server' : ''),
  );
  for (const [name, { node, redis }] of cpu) {
    const server = redisInfo ? median(redis) : 0;
    const text = redisInfo ? ` + ${server.toFixed(0)} = ${(median(node) + server).toFixed(0)}` : '';
    lines.push(`  ${name.padEnd(44)} ${median(node).toFixed(0)}${text}`);
  }
  return lines;
}
