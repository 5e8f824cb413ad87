// Redis Cluster for tests. `sharedCluster()` is the cluster the test command starts for the whole
// run (REDIS_CLUSTER_NODES); `startOwnCluster()` starts a private one for a test file that kills
// nodes (failover tests must not take the shared cluster down under other suites).
// Node-only: imported as `@bulwark/testing/own-cluster`, never from the edge-safe index.
import fc from 'fast-check';
import { type RedisCluster, type RedisClusterOptions, startRedisCluster } from './redis-cluster.mjs';

export type { RedisCluster, RedisClusterNode, RedisClusterOptions } from './redis-cluster.mjs';
export { redisCommand } from './redis-server.mjs';

/** A cluster node address, as ioredis' `new Cluster(nodes)` takes it. */
export interface ClusterSeed {
  readonly host: string;
  readonly port: number;
}

/**
 * Starts a private Redis Cluster (3 masters, 1 replica each unless told otherwise) for this test
 * file. It is stopped by `stop()`, and in any case when the test process exits.
 */
export async function startOwnCluster(options?: RedisClusterOptions): Promise<RedisCluster> {
  const cluster = await startRedisCluster(options);
  process.once('exit', cluster.stop);
  return cluster;
}

/** Parses `host:port,host:port` (REDIS_CLUSTER_NODES). */
export function parseSeeds(text: string): ClusterSeed[] {
  return text.split(',').map((entry) => {
    const match = /^([^:,]+):(\d{1,5})$/.exec(entry.trim());
    if (!match) throw new Error(`REDIS_CLUSTER_NODES: expected host:port, got ${JSON.stringify(entry)}`);
    return { host: match[1] as string, port: Number(match[2]) };
  });
}

let own: Promise<ClusterSeed[]> | undefined;

/**
 * The seed nodes of the run's shared Redis Cluster: REDIS_CLUSTER_NODES, which the test command
 * (`pnpm test`) sets. Without it (a bare `vitest run`), a private cluster is started once for
 * this test file, so cluster tests never skip.
 */
export function sharedCluster(): Promise<ClusterSeed[]> {
  const env = process.env.REDIS_CLUSTER_NODES;
  if (env) return Promise.resolve(parseSeeds(env));
  own ??= startOwnCluster().then((cluster) => parseSeeds(cluster.seeds));
  return own;
}

/**
 * Strings rich in what means something to Redis keys: braces (hash tags), the escape,
 * separators, control characters, lone surrogates and astral characters; or any string.
 */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1 }),
  fc.string({
    unit: fc.oneof(
      fc.constantFrom('{', '}', '{}', '}{', '\\', ':', '\n', '\r', ' ', '\0', '\uD800', '\uDC00', '\uFFFD', '😀', 'é'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 40,
  }),
);
