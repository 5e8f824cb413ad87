import { BulwarkError, hasErrorCode } from '@bulwark/errors';
import { FakeClock, settle } from '@bulwark/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  createIdempotency,
  createMemoryStore,
  type IdempotencyEvent,
  type IdempotencyOptions,
  type IdempotencyStore,
} from '../src/index.js';
import { settleUntil } from './support/settle-until.js';

function setup(options: IdempotencyOptions = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const events: IdempotencyEvent[] = [];
  const idempotency = createIdempotency({ clock, timers: clock, onEvent: (e) => events.push(e), ...options });
  return { clock, idempotency, events };
}

function codeOf(error: unknown): string | undefined {
  return error instanceof BulwarkError ? error.code : undefined;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createIdempotency: run', () => {
  it('runs the operation once and replays its stored value', async () => {
    const { idempotency } = setup();
    const op = vi.fn(async () => ({ id: 'ch_1', amount: 100 }));
    const first = await idempotency.run('k1', op, { fingerprint: 'f' });
    const second = await idempotency.run('k1', op, { fingerprint: 'f' });
    expect(first).toEqual({ value: { id: 'ch_1', amount: 100 }, replayed: false });
    expect(second).toEqual({ value: { id: 'ch_1', amount: 100 }, replayed: true });
    expect(op).toHaveBeenCalledTimes(1);
  });

  it('refuses the same key with another fingerprint (422), the first outcome stays', async () => {
    const { idempotency } = setup();
    await idempotency.run('k1', () => 1, { fingerprint: 'a' });
    const error = await idempotency.run('k1', () => 2, { fingerprint: 'b' }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('idempotency_key_reused');
    expect((error as BulwarkError).status).toBe(422);
    expect((await idempotency.run('k1', () => 3, { fingerprint: 'a' })).value).toBe(1);
  });

  it('refuses a call while the first is still running (409), and another fingerprint in progress with 422', async () => {
    const { idempotency, clock } = setup();
    const gate = deferred<string>();
    const first = idempotency.run('k1', () => gate.promise, { fingerprint: 'a' });
    await settleUntil(() => clock.pendingTimers === 1); // the lock timer: the first call holds the key
    const concurrent = await idempotency.run('k1', () => 'x', { fingerprint: 'a' }).catch((e: unknown) => e);
    expect(codeOf(concurrent)).toBe('idempotency_request_in_progress');
    expect((concurrent as BulwarkError).status).toBe(409);
    expect((concurrent as BulwarkError).retryable).toBe(true);
    expect((concurrent as BulwarkError).extensions.retryAfterMs).toBe(1_000);
    const other = await idempotency.run('k1', () => 'x', { fingerprint: 'b' }).catch((e: unknown) => e);
    expect(codeOf(other)).toBe('idempotency_key_reused');
    gate.resolve('done');
    expect(await first).toEqual({ value: 'done', replayed: false });
  });

  it('100 concurrent calls with one key: the operation runs once, every other call gets 409', async () => {
    const { idempotency } = setup();
    const gate = deferred<string>();
    let runs = 0;
    let refused = 0;
    const calls = Array.from({ length: 100 }, () =>
      idempotency
        .run(
          'same',
          () => {
            runs++;
            return gate.promise;
          },
          { fingerprint: 'f' },
        )
        .then(
          (r) => r.value,
          (e: unknown) => {
            refused++;
            return codeOf(e);
          },
        ),
    );
    await settleUntil(() => refused === 99);
    gate.resolve('ok');
    const outcomes = await Promise.all(calls);
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'idempotency_request_in_progress')).toHaveLength(99);
  });

  it('wait (opt-in): a concurrent call waits for the first and gets its stored value', async () => {
    const { idempotency, clock } = setup();
    const gate = deferred<string>();
    const op = vi.fn(() => gate.promise);
    const first = idempotency.run('k', op, { fingerprint: 'f' });
    await settleUntil(() => op.mock.calls.length === 1);
    const waiting = idempotency.run('k', op, { fingerprint: 'f', wait: { timeoutMs: 5_000, pollMs: 100 } });
    await settleUntil(() => clock.pendingTimers === 2);
    await clock.advanceAsync(300);
    gate.resolve('v');
    await first;
    await clock.advanceAsync(100);
    expect(await waiting).toEqual({ value: 'v', replayed: true });
    expect(op).toHaveBeenCalledTimes(1);
  });

  it('wait: fails with 409 once its timeout passes, and rejects with the signal reason on abort', async () => {
    const { idempotency, clock } = setup();
    void idempotency.run('k', () => new Promise(() => {}), { fingerprint: 'f' });
    await settleUntil(() => clock.pendingTimers === 1); // the first call's lock timer
    const timedOut = idempotency.run('k', () => 1, { fingerprint: 'f', wait: { timeoutMs: 500 } }).catch(codeOf);
    await settleUntil(() => clock.pendingTimers === 2); // the waiting call's poll
    await clock.advanceAsync(600);
    expect(await timedOut).toBe('idempotency_request_in_progress');
    const controller = new AbortController();
    const aborted = idempotency
      .run('k', () => 1, { fingerprint: 'f', wait: { timeoutMs: 5_000 }, signal: controller.signal })
      .catch((e: unknown) => e);
    await settleUntil(() => clock.pendingTimers === 2);
    await clock.advanceAsync(100);
    controller.abort(new Error('client went away'));
    expect(((await aborted) as Error).message).toBe('client went away');
  });

  it('scopes keys by principal', async () => {
    const { idempotency } = setup();
    const op = vi.fn((n: number) => n);
    expect((await idempotency.run('k', () => op(1), { principal: 'alice' })).value).toBe(1);
    expect((await idempotency.run('k', () => op(2), { principal: 'bob' })).value).toBe(2);
    expect((await idempotency.run('k', () => op(3), { principal: 'alice' })).value).toBe(1);
    expect(op).toHaveBeenCalledTimes(2);
  });

  it('forgets a stored outcome after ttlMs (default 24 h)', async () => {
    const { idempotency, clock } = setup();
    await idempotency.run('k', () => 1);
    clock.advance(86_400_000 - 1);
    expect((await idempotency.run('k', () => 2)).replayed).toBe(true);
    clock.advance(1);
    expect(await idempotency.run('k', () => 2)).toEqual({ value: 2, replayed: false });
  });

  it('a lock whose owner never finishes expires after lockTtlMs: the retry proceeds, the stale owner cannot store', async () => {
    const { idempotency, clock, events } = setup({ lockTtlMs: 30_000 });
    const stale = await idempotency.begin('k', { fingerprint: 'f' });
    if (stale.replayed) throw new Error('expected a claim');
    clock.advance(29_999);
    expect(await idempotency.run('k', () => 'again', { fingerprint: 'f' }).catch(codeOf)).toBe(
      'idempotency_request_in_progress',
    );
    clock.advance(1);
    expect(stale.signal.aborted).toBe(true);
    expect(codeOf(stale.signal.reason)).toBe('idempotency_lock_expired');
    const retry = await idempotency.begin('k', { fingerprint: 'f' });
    expect(retry.replayed).toBe(false);
    expect(!retry.replayed && retry.recovered).toBe(true);
    expect(await stale.complete('late')).toBe(false);
    if (!retry.replayed) expect(await retry.complete('fresh')).toBe(true);
    expect(await idempotency.run('k', () => 'x', { fingerprint: 'f' })).toEqual({ value: 'fresh', replayed: true });
    expect(events.some((e) => e.type === 'acquired' && e.recovered)).toBe(true);
  });

  it('the execution signal aborts at lock expiry whether it was read before or after, and run() hands it on', async () => {
    const { idempotency, clock } = setup({ lockTtlMs: 1_000 });
    const early = await idempotency.begin('early');
    if (early.replayed) throw new Error('expected a claim');
    const signal = early.signal; // read first, then the lock expires
    expect(signal.aborted).toBe(false);
    let seen: AbortSignal | undefined;
    const running = idempotency.run('run', ({ signal: given }) => {
      seen = given;
      return new Promise((resolve) => given.addEventListener('abort', () => resolve('aborted')));
    });
    await settleUntil(() => seen !== undefined);
    clock.advance(1_000);
    expect(signal.aborted).toBe(true);
    expect(codeOf(signal.reason)).toBe('idempotency_lock_expired');
    expect(await running).toEqual({ value: 'aborted', replayed: false });
    expect(codeOf(seen?.reason)).toBe('idempotency_lock_expired');
  });

  it('a failed operation releases the lock (not stored): the retry runs again', async () => {
    const { idempotency } = setup();
    await expect(
      idempotency.run('k', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await idempotency.run('k', () => 'ok')).toEqual({ value: 'ok', replayed: false });
  });

  it('storeErrors keeps chosen BulwarkErrors and replays them; other errors still release', async () => {
    const { idempotency } = setup({ storeErrors: (e) => hasErrorCode(e, 'card_declined') });
    const declined = new BulwarkError({ code: 'card_declined', status: 402, title: 'Card Declined', detail: 'nope' });
    await expect(idempotency.run('k', () => Promise.reject(declined))).rejects.toBe(declined);
    const replay = await idempotency.run('k', () => 'never').catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(BulwarkError);
    expect(replay).toMatchObject({
      code: 'card_declined',
      status: 402,
      detail: 'nope',
      extensions: { replayed: true },
    });
    await expect(idempotency.run('k2', () => Promise.reject(new Error('plain')))).rejects.toThrow('plain');
    expect((await idempotency.run('k2', () => 'ran')).replayed).toBe(false);
  });

  it('shouldStore: a value it refuses is returned but not stored', async () => {
    const { idempotency } = setup();
    const shouldStore = (v: { status: number }) => v.status < 500;
    expect((await idempotency.run('k', () => ({ status: 503 }), { shouldStore })).value).toEqual({ status: 503 });
    expect((await idempotency.run('k', () => ({ status: 201 }), { shouldStore })).replayed).toBe(false);
    expect((await idempotency.run('k', () => ({ status: 500 }), { shouldStore })).value).toEqual({ status: 201 });
  });

  it('a value that JSON cannot hold is returned but not stored', async () => {
    const { idempotency, events } = setup();
    expect((await idempotency.run('k', () => 1n)).value).toBe(1n);
    expect(events.at(-1)?.type).toBe('not_stored');
    expect((await idempotency.run('k', () => 2)).replayed).toBe(false);
  });

  it('rejects empty, non-string and over-long keys', async () => {
    const { idempotency } = setup({ maxKeyLength: 8 });
    for (const key of ['', 'x'.repeat(9), 42 as unknown as string]) {
      expect(await idempotency.run(key, () => 1).catch(codeOf)).toBe('idempotency_key_invalid');
    }
  });

  it('validates options once, naming the option', () => {
    expect(() => createIdempotency({ ttlMs: 0 })).toThrow(/`ttlMs`/);
    expect(() => createIdempotency({ ttlMs: 1_000, lockTtlMs: 2_000 })).toThrow(/`lockTtlMs`/);
    expect(() => createIdempotency({ deadlineMs: Number.NaN })).toThrow(/`deadlineMs`/);
    expect(() => createIdempotency({ store: {} as IdempotencyStore })).toThrow(/`store`/);
  });

  it('an onEvent listener that throws changes nothing', async () => {
    const idempotency = createIdempotency({
      onEvent: () => {
        throw new Error('listener');
      },
    });
    expect((await idempotency.run('k', () => 1)).value).toBe(1);
  });
});

describe('createIdempotency: a failing or stalled store fails closed', () => {
  function stalledStore(): IdempotencyStore {
    return { name: 'stalled', begin: () => new Promise(() => {}), complete: vi.fn(), release: vi.fn() };
  }

  it('a store that does not answer begin within deadlineMs: 503, the operation never runs', async () => {
    const clock = new FakeClock(0);
    const idempotency = createIdempotency({ store: stalledStore(), deadlineMs: 200, clock, timers: clock });
    const op = vi.fn(() => 1);
    const outcome = idempotency.run('k', op).catch((e: unknown) => e);
    await settleUntil(() => clock.pendingTimers === 1); // the deadline timer of begin
    await clock.advanceAsync(199);
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    await settle();
    expect(settled).toBe(false);
    await clock.advanceAsync(1);
    const error = (await outcome) as BulwarkError;
    expect(error.code).toBe('idempotency_store_unavailable');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(op).not.toHaveBeenCalled();
  });

  it('a claim that lands after the deadline is released once it does: the retry proceeds at once, nothing ran twice', async () => {
    const clock = new FakeClock(0);
    const memory = createMemoryStore();
    let landClaim!: () => void;
    const slow: IdempotencyStore = {
      name: 'slow',
      begin: (request) =>
        new Promise((resolve) => {
          landClaim = () => resolve(memory.begin(request));
        }),
      complete: (request) => memory.complete(request),
      release: (key, token) => memory.release(key, token),
    };
    const events: IdempotencyEvent[] = [];
    const idempotency = createIdempotency({
      store: slow,
      deadlineMs: 100,
      clock,
      timers: clock,
      onEvent: (e) => events.push(e),
    });
    const op = vi.fn(() => 'ran');
    const first = idempotency.run('late', op).catch(codeOf);
    await settleUntil(() => clock.pendingTimers === 1);
    await clock.advanceAsync(100);
    expect(await first).toBe('idempotency_store_unavailable');
    landClaim(); // Redis resumes and executes the claim after the caller gave up
    await settleUntil(() => events.some((e) => e.type === 'released'));
    const direct = createIdempotency({ store: memory, clock, timers: clock });
    expect(await direct.run('late', op)).toEqual({ value: 'ran', replayed: false });
    expect(op).toHaveBeenCalledTimes(1);
  });

  it('a late claim that fails, or whose release fails, changes nothing (the lock expires on its own)', async () => {
    const clock = new FakeClock(0);
    let settleClaim!: (outcome: 'fail' | 'acquire') => void;
    const release = vi.fn(() => Promise.reject(new Error('still down')));
    const store: IdempotencyStore = {
      name: 'late',
      begin: () =>
        new Promise((resolve, reject) => {
          settleClaim = (outcome) =>
            outcome === 'fail' ? reject(new Error('gone')) : resolve({ status: 'acquired', recovered: false });
        }),
      complete: vi.fn(),
      release,
    };
    const idempotency = createIdempotency({ store, deadlineMs: 100, clock, timers: clock });
    for (const outcome of ['fail', 'acquire'] as const) {
      const call = idempotency.run('k', () => 1).catch(codeOf);
      await settleUntil(() => clock.pendingTimers === 1);
      await clock.advanceAsync(100);
      expect(await call).toBe('idempotency_store_unavailable');
      settleClaim(outcome);
      await settle();
    }
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('a store that throws or rejects on begin: 503, the operation never runs', async () => {
    const op = vi.fn(() => 1);
    for (const begin of [
      () => Promise.reject(new Error('ECONNRESET')),
      () => {
        throw new Error('sync');
      },
    ]) {
      const store: IdempotencyStore = { name: 'broken', begin, complete: vi.fn(), release: vi.fn() };
      expect(await createIdempotency({ store }).run('k', op).catch(codeOf)).toBe('idempotency_store_unavailable');
    }
    expect(op).not.toHaveBeenCalled();
  });

  it('a store that fails on complete: the caller still gets its value; the event says not_stored', async () => {
    const memory = createMemoryStore();
    const events: IdempotencyEvent[] = [];
    const store: IdempotencyStore = {
      name: 'flaky',
      begin: (r) => memory.begin(r),
      complete: () => Promise.reject(new Error('down')),
      release: () => Promise.reject(new Error('down')),
    };
    const idempotency = createIdempotency({ store, onEvent: (e) => events.push(e) });
    expect(await idempotency.run('k', () => 'v')).toEqual({ value: 'v', replayed: false });
    expect(events.map((e) => e.type)).toEqual(['acquired', 'not_stored']);
    await expect(idempotency.run('k2', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(events.at(-1)?.type).toBe('not_stored');
  });

  it('an aborted signal rejects before touching the store', async () => {
    const store = stalledStore();
    const begin = vi.spyOn(store, 'begin');
    const reason = new Error('gone');
    await expect(createIdempotency({ store }).run('k', () => 1, { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    expect(begin).not.toHaveBeenCalled();
  });
});
