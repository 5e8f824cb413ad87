/** One redis-server of a {@link RedisCluster}. */
export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
}

/** A running throwaway Redis Cluster on loopback. */
export interface RedisCluster {
  readonly nodes: readonly RedisClusterNode[];
  /** `host:port,host:port,…` of every node (what REDIS_CLUSTER_NODES holds). */
  readonly seeds: string;
  /** Milliseconds the start took. */
  readonly startMs: number;
  /** Whether the node on `port` has exited. */
  exited(port: number): boolean;
  /** SIGKILLs the node on `port` (a crash) and resolves once it has exited. */
  kill(port: number): Promise<void>;
  /** Starts the killed node on `port` again with its data and cluster config (it rejoins as a replica); resolves once it answers PING. */
  restart(port: number): Promise<void>;
  /** Resolves once every live node reports `cluster_state:ok` and every slot is served by a live master. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** The port of the master serving `key`'s slot now. */
  masterFor(key: string): Promise<number>;
  /** Synchronous; SIGKILLs every node and removes the data directory. */
  stop(): void;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  readonly masters?: number;
  readonly replicas?: number;
  readonly nodeTimeoutMs?: number;
  readonly readyTimeoutMs?: number;
}

/** Starts a Redis Cluster on free loopback ports; resolves once every node serves every slot. */
export function startRedisCluster(options?: RedisClusterOptions): Promise<RedisCluster>;
