import { type RedisCluster, startOwnCluster } from '@bulwark/testing/own-cluster';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, type Decision } from '../src/index.js';
import { createRedisStore, redisClientOptions } from '../src/redis.js';

const DEADLINE = 150;
/** Allowance over the deadline for this shared, loaded machine's event-loop lag (measured by a control timer). */
const SLACK = 50;

interface Sample {
  readonly key: string;
  readonly at: number;
  readonly ms: number;
  readonly decision: Decision;
}

// A private cluster: this file kills one of its masters.
describe('Redis Cluster failover: a master SIGKILLed while decisions run', () => {
  let own: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    own = await startOwnCluster({ nodeTimeoutMs: 500 });
    client = new Cluster(
      own.nodes.map(({ host, port }) => ({ host, port })),
      { enableOfflineQueue: false, redisOptions: redisClientOptions() },
    );
    client.on('error', () => {});
    await new Promise((resolve) => client.once('ready', resolve));
  }, 30_000);
  afterAll(() => {
    client?.disconnect();
    own?.stop();
  });

  it('fails closed within the deadline during the failover, then decides exactly again without a restart', async () => {
    const limiter = createRateLimiter({
      limit: 1_000_000,
      windowMs: 60_000,
      store: createRedisStore({ client, prefix: 'fo:' }),
      deadlineMs: DEADLINE,
      logger: { warn() {} },
    });
    // Keys on every master; the victim's master is killed.
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    const victim = keys[0] as string;
    const victimPort = await own.masterFor(`fo:{${victim}}:default:0:1000000:60000`);
    const samples: Sample[] = [];
    let lag = 0;
    let running = true;
    const worker = async (key: string) => {
      while (running) {
        const started = performance.now();
        const control = new Promise<number>((resolve) =>
          setTimeout(() => resolve(performance.now() - started - DEADLINE), DEADLINE),
        );
        const decision = await limiter.limit(key);
        const ms = performance.now() - started;
        if (ms > DEADLINE) lag = Math.max(lag, await control);
        samples.push({ key, at: started, ms, decision });
        if (ms < 5) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const workers = keys.map(worker);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = performance.now();
    await own.kill(victimPort);
    await own.waitHealthy(20_000);
    const promotedAt = performance.now();
    // Keep deciding until the victim's key is decided again, at most 10 s after the promotion.
    let recoveredAt = 0;
    while (performance.now() - promotedAt < 10_000) {
      const last = samples.filter((s) => s.key === victim).at(-1);
      if (last && last.at > promotedAt && last.decision.reason === 'ok') {
        recoveredAt = last.at;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    running = false;
    await Promise.all(workers);
    console.log(
      `failover: promoted ${Math.round(promotedAt - killedAt)} ms after the kill, victim key decided again ${Math.round(recoveredAt - promotedAt)} ms after; ${samples.length} decisions, ${samples.filter((s) => s.decision.reason !== 'ok').length} refused, slowest ${Math.round(Math.max(...samples.map((s) => s.ms)))} ms, lag ${Math.round(lag)} ms`,
    );
    expect(recoveredAt).toBeGreaterThan(0);
    const failed = samples.filter((s) => s.decision.reason !== 'ok');
    expect(failed.length).toBeGreaterThan(0);
    for (const s of samples) {
      // Never allows without a decision by Redis, never hangs past the deadline.
      expect(s.decision.allowed).toBe(s.decision.reason === 'ok');
      expect(['ok', 'store_timeout', 'store_unavailable']).toContain(s.decision.reason);
      expect(s.ms).toBeLessThan(DEADLINE + SLACK + Math.max(0, lag));
    }
    // Exact again: a fresh key on the promoted master allows exactly its limit.
    const exact = createRateLimiter({
      limit: 3,
      windowMs: 60_000,
      store: createRedisStore({ client, prefix: 'fo:' }),
      deadlineMs: 1_000,
    });
    const after = [];
    for (let i = 0; i < 4; i++) after.push((await exact.limit(`${victim}:after`)).reason);
    expect(after).toEqual(['ok', 'ok', 'ok', 'limited']);
  }, 40_000);
});
