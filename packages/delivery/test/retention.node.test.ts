import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { FakeClock } from '@bulwark/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Emitter } from '../src/events.js';
import { createDispatcher, type DeliveryStore, type Dispatcher, type DispatcherOptions } from '../src/index.js';
import { PRUNE_BATCH_SIZE, RetentionPruner } from '../src/retention.js';
import { recordingMetrics, scriptedTransport } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const RETAIN = 10_000;
const INTERVAL = 1_000;

let store: DeliveryStore;
let dispatcher: Dispatcher;
afterEach(async () => {
  await dispatcher?.close({ deadlineMs: 0 });
  await store?.close();
});

/** A started dispatcher with an endpoint `ok` (answers 200) and `bad` (500, dead at once). */
async function started(options: Partial<DispatcherOptions> = {}) {
  const clock = new FakeClock(T0);
  const transport = scriptedTransport(clock, (req) => (req.url.includes('bad') ? { status: 500 } : {}));
  const metrics = recordingMetrics();
  store = createSqliteStore({ path: ':memory:' });
  dispatcher = createDispatcher({
    store,
    transport,
    clock,
    timers: clock,
    metrics,
    random: () => 0.5,
    retrySchedule: [],
    retainSucceededMs: RETAIN,
    pruneIntervalMs: INTERVAL,
    ...options,
  });
  await dispatcher.endpoints.create({ id: 'ok', url: 'https://ok.example.com/hook' });
  await dispatcher.endpoints.create({ id: 'bad', url: 'https://bad.example.com/hook' });
  dispatcher.start();
  const { messageId } = await dispatcher.publish({ type: 'a', payload: 1 });
  await dispatcher.idle();
  return { clock, metrics, messageId };
}

const pruned = (metrics: ReturnType<typeof recordingMetrics>) =>
  metrics.observations.filter((o) => o.name === 'webhook.pruned').map((o) => o.value);

describe('dispatcher retention', () => {
  it('keeps succeeded deliveries until they are older than retainSucceededMs', async () => {
    const { clock, metrics, messageId } = await started();
    await clock.advanceAsync(RETAIN);
    expect(await store.counts()).toMatchObject({ succeeded: 1, dead: 1 });
    expect(pruned(metrics)).toEqual([]);
    await clock.advanceAsync(INTERVAL);
    expect(await store.counts()).toEqual({ pending: 0, inflight: 0, succeeded: 0, dead: 1 });
    expect(pruned(metrics)).toEqual([1]);
    expect((await dispatcher.inspect(messageId)).map((d) => [d.endpointId, d.status])).toEqual([['bad', 'dead']]);
  });

  it('never prunes the DLQ', async () => {
    const { clock } = await started();
    await clock.advanceAsync(100 * INTERVAL);
    expect((await store.counts()).succeeded).toBe(0);
    expect(await dispatcher.dlq.stats()).toMatchObject({ size: 1, byEndpoint: { bad: 1 } });
    expect(await dispatcher.prune({ olderThanMs: 0 })).toBe(0);
    expect((await dispatcher.dlq.list()).map((d) => d.endpointId)).toEqual(['bad']);
  });

  it('is disabled with retainSucceededMs: Infinity (no timer); prune() then deletes nothing unless told', async () => {
    const { clock } = await started({ retainSucceededMs: Number.POSITIVE_INFINITY });
    expect(clock.pendingTimers).toBe(1); // the worker's poll only
    await clock.advanceAsync(100 * RETAIN);
    expect((await store.counts()).succeeded).toBe(1);
    expect(await dispatcher.prune()).toBe(0);
    expect(await dispatcher.prune({ olderThanMs: RETAIN })).toBe(1);
  });

  it('prunes on demand with the default or a given age', async () => {
    const { clock, metrics } = await started({ pruneIntervalMs: 3_600_000 });
    clock.set(T0 + RETAIN + 1);
    expect(await dispatcher.prune({ olderThanMs: RETAIN + 2 })).toBe(0);
    expect(await dispatcher.prune()).toBe(1);
    expect(pruned(metrics)).toEqual([1]);
    await expect(dispatcher.prune({ olderThanMs: -1 })).rejects.toThrow('`olderThanMs`');
  });

  it('clears its timer on close and refuses prune() afterwards', async () => {
    const { clock } = await started();
    expect(clock.pendingTimers).toBe(2); // the worker's poll and the pruner's
    await dispatcher.close();
    expect(clock.pendingTimers).toBe(0);
    await expect(dispatcher.prune()).rejects.toMatchObject({ code: 'delivery_closed' });
  });

  it('reports a failing prune as an error event and tries again on the next interval', async () => {
    const { clock } = await started();
    const errors: unknown[] = [];
    dispatcher.on('error', (e) => errors.push(e));
    const prune = store.prune.bind(store);
    let failures = 1;
    store.prune = (options) => (failures-- > 0 ? Promise.reject(new Error('disk full')) : prune(options));
    await clock.advanceAsync(RETAIN + INTERVAL);
    expect(errors).toEqual([expect.objectContaining({ message: 'disk full' })]);
    await clock.advanceAsync(INTERVAL);
    expect((await store.counts()).succeeded).toBe(0);
  });

  it('validates its options, naming them', () => {
    const s = createSqliteStore({ path: ':memory:' });
    expect(() => createDispatcher({ store: s, retainSucceededMs: -1 })).toThrow('`retainSucceededMs`');
    expect(() => createDispatcher({ store: s, retainSucceededMs: Number.NaN })).toThrow('`retainSucceededMs`');
    expect(() => createDispatcher({ store: s, pruneIntervalMs: 0 })).toThrow('`pruneIntervalMs`');
    expect(() => createDispatcher({ store: s, pruneIntervalMs: 2 ** 31 })).toThrow('`pruneIntervalMs`');
    return s.close();
  });
});

describe('RetentionPruner', () => {
  /** A pruner over a store stub whose prune() answers from `batches`, each call awaiting `gate`. */
  function pruner(batches: number[], gate: () => Promise<void> = async () => {}) {
    const clock = new FakeClock(T0);
    const calls: Array<{ before: number; limit: number }> = [];
    const stub = {
      async prune(options: { before: number; limit: number }) {
        calls.push(options);
        await gate();
        return batches.shift() ?? 0;
      },
    } as unknown as DeliveryStore;
    const metrics = recordingMetrics();
    const p = new RetentionPruner({
      store: stub,
      clock,
      timers: clock,
      metrics,
      events: new Emitter(),
      retainSucceededMs: RETAIN,
      pruneIntervalMs: INTERVAL,
      batchSize: 2,
    });
    return { p, clock, calls, metrics };
  }

  it('deletes in batches until one comes back short', async () => {
    const { p, calls, metrics } = pruner([2, 2, 1]);
    expect(await p.prune(RETAIN)).toBe(5);
    expect(calls).toEqual(Array(3).fill({ before: T0 - RETAIN, limit: 2 }));
    expect(pruned(metrics)).toEqual([5]);
    expect(PRUNE_BATCH_SIZE).toBe(1_000);
  });

  it('stops after the current batch when closed, and does not reschedule', async () => {
    let open!: () => void;
    const { p, clock, calls } = pruner([2, 2, 2], () => new Promise<void>((resolve) => (open = resolve)));
    p.start();
    p.start();
    expect(clock.pendingTimers).toBe(1);
    await clock.advanceAsync(INTERVAL);
    expect(calls).toHaveLength(1);
    const closing = p.close();
    open();
    await closing;
    expect(calls).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
    p.start();
    expect(clock.pendingTimers).toBe(0);
  });
});
