import { flushMicrotasks } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import { BulkheadFullError, createBulkhead, isBulkheadFullError } from '../src/index.js';
import { deferred } from './helpers.js';

describe('Bulkhead', () => {
  it('runs at most maxConcurrent calls and queues up to maxQueue, in FIFO order', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 2, maxQueue: 1 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      bulkhead.execute(() => {
        started.push(i);
        return gate.promise;
      }),
    );
    expect(started).toEqual([0, 1]);
    expect(bulkhead.running).toBe(2);
    expect(bulkhead.queued).toBe(1);
    gates[0]?.resolve('a');
    await runs[0];
    await flushMicrotasks();
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve('b');
    gates[2]?.resolve('c');
    await expect(Promise.all(runs)).resolves.toEqual(['a', 'b', 'c']);
    expect(bulkhead.running).toBe(0);
  });

  it('rejects with a typed bulkhead_full error when slots and queue are full, never running the call', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 1 });
    const gate = deferred();
    void bulkhead.execute(() => gate.promise);
    const fn = vi.fn();
    const error = await bulkhead.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(isBulkheadFullError(error)).toBe(true);
    expect(error).toBeInstanceOf(BulkheadFullError);
    expect(error).toMatchObject({ code: 'bulkhead_full', status: 503, maxConcurrent: 1, maxQueue: 0 });
    gate.resolve('done');
  });

  it('frees the slot when a call fails', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 1 });
    await expect(bulkhead.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(bulkhead.execute(() => 'ok')).resolves.toBe('ok');
  });

  it('removes an aborted queued call from the queue, with its listener', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 5 });
    const gate = deferred();
    void bulkhead.execute(() => gate.promise);
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const fn = vi.fn();
    const queued = bulkhead.execute(fn, { signal: controller.signal });
    const other = new AbortController();
    const kept = bulkhead.execute((signal) => signal === other.signal, { signal: other.signal });
    controller.abort('gone');
    await expect(queued).rejects.toBe('gone');
    expect(bulkhead.queued).toBe(1);
    gate.resolve('done');
    await expect(kept).resolves.toBe(true);
    expect(fn).not.toHaveBeenCalled();
    expect(remove).not.toHaveBeenCalled(); // `once` listener already removed by the abort itself
  });

  it('rejects an already-aborted call at once', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 1 });
    await expect(bulkhead.execute(() => 1, { signal: AbortSignal.abort('no') })).rejects.toBe('no');
  });

  it('validates its options by name', () => {
    expect(() => createBulkhead({ maxConcurrent: 0 })).toThrow(/`maxConcurrent`/);
    expect(() => createBulkhead({ maxConcurrent: 1, maxQueue: -1 })).toThrow(/`maxQueue`/);
  });
});
