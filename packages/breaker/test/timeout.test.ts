import { FakeClock } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { createTimeout, isCallTimeoutError } from '../src/index.js';

describe('Timeout policy', () => {
  it('rejects with call_timeout and aborts the signal when time is up', async () => {
    const clock = new FakeClock();
    const timeout = createTimeout({ timeoutMs: 50, timers: clock });
    let seen: AbortSignal | undefined;
    const pending = timeout
      .execute((signal) => {
        seen = signal;
        return new Promise(() => {});
      })
      .catch((e: unknown) => e);
    clock.advance(50);
    const error = await pending;
    expect(isCallTimeoutError(error)).toBe(true);
    expect(seen?.reason).toBe(error);
    expect(clock.pendingTimers).toBe(0);
  });

  it('passes results and errors through and clears its timer', async () => {
    const clock = new FakeClock();
    const timeout = createTimeout({ timeoutMs: 50, timers: clock });
    await expect(timeout.execute(() => 'ok')).resolves.toBe('ok');
    await expect(
      timeout.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(clock.pendingTimers).toBe(0);
  });

  it('follows the caller’s signal', async () => {
    const clock = new FakeClock();
    const timeout = createTimeout({ timeoutMs: 50, timers: clock });
    await expect(timeout.execute(() => 1, { signal: AbortSignal.abort('early') })).rejects.toBe('early');
    const controller = new AbortController();
    const pending = timeout.execute(() => new Promise(() => {}), { signal: controller.signal });
    controller.abort('late');
    await expect(pending).rejects.toBe('late');
    expect(clock.pendingTimers).toBe(0);
  });

  it('works on the default timers and validates timeoutMs', async () => {
    await expect(createTimeout({ timeoutMs: 1_000 }).execute(() => 2)).resolves.toBe(2);
    expect(() => createTimeout({ timeoutMs: 0 })).toThrow(/`timeoutMs`/);
  });
});
