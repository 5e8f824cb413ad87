import { FakeClock, settle } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createHealth, createShutdown, type ShutdownOptions } from '../src/index.js';
import { FakeProcess, FakeServer } from './fake-server.js';

function setup(options: ShutdownOptions = {}) {
  const clock = new FakeClock(0);
  const proc = new FakeProcess();
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const health = createHealth({ clock, timers: clock });
  const shutdown = createShutdown({
    health,
    drainDelayMs: 5_000,
    deadlineMs: 20_000,
    hookTimeoutMs: 1_000,
    clock,
    timers: clock,
    process: proc,
    logger: {
      info: (fields, message) => logs.push({ level: 'info', message, fields }),
      error: (fields, message) => logs.push({ level: 'error', message, fields }),
    },
    ...options,
  });
  return { clock, proc, logs, health, shutdown };
}

describe('createShutdown', () => {
  it('fails readiness at once and keeps the listener open for the whole drain delay', async () => {
    const { clock, proc, health, shutdown } = setup();
    const server = new FakeServer();
    shutdown.addServer(server);
    shutdown.listen();
    proc.emit('SIGTERM');
    expect(shutdown.state).toBe('draining');
    expect(health.readiness().httpStatus).toBe(503);
    await clock.advanceAsync(4_999);
    expect(server.calls).toEqual([]);
    const late = server.request();
    expect(late.headers.get('connection')).toBe('close');
    await clock.advanceAsync(1);
    expect(shutdown.state).toBe('closing');
    expect(server.calls).toContain('close');
  });

  it('finishes in-flight requests before closing, runs hooks in reverse order and exits 0', async () => {
    const { clock, proc, logs, shutdown } = setup();
    const server = new FakeServer();
    const order: string[] = [];
    shutdown.addServer(server);
    shutdown.addHook('database', () => void order.push('database'));
    shutdown.addHook('dispatcher', async () => {
      order.push('dispatcher');
    });
    shutdown.listen();
    const inFlight = server.request();
    const done = shutdown.shutdown('SIGTERM');
    await clock.advanceAsync(5_000);
    expect(order).toEqual([]);
    expect(inFlight.headers.get('connection')).toBe('close');
    inFlight.finish();
    await settle();
    expect(order).toEqual([]);
    server.closed();
    const result = await done;
    expect(order).toEqual(['dispatcher', 'database']);
    expect(result).toMatchObject({ outcome: 'clean', exitCode: 0, reason: 'SIGTERM' });
    expect(result.hooks.map((hook) => hook.outcome)).toEqual(['ok', 'ok']);
    expect(proc.exits).toEqual([0]);
    expect(logs.at(-1)?.message).toBe('shutdown complete');
    expect(shutdown.state).toBe('stopped');
  });

  it('waits for tracked background work before the hooks', async () => {
    const { clock, shutdown } = setup({ drainDelayMs: 0 });
    let flush: () => void = () => {};
    const order: string[] = [];
    shutdown.track(new Promise<void>((resolve) => (flush = resolve)).then(() => void order.push('flushed')));
    shutdown.addHook('store', () => void order.push('store closed'));
    const done = shutdown.shutdown();
    await clock.advanceAsync(100);
    expect(order).toEqual([]);
    flush();
    await done;
    expect(order).toEqual(['flushed', 'store closed']);
  });

  it('moves on from a hook that passes its own timeout or throws, and exits with the hook-failed code', async () => {
    const { clock, proc, shutdown } = setup({ drainDelayMs: 0 });
    const ran: string[] = [];
    shutdown.addHook('last', () => void ran.push('last'));
    shutdown.addHook('throws', () => {
      throw new Error('secret detail');
    });
    shutdown.addHook('hangs', () => new Promise<void>(() => {}), { timeoutMs: 300 });
    const done = shutdown.shutdown();
    await clock.advanceAsync(300);
    const result = await done;
    expect(ran).toEqual(['last']);
    expect(result.hooks).toMatchObject([
      { name: 'hangs', outcome: 'timeout', durationMs: 300 },
      { name: 'throws', outcome: 'failed' },
      { name: 'last', outcome: 'ok' },
    ]);
    expect(result).toMatchObject({ outcome: 'hook_failed', exitCode: 1 });
    expect(proc.exits).toEqual([1]);
  });

  it('forces the exit at the deadline, destroying connections and naming what did not finish', async () => {
    const { clock, proc, logs, shutdown } = setup();
    const server = new FakeServer();
    shutdown.addServer(server);
    shutdown.addHook('database', () => {});
    server.request();
    const done = shutdown.shutdown('SIGTERM');
    await clock.advanceAsync(19_999);
    expect(proc.exits).toEqual([]);
    await clock.advanceAsync(1);
    const result = await done;
    expect(result).toMatchObject({ outcome: 'deadline', exitCode: 124, durationMs: 20_000 });
    expect(result.hooks).toEqual([{ name: 'database', outcome: 'not_run' }]);
    expect(server.calls).toContain('closeAllConnections');
    expect(proc.exits).toEqual([124]);
    expect(logs.at(-1)).toMatchObject({
      level: 'error',
      fields: { inFlightRequests: 1, unfinishedHooks: ['database'] },
    });
  });

  it('forces the exit on a second signal with 128 + its number', async () => {
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      const { proc, shutdown } = setup();
      shutdown.listen();
      proc.emit('SIGTERM');
      proc.emit(signal);
      expect((await shutdown.shutdown()).outcome).toBe('second_signal');
      expect(proc.exits).toEqual([code]);
    }
  });

  it('exits once even when the deadline and the end race, and only when asked to', async () => {
    const { clock, proc, shutdown } = setup({ exit: false, drainDelayMs: 0 });
    shutdown.addHook('hangs', () => new Promise<void>(() => {}), { timeoutMs: 20_000 });
    const done = shutdown.shutdown();
    await clock.advanceAsync(25_000);
    expect((await done).outcome).toBe('deadline');
    expect(proc.exits).toEqual([]);
    expect(await shutdown.shutdown()).toBe(await done);
  });

  it('stops listening for signals when disposed', () => {
    const { proc, shutdown } = setup();
    const stop = shutdown.listen();
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    stop();
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('SIGINT')).toBe(0);
  });

  it('rejects invalid options and hooks, naming them', () => {
    fc.assert(
      fc.property(fc.constantFrom(Number.NaN, Infinity, -1, 2 ** 31), (bad) => {
        expect(() => createShutdown({ deadlineMs: bad })).toThrow(/deadlineMs/);
        expect(() => createShutdown({ drainDelayMs: bad })).toThrow(/drainDelayMs/);
        expect(() => createShutdown({ hookTimeoutMs: bad })).toThrow(/hookTimeoutMs/);
      }),
    );
    expect(() => createShutdown({ drainDelayMs: 10_000, deadlineMs: 10_000 })).toThrow(/below `deadlineMs`/);
    expect(() => createShutdown({ exitCodes: { deadline: 256 } })).toThrow(/exitCodes.deadline/);
    const { shutdown } = setup();
    shutdown.addHook('a', () => {});
    expect(() => shutdown.addHook('a', () => {})).toThrow(/already registered/);
    expect(() => shutdown.addHook('', () => {})).toThrow(/`name`/);
    expect(() => shutdown.addHook('b', 1 as never)).toThrow(/function/);
    expect(() => shutdown.addHook('c', () => {}, { timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('logs through the default logger on stderr when none is given', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const clock = new FakeClock(0);
    const shutdown = createShutdown({ drainDelayMs: 0, exit: false, clock, timers: clock, process: new FakeProcess() });
    await shutdown.shutdown();
    expect(spy.mock.calls.map(([line]) => JSON.parse(String(line)).msg)).toContain('shutdown complete');
    spy.mockRestore();
  });
});
