import { redisClientOptions } from '@bulwark/ratelimit/redis';
import { Cluster, Redis } from 'ioredis';
import type { Config } from './config.js';

/** The shared Redis: a standalone server, or a Redis Cluster (`REDIS_CLUSTER=1`). */
export type RedisClient = Redis | Cluster;

/**
 * Connects to REDIS_URL with options that fail fast instead of queueing while disconnected (the
 * stores answer 503 within their deadlines). With REDIS_CLUSTER the URL is one node or the
 * configuration endpoint of a Redis Cluster; the other nodes are discovered, and the URL's
 * credentials and TLS apply to each of them.
 */
export function connectRedis(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER'>): RedisClient {
  const url = config.REDIS_URL;
  if (url === undefined) throw new Error('REDIS_URL is not set');
  if (!config.REDIS_CLUSTER) return new Redis(url, redisClientOptions({ lazyConnect: false }));
  const parsed = new URL(url);
  const node = { host: parsed.hostname, port: Number(parsed.port || 6379) };
  const redisOptions = redisClientOptions({
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
  });
  return new Cluster([node], {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    redisOptions,
    // TLS endpoints are named in certificates: keep the host names the cluster announces.
    ...(parsed.protocol === 'rediss:' ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  });
}

/**
 * Resolves once `redis` is ready, or after `timeoutMs`, whichever comes first. The server waits
 * before serving so its first answers see Redis connected, not a client still dialling (a Cluster
 * client also discovers its slots), which would spend a request's store deadline on connecting.
 */
export function redisReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
