import { createDispatcher, type DeliveryStore, type Dispatcher } from '@bulwark/delivery';
import { createRedisStore as createOutbox } from '@bulwark/delivery/redis';
import { createRateLimiter, type RateLimiter } from '@bulwark/ratelimit';
import { createRedisStore, redisClientOptions } from '@bulwark/ratelimit/redis';
import { type ClusterSeed, parseSeeds, startOwnCluster } from '@bulwark/testing/own-cluster';
import { startOwnRedis } from '@bulwark/testing/own-redis';
import { Cluster, Redis } from 'ioredis';
import { clusterSlot } from '../../../packages/testing/src/cluster-slot.js';
import { perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

/** Interleaved rounds: every subject once per round, so drift on a shared machine shows as spread. */
const ROUNDS = 5;
/** Decisions in flight per iteration (ops/s of a decision case are batches of this many). */
const FLIGHT = 64;
/** Deliveries per iteration of a delivery case. */
const BATCH = 200;
const CONCURRENCY = 16;
const ITERATIONS = 8;
const ALLOW = { limit: 1_000_000_000, windowMs: 1_000 };
const STANDALONE = 'standalone Redis';
const CLUSTER = 'Redis Cluster, 3 masters + 1 replica each';
const noop = (): void => {};

const closers: Array<() => Promise<void> | void> = [];

/**
 * Seeds of the Cluster to measure: REDIS_CLUSTER_NODES, or a private 3-master cluster (one
 * replica each) on loopback started for this run and stopped by PID afterwards.
 */
async function clusterSeeds(): Promise<ClusterSeed[]> {
  if (process.env.REDIS_CLUSTER_NODES) return parseSeeds(process.env.REDIS_CLUSTER_NODES);
  const own = await startOwnCluster();
  closers.push(own.stop);
  console.log(`Redis Cluster started for this run (pids ${own.nodes.map((n) => n.pid).join(' ')})`);
  return parseSeeds(own.seeds);
}

/** REDIS_URL, or a private redis-server started for this run. */
async function standaloneUrl(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const own = await startOwnRedis();
  closers.push(() => own.kill());
  return own.url;
}

/** `count` distinct keys whose slots (each key is its own hash tag) are served by one of `masters`. */
function keysOn(slots: readonly string[], masters: readonly string[], count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key = `user:${i}`;
    if (masters.includes(slots[clusterSlot(key)] as string)) keys.push(key);
  }
  return keys;
}

function rotating(keys: readonly string[]): () => string {
  let i = 0;
  return () => keys[i++ % keys.length] as string;
}

function inFlight(fn: () => Promise<unknown>): () => Promise<unknown> {
  return () => Promise.all(Array.from({ length: FLIGHT }, fn));
}

/** A case's two subjects: the standalone store is the floor, so `ratioToFloor` is Cluster ÷ standalone. */
function pair(standalone: () => unknown, cluster: () => unknown): BenchSubject[] {
  return [
    { name: STANDALONE, floor: true, fn: standalone },
    { name: CLUSTER, fn: cluster },
  ];
}

/**
 * Outboxes on `connection`, one per prefix, each with its own dispatcher (simulated transport:
 * publish → outbox → lease → signed attempt → completion, no HTTP exchange); one iteration
 * publishes {@link BATCH} events spread over them and resolves once all are delivered.
 */
async function outboxes(connection: Redis | Cluster, prefixes: readonly string[]): Promise<() => Promise<void>> {
  let pending = 0;
  let wake: (() => void) | undefined;
  let sequence = 0;
  const dispatchers: Dispatcher[] = [];
  for (const prefix of prefixes) {
    const store: DeliveryStore = createOutbox({ connection, prefix });
    const dispatcher = createDispatcher({
      store,
      real: false,
      concurrency: CONCURRENCY,
      maxInflightPerEndpoint: CONCURRENCY,
      pollIntervalMs: 50,
    });
    dispatcher.on('attempt', (event) => {
      if (event.outcome === 'succeeded' && --pending <= 0) wake?.();
    });
    await dispatcher.endpoints.create({ id: 'bench', url: 'https://receiver.example.com/hooks' });
    dispatcher.start();
    closers.push(async () => {
      await dispatcher.close({ deadlineMs: 1_000 });
      await store.close();
    });
    dispatchers.push(dispatcher);
  }
  return async () => {
    pending = BATCH;
    const done = new Promise<void>((resolve) => {
      wake = resolve;
    });
    await Promise.all(
      Array.from({ length: BATCH }, async (_, i) => {
        const dispatcher = dispatchers[i % dispatchers.length] as Dispatcher;
        await dispatcher.publish({ type: 'bench.event', payload: { i }, id: `m${sequence++}` });
      }),
    );
    await done;
  };
}

/** A prefix per master whose outbox slot (`{<prefix>}`) that master serves. */
function prefixesOn(run: string, slots: readonly string[], masters: readonly string[]): string[] {
  return masters.map((master) => {
    for (let i = 0; ; i++) {
      const prefix = `${run}:o${i}`;
      if (slots[clusterSlot(`{${prefix}}`)] === master) return prefix;
    }
  });
}

const DECISION_SCENARIOS = ['1 hot key (one slot)', '10,000 keys on one master', '10,000 keys over 3 masters'];
const DELIVERY_SCENARIOS = ['1 outbox (one slot)', '3 outboxes, one per master'];
const decisionTitle = (label: string) => `decisions, ${label}, ${FLIGHT} in flight (ops/s = batches)`;
const deliveryTitle = (label: string) => `deliver ${BATCH}, ${label}`;

/**
 * Decisions/s (`@bulwark/ratelimit`, GCRA) and deliveries/s (`@bulwark/delivery`, simulated
 * transport) on a 3-master Redis Cluster against one standalone redis-server, in the same run and
 * interleaved rounds; keys on one slot, on one master, and over all masters.
 */
export const suite: BenchSuite = {
  name: 'cluster',
  description:
    'Redis Cluster (3 masters + replicas) vs standalone Redis in one run: rate-limit decisions/s and deliveries/s, with keys and outboxes on one slot, one master, all masters',
  startsOwnRedis: true,
  async cases() {
    const [url, seeds] = await Promise.all([standaloneUrl(), clusterSeeds()]);
    const standalone = new Redis(url, redisClientOptions());
    // Both clients pipeline automatically, as the reference server's do.
    const cluster = new Cluster(seeds, {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      redisOptions: redisClientOptions(),
    });
    for (const c of [standalone, cluster]) {
      c.on('error', noop);
      if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
    }
    const run = `bench-cluster-${Date.now()}`;
    closers.push(async () => {
      for (const node of cluster.nodes('master')) {
        for (const key of await node.keys(`*${run}*`)) await cluster.del(key);
      }
      const keys = await standalone.keys(`*${run}*`);
      if (keys.length > 0) await standalone.del(...keys);
      cluster.disconnect();
      standalone.disconnect();
    });
    // Slot → `host:port` of its master, from the client's own slot map.
    const slots = cluster.slots.map((nodes) => nodes?.[0] as string);
    const masters = [...new Set(slots)].sort();
    if (masters.length !== 3) throw new Error(`expected 3 masters, the slot map names ${masters.length}`);
    const limiter = (client: Redis | Cluster): RateLimiter =>
      createRateLimiter({ ...ALLOW, store: createRedisStore({ client, prefix: `${run}:` }), logger: { warn: noop } });
    const [onStandalone, onCluster] = [limiter(standalone), limiter(cluster)];
    const decisionKeys: Record<string, () => () => string> = {
      [DECISION_SCENARIOS[0] as string]: () => () => 'hot',
      [DECISION_SCENARIOS[1] as string]: () => rotating(keysOn(slots, masters.slice(0, 1), 10_000)),
      [DECISION_SCENARIOS[2] as string]: () => rotating(keysOn(slots, masters, 10_000)),
    };
    const scenarios: Array<{ title: string; subjects: BenchSubject[]; iterations?: number }> = [];
    for (const label of DECISION_SCENARIOS) {
      const [a, b] = [decisionKeys[label]?.() as () => string, decisionKeys[label]?.() as () => string];
      scenarios.push({
        title: decisionTitle(label),
        subjects: pair(
          inFlight(() => onStandalone.limit(a())),
          inFlight(() => onCluster.limit(b())),
        ),
      });
    }
    const spread3 = prefixesOn(run, slots, masters);
    scenarios.push(
      {
        title: deliveryTitle(DELIVERY_SCENARIOS[0] as string),
        subjects: pair(
          await outboxes(standalone, [`${run}:s1`]),
          await outboxes(
            cluster,
            spread3.slice(0, 1).map((p) => `${p}:1`),
          ),
        ),
        iterations: ITERATIONS,
      },
      {
        title: deliveryTitle(DELIVERY_SCENARIOS[1] as string),
        subjects: pair(
          await outboxes(
            standalone,
            spread3.map((_, i) => `${run}:s3:${i}`),
          ),
          await outboxes(cluster, spread3),
        ),
        iterations: ITERATIONS,
      },
    );
    return Array.from({ length: ROUNDS }, (_, r) =>
      scenarios.map(
        ({ title, subjects, iterations }): BenchCase => ({
          name: roundName(title, r + 1, ROUNDS),
          subjects,
          ...(iterations === undefined ? {} : { iterations, warmupIterations: 2 }),
        }),
      ),
    ).flat();
  },
  summary: (results: readonly BenchResult[]) => {
    const lines = [`Redis Cluster ÷ standalone Redis, within each of ${ROUNDS} interleaved rounds:`];
    // The standalone store is each case's floor: ratioToFloor keeps 3 decimals where ops/s are rounded.
    const ratio = (title: string) =>
      perRound(
        results.map((r) => ({ ...r, opsPerSec: r.ratioToFloor })),
        title,
        (ops) => ops(CLUSTER) / ops(STANDALONE),
      );
    const rate = (title: string, subject: string, per: number) => perRound(results, title, (ops) => ops(subject) * per);
    for (const label of DECISION_SCENARIOS) {
      const title = decisionTitle(label);
      lines.push(
        `  decisions/s, ${label.padEnd(28)} Cluster ÷ standalone ${spread(ratio(title))}; Cluster ${spread(rate(title, CLUSTER, FLIGHT), 0)}/s`,
      );
    }
    for (const label of DELIVERY_SCENARIOS) {
      const title = deliveryTitle(label);
      lines.push(
        `  deliveries/s, ${label.padEnd(27)} Cluster ÷ standalone ${spread(ratio(title))}; Cluster ${spread(rate(title, CLUSTER, BATCH), 0)}/s`,
      );
    }
    const grow = (labels: readonly string[], title: (l: string) => string, subject: string) =>
      perRound(results, title(labels.at(-1) as string), (ops) => ops(subject)).map(
        (last, i) => last / (perRound(results, title(labels[0] as string), (ops) => ops(subject))[i] ?? Number.NaN),
      );
    lines.push(
      `  growth, decisions/s over 3 masters ÷ on one master: Cluster ${spread(grow(DECISION_SCENARIOS.slice(1), decisionTitle, CLUSTER))}, standalone ${spread(grow(DECISION_SCENARIOS.slice(1), decisionTitle, STANDALONE))}`,
      `  growth, deliveries/s with 3 outboxes ÷ 1: Cluster ${spread(grow(DELIVERY_SCENARIOS, deliveryTitle, CLUSTER))}, standalone ${spread(grow(DELIVERY_SCENARIOS, deliveryTitle, STANDALONE))}`,
    );
    return lines;
  },
  async dispose() {
    for (const close of closers.splice(0).reverse()) await close();
  },
};
