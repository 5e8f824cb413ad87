import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPIES, startWorkerd } from './support/workerd.js';

interface Answer {
  readonly allowed: boolean;
  readonly reason: string;
  readonly ms: number;
  readonly isolate: string;
}

interface Fetcher {
  fetch(url: string): Promise<Response>;
}

// Real workerd (miniflare 4.20260426.0): the Durable Object store across many concurrent Worker requests.
describe('Durable Object store in workerd', () => {
  let mf: Miniflare;
  let run = 0;
  const ask = async (query: string): Promise<Answer> =>
    (await (await mf.dispatchFetch(`http://worker.test/limit?${query}`)).json()) as Answer;

  beforeAll(async () => {
    mf = await startWorkerd();
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
  });

  it.each(['gcra', 'token-bucket', 'sliding-window', 'fixed-window'])(
    '%s: exactly 10 of 200 concurrent Worker requests for one key are allowed',
    async (algorithm) => {
      const key = `burst-${algorithm}-${run++}`;
      const answers = await Promise.all(
        Array.from({ length: 200 }, () => ask(`key=${key}&limit=10&algorithm=${algorithm}`)),
      );
      expect(answers.filter((a) => a.allowed)).toHaveLength(10);
      expect(answers.filter((a) => !a.allowed).every((a) => a.reason === 'limited')).toBe(true);
    },
    30_000,
  );

  it('exactly 10 of 200 concurrent requests for one key from 4 Workers in 4 isolates; memory limiters there allow 40', async () => {
    const workers = [
      (url: string) => mf.dispatchFetch(url) as unknown as Promise<Response>,
      ...(await Promise.all(COPIES.map((name) => mf.getWorker(name)))).map(
        (w) => (url: string) => (w as unknown as Fetcher).fetch(url),
      ),
    ];
    const burst = (query: string) =>
      Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const send = workers[i % workers.length] as (url: string) => Promise<Response>;
          return (await (await send(`http://worker.test/limit?${query}`)).json()) as Answer;
        }),
      );
    const shared = await burst(`key=isolates-${run++}&limit=10`);
    expect(new Set(shared.map((a) => a.isolate)).size).toBe(4);
    expect(shared.filter((a) => a.allowed)).toHaveLength(10);
    // The same burst against a memory limiter: each isolate keeps its own count.
    const local = await burst(`key=isolates-${run++}&limit=10&store=memory`);
    expect(local.filter((a) => a.allowed)).toHaveLength(40);
  }, 30_000);

  it('exactly 10 per key of 200 concurrent requests over 4 keys sharing 2 hash-bucket objects', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ask(`key=bucketed-${i % 4}&limit=10&shards=2`)),
    );
    expect(answers.filter((a) => a.allowed)).toHaveLength(40);
  }, 30_000);

  it('fails closed (store_unavailable) when the object throws', async () => {
    expect(await ask('key=t&store=throw')).toMatchObject({ allowed: false, reason: 'store_unavailable' });
  });

  it('fails closed (store_timeout) within the deadline when the object stalls', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => ask('key=s&store=stall&deadline=100')));
    for (const a of answers) {
      expect(a).toMatchObject({ allowed: false, reason: 'store_timeout' });
      // Date.now() in workerd is coarse but never early: the denial came at the deadline. The stall
      // (30 s) outlasts this test's timeout, so an answer at all is the deadline's, not the stall's
      // end (causality, not a wall-clock bound a loaded machine can miss).
      expect(a.ms).toBeGreaterThanOrEqual(100);
    }
  }, 30_000);

  it('prints decision latency: Durable Object store vs memory limiter in the same workerd', async () => {
    const time = async (key: string, store: string): Promise<number> => {
      const started = performance.now();
      expect((await ask(`key=${key}&limit=1000000&store=${store}`)).reason).toBe('ok');
      return performance.now() - started;
    };
    const sorted = (times: number[]) => [...times].sort((a, b) => a - b);
    const at = (times: number[], q: number) =>
      sorted(times)[Math.min(times.length - 1, Math.floor(times.length * q))] as number;
    const ms = (times: number[]) => `p50 ${at(times, 0.5).toFixed(2)} ms p99 ${at(times, 0.99).toFixed(2)} ms`;
    for (let i = 0; i < 30; i++) await Promise.all([time('warm-memory', 'memory'), time('warm-do', 'do')]);
    // Interleaved: each round alternates one memory and one Durable Object decision, so load from
    // other processes falls on both alike; the ratio of medians per round is what means something.
    const memory: number[] = [];
    const warm: number[] = [];
    const ratios: string[] = [];
    for (let round = 0; round < 3; round++) {
      const m: number[] = [];
      const d: number[] = [];
      for (let i = 0; i < 100; i++) {
        m.push(await time('warm-memory', 'memory'));
        d.push(await time('warm-do', 'do'));
      }
      memory.push(...m);
      warm.push(...d);
      ratios.push((at(d, 0.5) / at(m, 0.5)).toFixed(2));
    }
    const cold: number[] = [];
    for (let i = 0; i < 30; i++) cold.push(await time(`cold-${run}-${i}`, 'do'));
    run++;
    const loop = (await (await mf.dispatchFetch('http://worker.test/loop?n=300&limit=100000&key=loop')).json()) as {
      allowed: number;
      ms: number;
    };
    expect(loop.allowed).toBe(300);
    console.log(
      `workerd decision latency, dispatchFetch round trip, 3 interleaved rounds: memory limiter ${ms(memory)} (n=300); ` +
        `Durable Object store, one warm object ${ms(warm)} (n=300); warm DO / memory p50 per round ${ratios.join(', ')}; ` +
        `a new object per key ${ms(cold)} (n=30); ` +
        `inside the Worker: ${(loop.ms / 300).toFixed(3)} ms per sequential DO decision (300 in ${loop.ms} ms)`,
    );
  }, 60_000);
});
