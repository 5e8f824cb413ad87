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
      // Date.now() in workerd is coarse but never early: the denial came at the deadline, not at the stall's end.
      expect(a.ms).toBeGreaterThanOrEqual(100);
      expect(a.ms).toBeLessThan(1_000);
    }
  }, 30_000);

  it('prints decision latency: Durable Object store vs memory limiter in the same workerd', async () => {
    const measure = async (store: string, n: number, fresh: boolean) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const key = fresh ? `cold-${i}` : `warm-${store}`;
        const started = performance.now();
        expect((await ask(`key=${key}&limit=100000&store=${store}`)).reason).toBe('ok');
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => (times[Math.min(n - 1, Math.floor(n * q))] as number).toFixed(2);
      return `p50 ${at(0.5)} ms p99 ${at(0.99)} ms`;
    };
    await measure('memory', 50, false);
    await measure('do', 50, false);
    const memory = await measure('memory', 300, false);
    const warm = await measure('do', 300, false);
    const cold = await measure('do', 30, true);
    const loop = (await (await mf.dispatchFetch('http://worker.test/loop?n=300&limit=100000&key=loop')).json()) as {
      allowed: number;
      ms: number;
    };
    expect(loop.allowed).toBe(300);
    console.log(
      `workerd decision latency, dispatchFetch round trip: memory limiter ${memory} (n=300); ` +
        `Durable Object store, one warm object ${warm} (n=300), a new object per key ${cold} (n=30); ` +
        `inside the Worker: ${(loop.ms / 300).toFixed(3)} ms per sequential DO decision (300 in ${loop.ms} ms)`,
    );
  }, 60_000);
});
