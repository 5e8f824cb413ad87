import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher, type DeliveryStore, type NewDelivery } from '@bulwark/delivery';
import { createRedisStore } from '@bulwark/delivery/redis';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { Redis } from 'ioredis';
import type { BenchCase, BenchSubject, BenchSuite } from '../suite.js';

const BATCH = 200;
const CONCURRENCY = 16;
const BACKLOGS = (process.env.BENCH_BACKLOGS ?? '0,10000,100000').split(',').map(Number);
const ENDPOINTS = (process.env.BENCH_BACKLOG_ENDPOINTS ?? '1,100').split(',').map(Number);

let server: Server | undefined;
let dir: string | undefined;
const closers: Array<() => Promise<void>> = [];
const rates: string[] = [];
/** Enqueue time (performance.now()) of each measured delivery still on its way, by message id. */
const enqueuedAt = new Map<string, number>();
/** Enqueue→delivery milliseconds of the measured deliveries of the subject running now. */
let latencies: number[] = [];

/** The `q` quantile (0–1) of `values`, nearest rank. */
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/**
 * How delivery throughput holds up as the queue grows: each iteration enqueues 200 due
 * deliveries and waits for 200 more to reach the receiver while `backlog` others are queued
 * (due now) for the same endpoints, so every claim runs against that backlog. Default options
 * (16 in flight, 8 per endpoint): with one endpoint, the endpoint is saturated most of the time
 * and claims must skip its backlog. The floor of each case is the same store with no backlog.
 */
export const suite: BenchSuite = {
  name: 'delivery-backlog',
  description: `deliver ${BATCH} webhooks to 127.0.0.1 with ${BACKLOGS.join(' / ')} deliveries queued (due) over ${ENDPOINTS.join(' or ')} endpoint(s), SQLite and (with REDIS_URL) Redis; ratio to the same store with an empty backlog`,
  async cases() {
    let received = 0;
    let target = Number.POSITIVE_INFINITY;
    let wake: (() => void) | undefined;
    server = createServer((req, res) => {
      const id = req.headers['webhook-id'];
      const at = typeof id === 'string' ? enqueuedAt.get(id) : undefined;
      if (at !== undefined) {
        latencies.push(performance.now() - at);
        enqueuedAt.delete(id as string);
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(204).end();
        if (++received >= target) wake?.();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-backlog-'));
    let sequence = 0;

    function deliveries(count: number, endpoints: number, now: number): NewDelivery[] {
      return Array.from({ length: count }, () => {
        const n = sequence++;
        const messageId = `msg_${n}`;
        const endpointId = `ep_${n % endpoints}`;
        const payload = JSON.stringify({ type: 'bench.event', timestamp: new Date(now).toISOString(), data: { n } });
        return {
          id: `${messageId}:${endpointId}`,
          messageId,
          endpointId,
          eventType: 'bench.event',
          payload,
          createdAt: now,
          nextAt: now,
        };
      });
    }

    async function fill(store: DeliveryStore, count: number, endpoints: number): Promise<void> {
      for (let done = 0; done < count; done += 1_000) {
        await store.enqueue(deliveries(Math.min(1_000, count - done), endpoints, Date.now()));
      }
    }

    function subject(
      name: string,
      open: () => DeliveryStore,
      backlog: number,
      endpoints: number,
      cleanup?: () => Promise<void>,
    ): BenchSubject {
      let store: DeliveryStore | undefined;
      let close: (() => Promise<void>) | undefined;
      let busyMs = 0;
      let delivered = 0;
      const label = `${name}, ${endpoints} endpoint(s), backlog ${backlog}`;
      return {
        name: `${name}, backlog ${backlog.toLocaleString('en-US')}`,
        floor: backlog === 0,
        async setup() {
          store = open();
          const dispatcher = createDispatcher({
            store,
            real: true,
            egress: { allow: ['127.0.0.1'], allowHttp: true },
            concurrency: CONCURRENCY,
            pollIntervalMs: 50,
            policies: {},
          });
          for (let i = 0; i < endpoints; i++) await dispatcher.endpoints.create({ id: `ep_${i}`, url });
          await fill(store, backlog, endpoints);
          close = async () => {
            close = undefined;
            await dispatcher.close({ deadlineMs: 1_000 });
            await store?.close();
            await cleanup?.();
          };
          closers.push(async () => close?.());
          dispatcher.start();
        },
        // Stopped before the next subject: its backlog must not keep the receiver busy.
        teardown: async () => {
          rates.push(
            `${label}: ${Math.round((delivered * 1000) / busyMs)} deliveries/s, enqueue→delivery of the iterations' own deliveries p50 ${quantile(latencies, 0.5).toFixed(0)} ms p99 ${quantile(latencies, 0.99).toFixed(0)} ms (${latencies.length} delivered)`,
          );
          latencies = [];
          enqueuedAt.clear();
          await close?.();
        },
        async fn() {
          const started = performance.now();
          target = received + BATCH;
          const done = new Promise<void>((resolve) => {
            wake = resolve;
          });
          const batch = deliveries(BATCH, endpoints, Date.now());
          const now = performance.now();
          for (const delivery of batch) enqueuedAt.set(delivery.messageId, now);
          await store?.enqueue(batch);
          await done;
          busyMs += performance.now() - started;
          delivered += BATCH;
        },
      };
    }

    const cases: BenchCase[] = [];
    const redisUrl = process.env.REDIS_URL;
    for (const endpoints of ENDPOINTS) {
      const over = `${endpoints} endpoint${endpoints === 1 ? '' : 's'}`;
      let n = 0;
      cases.push({
        name: `SQLite, deliver ${BATCH}, ${over}`,
        subjects: BACKLOGS.map((backlog) =>
          subject(
            'SQLite',
            () => createSqliteStore({ path: join(dir as string, `backlog-${endpoints}-${n++}.db`) }),
            backlog,
            endpoints,
          ),
        ),
      });
      if (redisUrl) {
        cases.push({
          name: `Redis, deliver ${BATCH}, ${over}`,
          subjects: BACKLOGS.map((backlog) => {
            // A fresh prefix per setup: tinybench sets a subject up twice (warmup, then the run).
            let prefix = '';
            return subject(
              'Redis',
              () => {
                prefix = `bulwark-bench-backlog:${Date.now()}:${n++}`;
                return createRedisStore({ connection: redisUrl, prefix });
              },
              backlog,
              endpoints,
              () => deleteKeys(redisUrl, prefix),
            );
          }),
        });
      }
    }
    return cases;
  },
  async dispose() {
    for (const close of closers.splice(0)) await close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const line of rates.splice(0)) console.log(line);
  },
};
