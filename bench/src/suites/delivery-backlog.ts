import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher, type DeliveryStore, type Dispatcher, type NewDelivery } from '@bulwark/delivery';
import { createRedisStore } from '@bulwark/delivery/redis';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { Redis } from 'ioredis';
import { perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

const BATCH = 200;
const CONCURRENCY = 16;
const BACKLOGS = (process.env.BENCH_BACKLOGS ?? '0,10000,100000').split(',').map(Number);
const ENDPOINTS = (process.env.BENCH_BACKLOG_ENDPOINTS ?? '1,100').split(',').map(Number);
/** Interleaved rounds: every subject of every case once per round. */
const ROUNDS = Number(process.env.BENCH_BACKLOG_ROUNDS ?? 5);
/** Iterations (of 200 deliveries) per subject and round. */
const ITERATIONS = 6;
/** Deliveries written per enqueue call while seeding a backlog (one transaction / one script call each). */
const SEED_CHUNK = 5_000;

let server: Server | undefined;
let dir: string | undefined;
const closers: Array<() => Promise<void>> = [];
const states: SubjectState[] = [];

/**
 * One store with its backlog, kept across rounds: opened and seeded once, a dispatcher started
 * for each measurement and closed after it, so between its turns the backlog waits untouched.
 */
interface SubjectState {
  readonly label: string;
  readonly backlog: number;
  store?: DeliveryStore;
  dispatcher?: Dispatcher | undefined;
  /** Milliseconds this subject's dispatcher has run (its clock stops between its turns). */
  activeMs: number;
  startedAt: number;
  running: boolean;
  delivered: number;
  busyMs: number;
  /** Enqueue→delivery of the iterations' own deliveries, in this subject's running time. */
  latencies: number[];
  seedMs: number;
}

const activeNow = (s: SubjectState): number => s.activeMs + (s.running ? performance.now() - s.startedAt : 0);

/** Enqueue time (the subject's running clock) of each measured delivery on its way, by message id. */
const enqueuedAt = new Map<string, { state: SubjectState; at: number }>();

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
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/**
 * How delivery throughput holds up as the queue grows: each iteration enqueues 200 due
 * deliveries and waits for 200 more to reach the receiver while `backlog` others are queued
 * (due now) for the same endpoints, so every claim runs against that backlog and the backlog
 * stays the same size. Default options (16 in flight, 8 per endpoint): with one endpoint, the
 * endpoint is saturated most of the time and claims must skip its backlog. The floor of each
 * case is the same store with no backlog. Interleaved rounds: each store keeps its backlog
 * between its turns (seeded once, before the first), a dispatcher runs only during its turn.
 */
export const suite: BenchSuite = {
  name: 'delivery-backlog',
  description: `deliver ${BATCH} webhooks to 127.0.0.1 with ${BACKLOGS.join(' / ')} deliveries queued (due) over ${ENDPOINTS.join(' or ')} endpoint(s), SQLite and (with REDIS_URL) Redis, ${ROUNDS} interleaved rounds; ratio to the same store with an empty backlog`,
  async cases() {
    let received = 0;
    let target = Number.POSITIVE_INFINITY;
    let wake: (() => void) | undefined;
    server = createServer((req, res) => {
      const id = req.headers['webhook-id'];
      const sent = typeof id === 'string' ? enqueuedAt.get(id) : undefined;
      if (sent !== undefined) {
        sent.state.latencies.push(activeNow(sent.state) - sent.at);
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

    function subject(
      name: string,
      open: () => DeliveryStore,
      backlog: number,
      endpoints: number,
      cleanup?: () => Promise<void>,
    ): BenchSubject {
      const state: SubjectState = {
        label: `${name}, ${endpoints} endpoint${endpoints === 1 ? '' : 's'}, backlog ${backlog.toLocaleString('en-US')}`,
        backlog,
        activeMs: 0,
        startedAt: 0,
        running: false,
        delivered: 0,
        busyMs: 0,
        latencies: [],
        seedMs: 0,
      };
      states.push(state);
      return {
        name: `${name}, backlog ${backlog.toLocaleString('en-US')}`,
        floor: backlog === 0,
        async setup() {
          if (!state.store) {
            const store = open();
            state.store = store;
            closers.push(async () => {
              await store.close();
              await cleanup?.();
            });
            const seeding = createDispatcher({ store, real: true, egress: { allow: ['127.0.0.1'], allowHttp: true } });
            for (let i = 0; i < endpoints; i++) await seeding.endpoints.create({ id: `ep_${i}`, url });
            const started = performance.now();
            for (let done = 0; done < backlog; done += SEED_CHUNK) {
              await store.enqueue(deliveries(Math.min(SEED_CHUNK, backlog - done), endpoints, Date.now()));
            }
            state.seedMs = performance.now() - started;
          }
          state.dispatcher = createDispatcher({
            store: state.store,
            real: true,
            egress: { allow: ['127.0.0.1'], allowHttp: true },
            concurrency: CONCURRENCY,
            // The iterations enqueue straight into the store (each delivery names its endpoint),
            // which does not wake the worker: with an empty backlog it finds them at its next poll.
            pollIntervalMs: 5,
            policies: {},
          });
          state.startedAt = performance.now();
          state.running = true;
          state.dispatcher.start();
        },
        // Stopped before the next subject: its backlog must not keep the receiver busy. Leases
        // of deliveries it had not started are handed back, due now (they keep their place).
        async teardown() {
          await state.dispatcher?.close({ deadlineMs: 1_000 });
          state.dispatcher = undefined;
          state.activeMs = activeNow(state);
          state.running = false;
        },
        async fn() {
          const started = performance.now();
          target = received + BATCH;
          const done = new Promise<void>((resolve) => {
            wake = resolve;
          });
          const batch = deliveries(BATCH, endpoints, Date.now());
          const at = activeNow(state);
          for (const delivery of batch) enqueuedAt.set(delivery.messageId, { state, at });
          await state.store?.enqueue(batch);
          await done;
          state.busyMs += performance.now() - started;
          state.delivered += BATCH;
        },
      };
    }

    const scenarios: Array<{ name: string; subjects: BenchSubject[] }> = [];
    const redisUrl = process.env.REDIS_URL;
    let n = 0;
    for (const endpoints of ENDPOINTS) {
      const over = `${endpoints} endpoint${endpoints === 1 ? '' : 's'}`;
      scenarios.push({
        name: `SQLite, deliver ${BATCH}, ${over}`,
        subjects: BACKLOGS.map((backlog) =>
          subject(
            'SQLite',
            () => createSqliteStore({ path: join(dir as string, `backlog-${n++}.db`) }),
            backlog,
            endpoints,
          ),
        ),
      });
      if (redisUrl) {
        scenarios.push({
          name: `Redis, deliver ${BATCH}, ${over}`,
          subjects: BACKLOGS.map((backlog) => {
            const prefix = `bulwark-bench-backlog:${Date.now()}:${n++}`;
            return subject(
              'Redis',
              () => createRedisStore({ connection: redisUrl, prefix }),
              backlog,
              endpoints,
              () => deleteKeys(redisUrl, prefix),
            );
          }),
        });
      }
    }
    scenarioNames = scenarios.map((s) => s.name);
    const cases: BenchCase[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const scenario of scenarios) {
        cases.push({
          name: roundName(scenario.name, round, ROUNDS),
          subjects: scenario.subjects,
          iterations: ITERATIONS,
          warmupIterations: 1,
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
  },
  summary,
};

let scenarioNames: string[] = [];

/**
 * Per case: backlog ÷ empty throughput within each round, and enqueue→delivery of the
 * iterations' own deliveries in the subject's running time. Claims are oldest-first, so a
 * delivery enqueued behind a backlog B waits at least B ÷ throughput (the FIFO bound); when
 * the run delivers fewer than B deliveries per subject, none of its own arrive and the bound
 * is printed instead.
 */
function summary(rounded: readonly BenchResult[]): string[] {
  // ops/s are rounded to integers (a few iterations/s here); the ratio to the floor keeps 3 decimals.
  const results = rounded.map((r) => ({ ...r, opsPerSec: r.ratioToFloor }));
  const lines = [`backlog ÷ empty deliveries/s, within each of ${ROUNDS} interleaved rounds:`];
  for (const name of scenarioNames) {
    const store = name.split(',')[0] as string;
    for (const backlog of BACKLOGS.filter((b) => b > 0)) {
      const label = `${store}, backlog ${backlog.toLocaleString('en-US')}`;
      const ratios = perRound(results, name, (ops) => ops(label) / ops(`${store}, backlog 0`));
      lines.push(`  ${`${name}, backlog ${backlog.toLocaleString('en-US')}`.padEnd(52)} ${spread(ratios)}`);
    }
  }
  lines.push('enqueue→delivery of the iterations’ own deliveries (subject running time):');
  for (const state of states) {
    const rate = (state.delivered * 1000) / state.busyMs;
    const seed = state.backlog > 0 ? `, seeded in ${(state.seedMs / 1000).toFixed(1)} s` : '';
    const latency =
      state.latencies.length > 0
        ? `p50 ${quantile(state.latencies, 0.5).toFixed(0)} ms, p99 ${quantile(state.latencies, 0.99).toFixed(0)} ms (${state.latencies.length} delivered)`
        : `none arrived in the run (behind ${state.backlog.toLocaleString('en-US')}, FIFO bound ≥ ${(state.backlog / rate).toFixed(1)} s)`;
    lines.push(`  ${state.label.padEnd(42)} ${Math.round(rate)} deliveries/s, ${latency}${seed}`);
  }
  return lines;
}
