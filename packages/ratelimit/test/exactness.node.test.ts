import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { redisUrl } from '@bulwark/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Algorithm, createRateLimiter } from '../src/index.js';
import { ALGORITHM_IDS, DECIDE_SCRIPT, GCRA_SCRIPT } from '../src/redis/lua.js';
import { createRedisStore, redisClientOptions } from '../src/redis.js';
import { waitReady } from './support/ready.js';

const url = redisUrl();
const ALL: Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];
const PROCESSES = 4;
const CALLS = 250;
const LIMIT = 100;
const WINDOW_MS = 10_000;

interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: AsyncIterator<string>;
  readonly rl: Interface;
}

function startChild(redis: string): Child {
  const script = fileURLToPath(new URL('./support/exactness-child.mjs', import.meta.url));
  const proc = spawn(
    process.execPath,
    [script, JSON.stringify({ url: redis, scripts: { decide: DECIDE_SCRIPT, gcra: GCRA_SCRIPT }, calls: CALLS })],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    },
  );
  const rl = createInterface({ input: proc.stdout });
  return { proc, rl, lines: rl[Symbol.asyncIterator]() };
}

async function nextLine(child: Child): Promise<string> {
  const { value, done } = await child.lines.next();
  if (done) throw new Error('child exited early');
  return value;
}

describe.skipIf(!url)('exactness on Redis', () => {
  let admin: Redis;
  let children: Child[] = [];
  const run = `x${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    admin = new Redis(url as string, redisClientOptions());
    await waitReady(admin);
    children = Array.from({ length: PROCESSES }, () => startChild(url as string));
    for (const child of children) expect(await nextLine(child)).toBe('ready');
  }, 20_000);

  afterAll(async () => {
    for (const child of children) {
      child.proc.stdin.end(`${JSON.stringify({ done: true })}\n`);
      child.rl.close();
    }
    const keys = await admin.keys(`rl:{${run}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  async function redisNow(): Promise<number> {
    const [seconds, micros] = (await admin.time()) as [number | string, number | string];
    return Number(seconds) * 1000 + Number(micros) / 1000;
  }

  /** Waits until the burst cannot straddle a window boundary (windows are epoch-aligned on Redis time). */
  async function awayFromBoundary(): Promise<void> {
    const left = WINDOW_MS - ((await redisNow()) % WINDOW_MS);
    if (left < 2_000) await new Promise((r) => setTimeout(r, left + 50));
  }

  /**
   * Exactly `LIMIT` must pass. GCRA and the token bucket legitimately refill one unit every
   * windowMs / limit = 100 ms, so if the burst spans longer than that on Redis time (a loaded CI
   * machine), one more unit per elapsed 100 ms is the exact answer; window algorithms never refill.
   */
  async function expectExact(algorithm: Algorithm, burst: () => Promise<number>): Promise<void> {
    await awayFromBoundary();
    const before = await redisNow();
    const allowed = await burst();
    const spanMs = (await redisNow()) - before;
    const refills = algorithm === 'gcra' || algorithm === 'token-bucket' ? Math.floor(spanMs / (WINDOW_MS / LIMIT)) : 0;
    if (process.env.RATELIMIT_EXACTNESS_LOG)
      console.log(`${algorithm}: ${allowed} allowed, burst ${spanMs.toFixed(1)} ms`);
    expect(allowed).toBeGreaterThanOrEqual(LIMIT);
    expect(allowed).toBeLessThanOrEqual(LIMIT + refills);
  }

  it.each(ALL)(
    '%s: 4 processes × 250 concurrent calls on one key → exactly 100 allowed',
    async (algorithm) => {
      const store = createRedisStore({ client: admin });
      const policies = createRateLimiter({ algorithm, limit: LIMIT, windowMs: WINDOW_MS }).policies;
      const key = `${run}:${algorithm}`;
      // GCRA runs the one-policy script the store sends it to; the others the general one.
      const job =
        algorithm === 'gcra'
          ? // Its reply is remaining, resetMs, retryAfterMs: allowed when retryAfterMs is 0.
            { script: 'gcra', keys: store.keysFor(key, policies), args: [LIMIT, WINDOW_MS, 0, '', 1], allowed: [2, 0] }
          : {
              script: 'decide',
              keys: store.keysFor(key, policies),
              args: [1, ALGORITHM_IDS[algorithm], LIMIT, WINDOW_MS, 0, '', 1],
              allowed: [0, 1],
            };
      await expectExact(algorithm, async () => {
        for (const child of children) child.proc.stdin.write(`${JSON.stringify(job)}\n`);
        const counts = await Promise.all(
          children.map(async (c) => (JSON.parse(await nextLine(c)) as { allowed: number }).allowed),
        );
        return counts.reduce((a, b) => a + b, 0);
      });
    },
    15_000,
  );

  it.each(ALL)(
    '%s: 1,000 concurrent limit() calls over 4 clients in one process → exactly 100 allowed',
    async (algorithm) => {
      const clients = Array.from({ length: 4 }, () => new Redis(url as string, redisClientOptions()));
      await Promise.all(clients.map((c) => waitReady(c)));
      const limiters = clients.map((client) =>
        createRateLimiter({
          algorithm,
          limit: LIMIT,
          windowMs: WINDOW_MS,
          deadlineMs: 2_000,
          store: createRedisStore({ client }),
        }),
      );
      await Promise.all(limiters.map((l) => l.limit(`${run}:warm`)));
      const key = `${run}:inproc:${algorithm}`;
      await expectExact(algorithm, async () => {
        const decisions = await Promise.all(Array.from({ length: 1_000 }, (_, i) => limiters[i % 4]?.limit(key)));
        expect(decisions.every((d) => d?.reason === 'ok' || d?.reason === 'limited')).toBe(true);
        return decisions.filter((d) => d?.allowed).length;
      });
      for (const c of clients) c.disconnect();
    },
  );
});
